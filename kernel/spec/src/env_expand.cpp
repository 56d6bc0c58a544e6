#include "spec/env_expand.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace ferlab::spec {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

struct Reference {
  size_t end = 0;  // one past the closing brace; 0 when `line` has no reference at `begin`
  std::string name;
  bool has_default = false;
  std::string fallback;
};

// ${NAME} or ${NAME:-default} at `begin` (a hand scan rather than std::regex, whose recursion
// grows with the length of the match and overflows the stack on a long default).
Reference reference_at(const std::string& line, size_t begin) {
  Reference r;
  if (line.compare(begin, 2, "${") != 0) return r;
  size_t i = begin + 2;
  if (i >= line.size() || !name_start(line[i])) return r;
  while (i < line.size() && name_char(line[i])) ++i;
  r.name = line.substr(begin + 2, i - begin - 2);
  if (line.compare(i, 2, ":-") == 0) {
    size_t close = line.find('}', i + 2);
    if (close == std::string::npos) return r;
    r.has_default = true;
    r.fallback = line.substr(i + 2, close - i - 2);
    i = close;
  }
  if (i >= line.size() || line[i] != '}') return r;
  r.end = i + 1;
  return r;
}

}  // namespace

ExpandedText ExpandedText::expand(const std::string& text, std::vector<UnsetVariable>& unset,
                                  size_t max_bytes) {
  ExpandedText out;
  std::istringstream in(text);
  std::string line;
  for (int number = 0; std::getline(in, line); ++number) {
    std::string expanded;
    size_t last = 0;
    for (size_t at = line.find("${"); at != std::string::npos; at = line.find("${", at + 1)) {
      Reference r = reference_at(line, at);
      if (r.end == 0) continue;
      expanded += line.substr(last, at - last);
      std::string value;
      if (const char* env = std::getenv(r.name.c_str()); env && *env)
        value = env;
      else if (r.has_default)
        value = r.fallback;
      else
        unset.push_back({r.name, number, static_cast<int>(at)});
      int expanded_begin = static_cast<int>(expanded.size());
      expanded += value;
      out.substitutions_[number].push_back({expanded_begin, static_cast<int>(expanded.size()),
                                            static_cast<int>(at), static_cast<int>(r.end)});
      last = r.end;
      at = r.end - 1;
      if (out.text_.size() + expanded.size() > max_bytes) break;
    }
    if (last < line.size()) expanded += line.substr(last);
    if (out.text_.size() + expanded.size() + 1 > max_bytes) {
      out.too_long_at_ = number;
      return out;
    }
    out.text_ += expanded + "\n";
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
