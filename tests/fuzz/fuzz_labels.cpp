// libFuzzer target: labels files for `rnnpool eval` (tests/fuzz/README.md).
// The reader takes a path, so each input goes through one file in /dev/shm.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "eval/face_labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::filesystem::path path = "/dev/shm/rnnpool_fuzz_labels_" + std::to_string(::getpid()) + ".txt";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    auto labels = rnnpool::readFaceLabels(path);
    return labels ? 0 : 0;
}
