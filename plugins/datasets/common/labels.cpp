#include "labels.hpp"

#include <cctype>
#include <map>

namespace datasets {

std::string simplify(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

int fer_label(const std::string& name) {
  static const std::map<std::string, int> known = {
      {"angry", 0},   {"anger", 0},   {"disgust", 1},  {"disgusted", 1}, {"fear", 2},
      {"fearful", 2}, {"afraid", 2},  {"happy", 3},    {"happiness", 3}, {"joy", 3},
      {"sad", 4},     {"sadness", 4}, {"surprise", 5}, {"surprised", 5}, {"neutral", 6},
  };
  auto it = known.find(simplify(name));
  return it == known.end() ? -1 : it->second;
}

std::string split_name(const std::string& name) {
  static const std::map<std::string, std::string> known = {
      {"train", "train"}, {"training", "train"}, {"val", "val"},
      {"valid", "val"},   {"validation", "val"}, {"publictest", "val"},
      {"test", "test"},   {"testing", "test"},   {"privatetest", "test"},
  };
  auto it = known.find(simplify(name));
  return it == known.end() ? "" : it->second;
}

}  // namespace datasets
