#include "support/shared_data.h"

#include <cstdlib>

namespace rnnpool::testing {

std::filesystem::path sharedDir()
{
    if (const char* env = std::getenv("RNNPOOL_SHARED_DIR"); env && *env)
        return env;
    return RNNPOOL_SHARED_DIR;
}

bool sharedAvailable()
{
    return std::filesystem::is_directory(sharedDir() / "reference");
}

std::filesystem::path goldenDir() { return sharedDir() / "reference" / "edgeml-golden"; }
std::filesystem::path authorsDir() { return sharedDir() / "reference" / "edgeml-authors"; }
std::filesystem::path opDir() { return sharedDir() / "reference" / "rnnpool-op"; }

} // namespace rnnpool::testing
