// The sections and symbols of a 32-bit little-endian ARM ELF file, and how many
// bytes of each memory region they occupy (what arm-none-eabi-size -A lists,
// split by the board's regions, with .data counted in RAM and its initial image
// in flash).
//
//   Expected<ElfImage> elf = readElfImage("firmware.elf");
//   std::vector<RegionUsage> use = regionUsage(*elf, board.regions);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mcu/firmware_board.h"
#include "util/expected.h"

namespace rnnpool {

struct ElfSection {
    std::string name;
    uint32_t address = 0;      // where it lives at run time (VMA)
    uint32_t loadAddress = 0;  // where its bytes are stored (LMA; differs for .data)
    uint32_t size = 0;
    bool allocated = false;    // occupies memory on the chip
    bool hasBytes = false;     // PROGBITS (not .bss-like NOBITS)
};

struct ElfImage {
    std::vector<ElfSection> sections;
    std::map<std::string, uint32_t> symbols;  // global and local symbols by name
};

Expected<ElfImage> readElfImage(const std::filesystem::path& path);

struct RegionUsage {
    std::string region;
    uint64_t capacityBytes = 0;
    uint64_t usedBytes = 0;
    std::vector<std::pair<std::string, uint64_t>> parts;  // section -> bytes in this region
};

// Bytes per region, in the order of `regions`. A section with bytes loaded from
// another region (.data) counts in both: at run time and as its stored image.
std::vector<RegionUsage> regionUsage(const ElfImage& image, const std::vector<LinkerRegion>& regions);

} // namespace rnnpool
