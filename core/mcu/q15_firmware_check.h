// EdgeML's integer RNNPool on the emulated Cortex-M4, checked bit for bit.
//
// Builds firmware from resources/firmware/apps/check_q15/main.c, the integer
// kernels of core/integer (copied, the same sources the desktop compiles) and
// the golden folder's weights and scales (generated const arrays), runs it in
// QEMU on the golden patches of all four cases (int16 and int8 input, division
// and shift scales: 4 x 64 patches), and compares every output value with the
// folder's. Instructions per patch are QEMU -icount instructions (an
// instruction count, not cycles), read through SysTick.
//
//   Expected<Q15FirmwareCheck> c = runQ15FirmwareCheck("/work/shared/reference/edgeml-q15", {});
//   for (const Q15FirmwareCase& k : c->cases) print(k.name, k.matching, k.total, k.instructionsPerPatch);
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mcu/firmware_project.h"
#include "util/expected.h"

namespace rnnpool {

struct Q15FirmwareCase {
    std::string name;        // "q15_div", "q15_shift", "q7_div", "q7_shift"
    std::string entryPoint;  // rp_edgeml_rnnpool_q15 or rp_edgeml_rnnpool_q7xq15
    int patches = 0;
    int64_t total = 0;       // output values compared
    int64_t matching = 0;    // of them, equal to EdgeML's
    int firstMismatch = -1;  // flat index of the first differing value, -1 when none
    uint64_t instructions = 0;         // all patches of the case, kernel calls and the loop
    double instructionsPerPatch = 0.0;
    bool exact() const { return total > 0 && matching == total; }
};

struct Q15FirmwareCheckOptions {
    std::string board = "netduinoplus2";
    std::optional<std::filesystem::path> projectDir;  // default: the content-keyed cache folder
    double buildTimeoutSeconds = 300.0;
    double runTimeoutSeconds = 120.0;
};

struct Q15FirmwareCheck {
    std::vector<Q15FirmwareCase> cases;
    FirmwareBuild build;
    uint64_t stackHighWaterBytes = 0;
    double emulatorSeconds = 0.0;   // wall time of the QEMU run on this machine
    std::filesystem::path projectDir;
    std::string board;
    // False for a board without an emulator: the firmware was built and sized, not run (no cases).
    bool ran() const { return !cases.empty(); }
    bool allExact() const;
};

Expected<Q15FirmwareCheck> runQ15FirmwareCheck(const std::filesystem::path& goldenDir,
                                               const Q15FirmwareCheckOptions& options);

} // namespace rnnpool
