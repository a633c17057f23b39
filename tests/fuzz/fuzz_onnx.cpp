// libFuzzer target: the ONNX reader and importer (tests/fuzz/README.md).
// Bytes are parsed as a ModelProto, then translated into a spec and a
// checkpoint and built into a network; every stage must return an error
// rather than crash, hang or allocate what the file merely declares.
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/network.h"
#include "onnx/onnx_import.h"
#include "onnx/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto graph = rnnpool::parseOnnx(std::span<const uint8_t>(data, size), "fuzz.onnx", {});
    if (!graph)
        return 0;
    auto imported = rnnpool::importOnnx(*graph);
    if (!imported)
        return 0;
    auto net = rnnpool::Network::build(imported->spec);
    return net ? 0 : 0;
}
