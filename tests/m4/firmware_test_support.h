// Shared by the emulated Cortex-M4 tests: a fresh temporary folder, and skipping
// (visibly, with the reason) where the cross toolchain or QEMU is not installed.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "mcu/process_runner.h"

namespace rnnpool::testing {

// A new empty folder under the system's temporary folder.
inline std::filesystem::path makeTempDir(const std::string& stem)
{
    std::string pattern = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
    const char* made = ::mkdtemp(pattern.data());
    return made ? std::filesystem::path(made) : std::filesystem::path();
}

inline bool crossToolchainPresent()
{
    return findProgram("make") && findProgram("arm-none-eabi-gcc") && findProgram("arm-none-eabi-size");
}

} // namespace rnnpool::testing

#define RNNPOOL_REQUIRE_CROSS_TOOLCHAIN()                                                              \
    do {                                                                                             \
        if (!::rnnpool::testing::crossToolchainPresent())                                            \
            GTEST_SKIP() << "arm-none-eabi-gcc or make is not installed (tools/setup.sh installs them)"; \
    } while (0)

#define RNNPOOL_REQUIRE_QEMU()                                                                      \
    do {                                                                                            \
        RNNPOOL_REQUIRE_CROSS_TOOLCHAIN();                                                          \
        if (!::rnnpool::findProgram("qemu-system-arm"))                                             \
            GTEST_SKIP() << "qemu-system-arm is not installed (tools/setup.sh installs it)";        \
    } while (0)
