// Text that goes into an HTML page: escaping, base64 data URIs, number formatting.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferlab::report {

// Escapes &, <, >, " and ' so any text is safe in element content and quoted attributes.
std::string escape(std::string_view text);

// Standard base64 (RFC 4648) with padding.
std::string base64(std::string_view bytes);

// "data:<mime>;base64,..." for an <img src>.
std::string data_uri(const std::string& mime, std::string_view bytes);

// Fixed decimals; "—" when absent.
std::string number(const std::optional<double>& value, int decimals = 4);

}  // namespace ferlab::report
