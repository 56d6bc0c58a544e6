// "did you mean ...?" for misspelled keys and plugin names.
#pragma once

#include <string>
#include <vector>

namespace ferlab::kernel {

// Levenshtein distance between two strings.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ferlab::kernel
