// Where the resources (architectures, models, mcu, paper, samples) are: the
// RNNPOOL_RESOURCE_DIR environment variable when set; else beside the running
// program as installed (<prefix>/bin/rnnpool -> <prefix>/share/rnnpool-studio),
// wherever that prefix is (a .deb unpacked with dpkg -x included); else the
// source tree's resources/ the build was configured with.
//
//   std::filesystem::path specs = resourceDir() / "architectures";
#pragma once

#include <filesystem>

namespace rnnpool {

std::filesystem::path resourceDir();

} // namespace rnnpool
