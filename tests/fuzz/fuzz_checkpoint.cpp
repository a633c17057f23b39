// libFuzzer target: whole model files as `rnnpool --model` reads them (zip and
// legacy .pth, safetensors), recognised by content (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto checkpoint = rnnpool::parseCheckpoint(std::span<const uint8_t>(data, size), "fuzz");
    return checkpoint ? 0 : 0;
}
