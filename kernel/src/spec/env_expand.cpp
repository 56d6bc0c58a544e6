#include "env_expand.hpp"

#include <cstdlib>
#include <regex>
#include <sstream>

namespace ferlab::spec {

ExpandedText ExpandedText::expand(const std::string& text, std::vector<UnsetVariable>& unset) {
  static const std::regex var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\})");
  ExpandedText out;
  std::istringstream in(text);
  std::string line;
  for (int number = 0; std::getline(in, line); ++number) {
    std::string expanded;
    int last = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), var);
         it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      int begin = static_cast<int>(m.position()), end = begin + static_cast<int>(m.length());
      expanded += line.substr(last, begin - last);
      std::string value;
      if (const char* env = std::getenv(m[1].str().c_str()); env && *env)
        value = env;
      else if (m[2].matched)
        value = m[3].str();
      else
        unset.push_back({m[1].str(), number, begin});
      int expanded_begin = static_cast<int>(expanded.size());
      expanded += value;
      out.substitutions_[number].push_back(
          {expanded_begin, static_cast<int>(expanded.size()), begin, end});
      last = end;
    }
    out.text_ += expanded + line.substr(last) + "\n";
  }
  return out;
}

int ExpandedText::original_column(int line, int column) const {
  auto found = substitutions_.find(line);
  if (found == substitutions_.end()) return column;
  int shift = 0;
  for (const Substitution& s : found->second) {
    if (column < s.expanded_begin) break;
    if (column < s.expanded_end) return s.original_begin;
    shift = s.original_end - s.expanded_end;
  }
  return column + shift;
}

}  // namespace ferlab::spec
