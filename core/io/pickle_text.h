// Protocol 0 pickles write strings as text lines: STRING as a Python repr
// ('a\nb' with backslash escapes), UNICODE as raw-unicode-escape (Latin-1
// bytes plus \uXXXX escapes). The pickle machine decodes them with these.
//
//   std::optional<std::string> s = decodePythonRepr("'a\\nb'"); // "a\nb"
//   std::optional<std::string> u = decodeRawUnicodeEscape("caf\\u00e9"); // "café" in UTF-8
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rnnpool {

// nullopt when not quoted or when an escape is malformed or unsupported.
std::optional<std::string> decodePythonRepr(std::string_view repr);

// The result is UTF-8; nullopt for an escape that is not a code point.
std::optional<std::string> decodeRawUnicodeEscape(std::string_view raw);

} // namespace rnnpool
