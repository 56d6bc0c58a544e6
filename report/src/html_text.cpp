#include "report/html_text.hpp"

#include <fmt/format.h>

namespace ferlab::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t left = bytes.size() - i;
    unsigned chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (left > 1) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (left > 2) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(chunk >> 18) & 63];
    out += alphabet[(chunk >> 12) & 63];
    out += left > 1 ? alphabet[(chunk >> 6) & 63] : '=';
    out += left > 2 ? alphabet[chunk & 63] : '=';
  }
  return out;
}

std::string data_uri(const std::string& mime, std::string_view bytes) {
  return "data:" + mime + ";base64," + base64(bytes);
}

std::string number(const std::optional<double>& value, int decimals) {
  if (!value) return "\u2014";
  return fmt::format("{:.{}f}", *value, decimals);
}

}  // namespace ferlab::report
