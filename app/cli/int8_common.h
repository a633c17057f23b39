// Choosing the int8 network for `--dtype i8` and `--detector model-i8`:
// --model naming an int8 file (from `rnnpool quantize`) loads it; a float
// model (or the default one) is quantised as int8NetworkFor() says.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/arguments.h"
#include "quant/int8_network.h"

namespace rnnpool::cli {

// "f32" or "i8" from --dtype (default f32); nullopt when it is something else.
std::optional<std::string> parseRunDtype(const Arguments& args);

// The int8 network the arguments name; `usageProblem` as for chooseModel.
Expected<std::shared_ptr<const Int8Network>> chooseInt8Network(const Arguments& args, bool& usageProblem);

// rnnpool bench --dtype i8 (bench_int8.cpp); `size` is width, height.
int benchInt8(const Arguments& args, int64_t runs, std::optional<std::pair<int64_t, int64_t>> size);

} // namespace rnnpool::cli
