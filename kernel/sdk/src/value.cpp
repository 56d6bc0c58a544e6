#include <fmt/format.h>

#include <ferlab/value.hpp>
#include <type_traits>

namespace ferlab {
namespace {

std::string number_text(double x) {
  std::string text = fmt::format("{}", x);  // the shortest text that reads back as x
  // Keep numbers recognisable as floating point when written back to YAML.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string quoted_if_needed(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(":#,[]{}&*!|>'\"%@`") == std::string::npos &&
               s.front() != ' ' && s.back() != ' ';
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class T>
std::string list_text(const std::vector<T>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += to_string(Value(items[i]));
  }
  return out + "]";
}

}  // namespace

std::string to_string(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "null";
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return std::to_string(v);
        else if constexpr (std::is_same_v<T, double>)
          return number_text(v);
        else if constexpr (std::is_same_v<T, std::string>)
          return quoted_if_needed(v);
        else if constexpr (std::is_same_v<T, StringMap>) {
          std::string out = "{";
          bool first = true;
          for (const auto& [k, x] : v) {
            if (!first) out += ", ";
            first = false;
            out += quoted_if_needed(k) + ": " + quoted_if_needed(x);
          }
          return out + "}";
        } else
          return list_text(v);
      },
      value);
}

}  // namespace ferlab
