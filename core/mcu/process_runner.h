// Running an external program (the cross compiler, make, QEMU) with a time
// limit, capturing what it prints. POSIX only (posix_spawn); no shell involved.
//
//   Expected<ProcessResult> r = runProcess({"make", "-C", dir}, dir, 120.0);
//   if (r && r->exitCode == 0) ...
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

struct ProcessResult {
    int exitCode = -1;       // the program's exit status; -1 when it was killed
    bool timedOut = false;   // killed because it ran past the limit
    bool cancelled = false;  // killed because `cancel` became true
    double seconds = 0.0;    // wall time
    std::string output;      // stdout and stderr together, in order (truncated past 1 MiB)
};

// Runs argv[0] (searched on PATH) in `workingDir`. Fails only when the program
// cannot be started; a non-zero exit is a result, not an error.
// With `cancel`, the program (and its process group) is killed within about
// 50 ms of the flag becoming true.
Expected<ProcessResult> runProcess(const std::vector<std::string>& argv, const std::filesystem::path& workingDir,
                                   double timeoutSeconds, const std::atomic<bool>* cancel = nullptr);

// The full path of a program on PATH, or nothing.
std::optional<std::filesystem::path> findProgram(const std::string& name);

} // namespace rnnpool
