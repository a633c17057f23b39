// Writing C source for generated firmware: integer arrays as `const` data
// (they go to flash), with a fixed number of values per line, so that a
// generated file is plain, reviewable and compiles with -Wall -Wextra -Werror.
//
//   std::string c = cArray("int16_t", "rpc_rnn1_W", values);
//   // const int16_t rpc_rnn1_W[32] = {\n    1, -2, ...\n};
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rnnpool {

// `const TYPE NAME[N] = {...};` with an alignment attribute when align > 1.
std::string cArray(const std::string& type, const std::string& name, const std::vector<int64_t>& values,
                   int align = 4);
// The declaration matching cArray: `extern const TYPE NAME[N];`.
std::string cArrayDeclaration(const std::string& type, const std::string& name, size_t count);
// A C string literal with quotes and backslashes escaped.
std::string cStringLiteral(const std::string& text);

} // namespace rnnpool
