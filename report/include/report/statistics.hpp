// The statistics a report states: spread over seeds, confidence intervals over test samples,
// paired significance tests and their correction for multiple comparisons.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ferlab::report {

struct MeanStd {
  double mean = 0, std = 0;  // std: sample standard deviation (n - 1); 0 for one value
  int n = 0;
};
MeanStd mean_std(const std::vector<double>& values);

struct Interval {
  double low = 0, high = 0;
};

// Percentile bootstrap: `resamples` times, n indices drawn with replacement from 0..n-1 (a
// fixed-seed generator, so a report is reproducible); `statistic` maps the drawn indices to a
// value. Returns the central `level` interval of those values.
Interval bootstrap_interval(int n, const std::function<double(const std::vector<int>&)>& statistic,
                            int resamples, std::uint64_t seed, double level = 0.95);

// McNemar's exact test: b = pairs only the first got right, c = pairs only the second got
// right. Two-sided p-value of the binomial test of b against Binomial(b + c, 1/2).
double mcnemar_exact(std::int64_t b, std::int64_t c);

// Paired bootstrap over samples: `difference` maps the drawn indices to the difference between
// two systems on them (first - second). Two-sided p-value for "the difference is 0": twice
// the smaller share of resampled differences on either side of 0, at most 1.
double paired_bootstrap_p(int n, const std::function<double(const std::vector<int>&)>& difference,
                          int resamples, std::uint64_t seed);

// Holm's step-down adjustment of p-values (same order as given), monotone and at most 1.
std::vector<double> holm(const std::vector<double>& p);

// "0.003", "< 0.001" — how p-values are written in a report.
std::string format_p(double p);

// One plain sentence on a comparison: which system is better on `metric`, and whether the
// corrected p-value is below alpha.
std::string conclusion(const std::string& first, double first_value, const std::string& second,
                       double second_value, const std::string& metric, double p,
                       double alpha = 0.05);

}  // namespace ferlab::report
