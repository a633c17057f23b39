// libFuzzer target: the restricted pickle machine (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <span>

#include "io/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto doc = rnnpool::unpickle(std::span<const uint8_t>(data, size));
    return doc ? 0 : 0;
}
