#include "mcu/elf_image.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace rnnpool {

namespace {

constexpr uint32_t kShfAlloc = 0x2;
constexpr uint32_t kShtProgbits = 1;
constexpr uint32_t kShtSymtab = 2;
constexpr uint32_t kShtNobits = 8;
constexpr uint32_t kPtLoad = 1;

uint32_t u32(const std::string& b, size_t at) { uint32_t v; std::memcpy(&v, b.data() + at, 4); return v; }
uint16_t u16(const std::string& b, size_t at) { uint16_t v; std::memcpy(&v, b.data() + at, 2); return v; }

std::string cString(const std::string& b, size_t at)
{
    if (at >= b.size())
        return {};
    const size_t end = b.find('\0', at);
    return b.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

} // namespace

Expected<ElfImage> readElfImage(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cannot read the firmware image '" + path.string() + "'");
    std::ostringstream s;
    s << in.rdbuf();
    const std::string b = s.str();
    const auto bad = [&](const std::string& why) { return makeError("firmware image '" + path.string() + "': " + why); };
    if (b.size() < 52 || b.compare(0, 4, "\x7f" "ELF") != 0)
        return bad("not an ELF file");
    if (b[4] != 1 || b[5] != 1)
        return bad("not a 32-bit little-endian ELF file");
    const uint32_t phoff = u32(b, 28), shoff = u32(b, 32);
    const uint16_t phentsize = u16(b, 42), phnum = u16(b, 44), shentsize = u16(b, 46), shnum = u16(b, 48),
                   shstrndx = u16(b, 50);
    if (shentsize < 40 || shoff + uint64_t(shnum) * shentsize > b.size() || shstrndx >= shnum)
        return bad("section headers out of range");
    if (phnum > 0 && (phentsize < 32 || phoff + uint64_t(phnum) * phentsize > b.size()))
        return bad("program headers out of range");

    struct Raw { uint32_t name, type, flags, addr, offset, size, link, entsize; };
    std::vector<Raw> raw(shnum);
    for (uint16_t i = 0; i < shnum; ++i) {
        const size_t h = shoff + size_t(i) * shentsize;
        raw[i] = {u32(b, h), u32(b, h + 4), u32(b, h + 8), u32(b, h + 12), u32(b, h + 16), u32(b, h + 20),
                  u32(b, h + 24), u32(b, h + 36)};
    }
    const Raw& names = raw[shstrndx];
    if (uint64_t(names.offset) + names.size > b.size())
        return bad("section names out of range");

    struct Segment { uint32_t vaddr, paddr, memsz; };
    std::vector<Segment> segments;
    for (uint16_t i = 0; i < phnum; ++i) {
        const size_t h = phoff + size_t(i) * phentsize;
        if (u32(b, h) == kPtLoad)
            segments.push_back({u32(b, h + 8), u32(b, h + 12), u32(b, h + 20)});
    }

    ElfImage image;
    for (uint16_t i = 0; i < shnum; ++i) {
        const Raw& r = raw[i];
        ElfSection sec;
        sec.name = cString(b, names.offset + r.name);
        sec.address = r.addr;
        sec.loadAddress = r.addr;
        sec.size = r.size;
        sec.allocated = (r.flags & kShfAlloc) != 0;
        sec.hasBytes = r.type == kShtProgbits;
        for (const Segment& seg : segments)
            if (sec.allocated && r.addr >= seg.vaddr && r.addr < seg.vaddr + seg.memsz) {
                sec.loadAddress = seg.paddr + (r.addr - seg.vaddr);
                break;
            }
        if (r.type != kShtNobits || sec.allocated)
            image.sections.push_back(sec);

        if (r.type == kShtSymtab && r.entsize >= 16 && r.link < shnum) {
            const Raw& strings = raw[r.link];
            if (uint64_t(r.offset) + r.size > b.size() || uint64_t(strings.offset) + strings.size > b.size())
                return bad("symbol table out of range");
            for (uint32_t at = r.offset; at + 16 <= r.offset + r.size; at += r.entsize) {
                const std::string name = cString(b, strings.offset + u32(b, at));
                if (!name.empty())
                    image.symbols[name] = u32(b, at + 4);
            }
        }
    }
    return image;
}

std::vector<RegionUsage> regionUsage(const ElfImage& image, const std::vector<LinkerRegion>& regions)
{
    std::vector<RegionUsage> usage;
    for (const LinkerRegion& r : regions)
        usage.push_back({r.name, r.length, 0, {}});
    const auto regionOf = [&](uint32_t address) -> int {
        for (size_t i = 0; i < regions.size(); ++i)
            if (address >= regions[i].origin && address < regions[i].origin + regions[i].length)
                return static_cast<int>(i);
        return -1;
    };
    for (const ElfSection& s : image.sections) {
        if (!s.allocated || s.size == 0)
            continue;
        const int at = regionOf(s.address);
        if (at >= 0) {
            usage[at].usedBytes += s.size;
            usage[at].parts.emplace_back(s.name, s.size);
        }
        const int stored = regionOf(s.loadAddress);
        if (s.hasBytes && stored >= 0 && stored != at) {
            usage[stored].usedBytes += s.size;
            usage[stored].parts.emplace_back(s.name + " (initial values)", s.size);
        }
    }
    return usage;
}

} // namespace rnnpool
