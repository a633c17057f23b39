// libFuzzer target: architecture specs, parsed, built and profiled at a small
// input (every layer's shape, parameters and multiply-adds), as `rnnpool info
// --model spec.json` does (tests/fuzz/README.md). Nothing is allocated for
// weights or activations.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/arch_spec.h"
#include "model/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto spec = rnnpool::parseArchSpec(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    if (!spec)
        return 0;
    auto net = rnnpool::Network::build(*spec);
    if (!net)
        return 0;
    const int64_t w = std::min<int64_t>(spec->defaultWidth, 320), h = std::min<int64_t>(spec->defaultHeight, 240);
    auto layers = net->describe({spec->inputChannels, h, w});
    int64_t madds = 0;
    if (layers)
        for (const rnnpool::LayerInfo& l : *layers)
            madds += l.madds / 1024; // stays far from overflow: the limits bound every count
    if (madds < 0)
        __builtin_trap(); // a count that wrapped: the limits failed to bound it
    return 0;
}
