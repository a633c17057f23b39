#include "util/resource_dir.h"

#include <cstdlib>
#include <system_error>

namespace rnnpool {

std::filesystem::path resourceDir()
{
    if (const char* env = std::getenv("RNNPOOL_RESOURCE_DIR"); env && *env)
        return env;
    static const std::filesystem::path installed = [] {
        std::error_code ec;
        const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec)
            return std::filesystem::path();
        const std::filesystem::path share = exe.parent_path().parent_path() / "share" / "rnnpool-studio";
        return std::filesystem::is_directory(share / "architectures", ec) ? share : std::filesystem::path();
    }();
    return installed.empty() ? std::filesystem::path(RNNPOOL_RESOURCE_DIR) : installed;
}

} // namespace rnnpool
