// libFuzzer target: the .npy reader (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto tensor = rnnpool::parseNpy(std::span<const uint8_t>(data, size), "fuzz");
    return tensor ? 0 : 0;
}
