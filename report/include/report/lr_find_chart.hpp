// The learning-rate range test drawn (`ferlab lr-find --plot`, and the report's section): the
// loss at each step and its smoothed curve against log10 of the learning rate.
#pragma once

#include <string>

#include "storage/lr_find_records.hpp"

namespace ferlab::report {

// An SVG chart (without a legend) whose title gives the suggested rate.
std::string lr_find_chart(const std::string& id, const storage::LrFindRecord& test);

}  // namespace ferlab::report
