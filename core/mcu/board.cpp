#include "mcu/board.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace rnnpool {

const std::vector<Board>& builtinBoards()
{
    // From the vendors' datasheets. The STM32F439ZI runs at up to 180 MHz; the
    // preset uses 168 MHz, the clock of the paper's measurement.
    // Regions: the F439's SRAM1-3 (112 + 16 + 64 KB, contiguous, on the bus
    // matrix) and its 64 KB CCM on the D-bus only, which no DMA reaches (RM0090
    // section 2.3); the nRF52840's EasyDMA reaches all its RAM; the L4R5's
    // SRAM1-3 (192 + 64 + 384 KB) are all DMA-reachable.
    static const std::vector<Board> boards{
        {"stm32f439zi", "ST STM32F439ZI (Cortex-M4F): 256 KB SRAM (192 KB + 64 KB CCM), 2 MB flash, at 168 MHz",
         256 * 1024, 2 * 1024 * 1024, 168.0, {{"SRAM", 192 * 1024, true}, {"CCM", 64 * 1024, false}}},
        {"nrf52840", "Nordic nRF52840 (Cortex-M4F): 256 KB RAM, 1 MB flash, 64 MHz", 256 * 1024, 1024 * 1024, 64.0,
         {{"RAM", 256 * 1024, true}}},
        {"stm32l4r5zi", "ST STM32L4R5ZI (Cortex-M4F, NUCLEO-L4R5ZI): 640 KB SRAM, 2 MB flash, 120 MHz", 640 * 1024,
         2 * 1024 * 1024, 120.0, {{"SRAM", 640 * 1024, true}}},
    };
    return boards;
}

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "256K" -> 262144, "1M" -> 1048576, "80M" (as a clock: 80e6) handled by the caller.
bool parseQuantity(const std::string& text, double binaryUnit, double& out)
{
    if (text.empty())
        return false;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !(v > 0.0) || !std::isfinite(v))
        return false;
    const std::string suffix = lower(end);
    if (suffix.empty())
        out = v;
    else if (suffix == "k" || suffix == "kb" || suffix == "kib")
        out = v * binaryUnit;
    else if (suffix == "m" || suffix == "mb" || suffix == "mib" || suffix == "mhz")
        out = v * binaryUnit * binaryUnit;
    else
        return false;
    return true;
}

} // namespace

Expected<Board> findBoard(const std::string& name)
{
    const std::string wanted = lower(name);
    for (const Board& b : builtinBoards())
        if (b.name == wanted)
            return b;
    if (wanted.rfind("custom:", 0) == 0) {
        Board b{"custom", "custom board", 0, 0, 0.0, {}};
        int64_t ccm = 0;
        std::stringstream fields(name.substr(7));
        std::string field;
        while (std::getline(fields, field, ',')) {
            const auto eq = field.find('=');
            const std::string key = lower(field.substr(0, eq)), value = eq == std::string::npos ? "" : field.substr(eq + 1);
            double v = 0.0;
            if (key == "sram" && parseQuantity(value, 1024.0, v))
                b.sramBytes = static_cast<int64_t>(v);
            else if (key == "flash" && parseQuantity(value, 1024.0, v))
                b.flashBytes = static_cast<int64_t>(v);
            else if (key == "ccm" && parseQuantity(value, 1024.0, v))
                ccm = static_cast<int64_t>(v);
            else if (key == "clock" && parseQuantity(value, 1000.0, v))
                b.clockMHz = v / 1e6;
            else
                return makeError("board '" + name + "': cannot read '" + field + "' (use sram=256K,flash=1M,clock=80M[,ccm=64K])");
        }
        if (b.sramBytes <= 0 || b.flashBytes <= 0 || b.clockMHz <= 0.0)
            return makeError("board '" + name + "': a custom board needs sram, flash and clock");
        b.regions.push_back({"SRAM", b.sramBytes, true});
        if (ccm > 0) {
            b.regions.push_back({"CCM", ccm, false});
            b.sramBytes += ccm;
        }
        b.description = "custom board: " + std::to_string(b.sramBytes) + " B SRAM" +
                        (ccm > 0 ? " (" + std::to_string(ccm) + " B of it CCM, not DMA-reachable)" : std::string()) + ", " +
                        std::to_string(b.flashBytes) +
                        " B flash, " + std::to_string(static_cast<int64_t>(b.clockMHz)) + " MHz";
        return b;
    }
    std::string known;
    for (const Board& b : builtinBoards())
        known += (known.empty() ? "" : ", ") + b.name;
    return makeError("unknown board '" + name + "'; known: " + known + ", or custom:sram=S,flash=F,clock=C");
}

} // namespace rnnpool
