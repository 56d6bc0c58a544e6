// The sections of a report page, each a <section> element with a fixed id.
#pragma once

#include <string>
#include <vector>

#include "report/report_data.hpp"
#include "report/variants.hpp"

namespace ferlab::report {

struct PageContext {
  const ReportData& data;
  const std::vector<Variant>& variants;
  bool comparing() const { return variants.size() > 1; }
};

std::string summary_section(const PageContext& page);       // id "summary": the figures
std::string setup_section(const PageContext& page);         // id "setup": runs, spec, data
std::string comparison_section(const PageContext& page);    // id "comparison"
std::string search_section(const PageContext& page);        // id "search"; "" without trials
std::string lr_find_section(const PageContext& page);       // id "lr-find"; "" without a test
std::string significance_section(const PageContext& page);  // id "significance"
std::string curves_section(const PageContext& page);        // id "curves"
std::string confusion_section(const PageContext& page);     // id "confusion"
std::string examples_section(const PageContext& page);      // id "examples"
std::string gradcam_section(const PageContext& page);       // id "gradcam"

// <section id=...><h2>title</h2> body </section>
std::string section(const std::string& id, const std::string& title, const std::string& body);

}  // namespace ferlab::report
