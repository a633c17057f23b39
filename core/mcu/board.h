// Microcontroller boards: SRAM (as regions), flash and clock, for fit reports.
//
//   Expected<Board> b = findBoard("stm32f439zi");
//   Expected<Board> c = findBoard("custom:sram=192K,ccm=64K,flash=1M,clock=80M");
#pragma once

#include <string>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

// One block of on-chip RAM. A region DMA cannot reach (the STM32F4's
// core-coupled memory) cannot hold a camera's frame buffer.
struct MemoryRegion {
    std::string name;
    int64_t bytes = 0;
    bool dmaReachable = true;
};

struct Board {
    std::string name;        // lower case, as the command line takes it
    std::string description;
    int64_t sramBytes = 0;   // all regions together
    int64_t flashBytes = 0;
    double clockMHz = 0.0;
    std::vector<MemoryRegion> regions; // sum == sramBytes
};

const std::vector<Board>& builtinBoards();
// A preset by name (case-insensitive), or "custom:sram=S,flash=F,clock=C[,ccm=K]"
// with sizes in bytes or with a K/M suffix (binary) and the clock in Hz or
// with M. `ccm` adds a region DMA cannot reach beside the `sram` one.
Expected<Board> findBoard(const std::string& name);

} // namespace rnnpool
