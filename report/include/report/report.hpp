// `ferlab report`: one self-contained HTML page (inline CSS, SVG charts, images as data URIs,
// a little JavaScript for sorting and toggles) from the run database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/report_data.hpp"

namespace ferlab::report {

// The whole page. `source` names the database in the page header.
std::string render_report(const ReportData& data, const std::string& source);

// Reads the runs (see load_report_data) from `db_path` and writes the page to `out_path`.
// Throws storage::StorageError or std::runtime_error naming the file that failed.
void write_report(const std::string& db_path, const std::optional<std::string>& experiment,
                  const std::vector<std::int64_t>& run_ids, const std::string& out_path);

}  // namespace ferlab::report
