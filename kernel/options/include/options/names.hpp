// Names of enum values, one table per enum: what a spec writes, what the schema offers as
// choices, what the run store and checkpoints record. The code compares enums; only the spec, the
// command line and stored text go through these names.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferlab::options {

// Specialised beside each enum: `static constexpr std::array<std::pair<E, std::string_view>, N>
// table` listing every value once, the default first where there is one.
template <typename E>
struct Names;

template <typename E>
std::string name_of(E value) {
  for (const auto& [v, name] : Names<E>::table)
    if (v == value) return std::string(name);
  return "?";  // unreachable while every value is in its table
}

template <typename E>
std::optional<E> parse(std::string_view name) {
  for (const auto& [v, n] : Names<E>::table)
    if (n == name) return v;
  return std::nullopt;
}

template <typename E>
std::vector<std::string> names_of() {
  std::vector<std::string> out;
  for (const auto& entry : Names<E>::table) out.emplace_back(entry.second);
  return out;
}

}  // namespace ferlab::options
