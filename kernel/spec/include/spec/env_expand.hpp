// ${VAR} and ${VAR:-default} expansion over the spec's text, before YAML parsing (so that
// `path: ${FERLAB_DATA}/fer2013` works inside flow maps too), with a map back to the columns
// the user wrote so that later errors still point at the right place.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ferlab::spec {

struct UnsetVariable {
  std::string name;
  int line = 0, column = 0;  // 0-based, in the original text
};

class ExpandedText {
 public:
  // Stops at the line whose expansion takes the text past max_bytes (see too_long_at()).
  static ExpandedText expand(const std::string& text, std::vector<UnsetVariable>& unset,
                             size_t max_bytes);

  const std::string& text() const { return text_; }
  // The 0-based line at which the expanded text exceeded max_bytes; -1 when it did not.
  int too_long_at() const { return too_long_at_; }
  // The 0-based column in the original text of a 0-based column of the expanded one.
  int original_column(int line, int column) const;

 private:
  struct Substitution {
    int expanded_begin, expanded_end, original_begin, original_end;
  };
  std::string text_;
  int too_long_at_ = -1;
  std::map<int, std::vector<Substitution>> substitutions_;  // by line
};

}  // namespace ferlab::spec
