#include "text_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ferlab::cli {
namespace {

// Characters, not bytes ("±" is two): fmt pads to the same count.
std::size_t width_of(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string plain(const TextTable& t) {
  std::vector<std::size_t> width(t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    width[c] = width_of(t.columns[c].title);
    for (const auto& row : t.rows) width[c] = std::max(width[c], width_of(row.cells[c]));
  }
  auto line = [&](auto cell) {
    std::string out;
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      out +=
          fmt::format(fmt::runtime(t.columns[c].numeric ? "{:>{}}" : "{:<{}}"), cell(c), width[c]) +
          (c + 1 < t.columns.size() ? "  " : "");
    out.erase(out.find_last_not_of(' ') + 1);
    return out + "\n";
  };
  std::string out = line([&](std::size_t c) { return t.columns[c].title; });
  for (const auto& row : t.rows) {
    out += line([&](std::size_t c) { return row.cells[c]; });
    if (!row.note.empty()) out += "    " + row.note + "\n";
  }
  return out;
}

std::string markdown(const TextTable& t) {
  // A pipe inside a cell would split it.
  auto cell = [](std::string text) {
    for (std::size_t at = 0; (at = text.find('|', at)) != std::string::npos; at += 2)
      text.replace(at, 1, "\\|");
    return text;
  };
  std::string out = "|", rule = "|";
  for (const auto& column : t.columns) {
    out += fmt::format(" {} |", cell(column.title));
    rule += column.numeric ? " ---: |" : " --- |";
  }
  out += fmt::format("\n{}\n", rule);
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& text : row.cells) out += fmt::format(" {} |", cell(text));
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render(const TextTable& table, TableFormat format) {
  return format == TableFormat::plain ? plain(table) : markdown(table);
}

}  // namespace ferlab::cli
