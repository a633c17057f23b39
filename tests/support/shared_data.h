// Locating ../shared, the folder of golden data beside the project.
// Tests that need it call RNNPOOL_REQUIRE_SHARED(), which skips the test with a
// clear message when the folder is absent (CI always has it).
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace rnnpool::testing {

// The shared folder: $RNNPOOL_SHARED_DIR if set, else the path CMake recorded.
std::filesystem::path sharedDir();
bool sharedAvailable();
std::filesystem::path goldenDir();  // shared/reference/edgeml-golden
std::filesystem::path authorsDir(); // shared/reference/edgeml-authors
std::filesystem::path opDir();      // shared/reference/rnnpool-op

} // namespace rnnpool::testing

#define RNNPOOL_REQUIRE_SHARED()                                                          \
    do {                                                                                  \
        if (!::rnnpool::testing::sharedAvailable())                                       \
            GTEST_SKIP() << "the shared reference folder is absent ("                     \
                         << ::rnnpool::testing::sharedDir().string()                      \
                         << "); set RNNPOOL_SHARED_DIR to run this golden test";          \
    } while (0)
