// libFuzzer target: the safetensors reader (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto checkpoint = rnnpool::parseSafetensors(std::span<const uint8_t>(data, size), "fuzz");
    return checkpoint ? 0 : 0;
}
