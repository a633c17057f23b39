// Microcontroller boards: SRAM, flash and clock, for fit reports.
//
//   Expected<Board> b = findBoard("stm32f439zi");
//   Expected<Board> c = findBoard("custom:sram=256K,flash=1M,clock=80M");
#pragma once

#include <string>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

struct Board {
    std::string name;        // lower case, as the command line takes it
    std::string description;
    int64_t sramBytes = 0;
    int64_t flashBytes = 0;
    double clockMHz = 0.0;
};

const std::vector<Board>& builtinBoards();
// A preset by name (case-insensitive), or "custom:sram=S,flash=F,clock=C" with
// sizes in bytes or with a K/M suffix (binary) and the clock in Hz or with M.
Expected<Board> findBoard(const std::string& name);

} // namespace rnnpool
