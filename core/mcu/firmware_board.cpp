#include "mcu/firmware_board.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

namespace rnnpool {

Expected<std::string> readFirmwareText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cannot read '" + path.string() + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {

// "0x20000000", "128K", "1M", "65536"
bool parseLdNumber(const std::string& text, uint64_t& out)
{
    if (text.empty())
        return false;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (end == text.c_str())
        return false;
    const std::string suffix(end);
    if (suffix.empty())
        out = v;
    else if (suffix == "K" || suffix == "k")
        out = v * 1024ull;
    else if (suffix == "M" || suffix == "m")
        out = v * 1024ull * 1024ull;
    else
        return false;
    return true;
}

std::string stripComments(const std::string& text)
{
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 2, "/*") == 0) {
            const size_t end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 2;
            out += ' ';
        } else {
            out += text[i++];
        }
    }
    return out;
}

} // namespace

const LinkerRegion* FirmwareBoard::region(const std::string& regionName) const
{
    for (const LinkerRegion& r : regions)
        if (r.name == regionName)
            return &r;
    return nullptr;
}

std::filesystem::path firmwareResourceDir()
{
    if (const char* env = std::getenv("RNNPOOL_RESOURCE_DIR"); env && *env)
        return std::filesystem::path(env) / "firmware";
    return std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "firmware";
}

std::filesystem::path integerKernelDir()
{
    if (const char* env = std::getenv("RNNPOOL_KERNEL_DIR"); env && *env)
        return env;
    // The resource folder sits beside core/ in the source tree.
    return std::filesystem::path(RNNPOOL_RESOURCE_DIR).parent_path() / "core" / "integer";
}

std::vector<std::string> firmwareBoardNames()
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(firmwareResourceDir() / "boards", ec))
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "board.json"))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

Expected<std::vector<LinkerRegion>> parseLinkerMemory(const std::string& script, const std::string& fileName)
{
    const std::string text = stripComments(script);
    const size_t memory = text.find("MEMORY");
    const size_t open = memory == std::string::npos ? memory : text.find('{', memory);
    const size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos)
        return makeError("linker script '" + fileName + "': no MEMORY { ... } block");
    const std::string block = text.substr(open + 1, close - open - 1);
    static const std::regex line(R"((\w+)\s*(\([^)]*\))?\s*:\s*ORIGIN\s*=\s*([0-9A-Fa-fxX]+[KkMm]?)\s*,\s*LENGTH\s*=\s*([0-9A-Fa-fxX]+[KkMm]?))");
    std::vector<LinkerRegion> regions;
    for (auto it = std::sregex_iterator(block.begin(), block.end(), line); it != std::sregex_iterator(); ++it) {
        LinkerRegion r;
        r.name = (*it)[1].str();
        if (!parseLdNumber((*it)[3].str(), r.origin) || !parseLdNumber((*it)[4].str(), r.length) || r.length == 0)
            return makeError("linker script '" + fileName + "': region '" + r.name + "' has an unreadable ORIGIN or LENGTH");
        regions.push_back(r);
    }
    if (regions.empty())
        return makeError("linker script '" + fileName + "': the MEMORY block names no region");
    return regions;
}

Expected<FirmwareBoard> loadFirmwareBoard(const std::string& name)
{
    const std::filesystem::path dir = firmwareResourceDir() / "boards" / name;
    if (name.empty() || name.find('/') != std::string::npos || !std::filesystem::exists(dir / "board.json")) {
        std::string known;
        for (const std::string& n : firmwareBoardNames())
            known += (known.empty() ? "" : ", ") + n;
        return makeError("unknown firmware board '" + name + "' (known: " + known + ")");
    }
    auto jsonText = readFirmwareText(dir / "board.json");
    if (!jsonText)
        return std::move(jsonText).takeError();
    FirmwareBoard board;
    try {
        const auto j = nlohmann::json::parse(*jsonText);
        board.name = j.at("name").get<std::string>();
        board.description = j.value("description", "");
        board.qemuMachine = j.value("qemu_machine", "");
        board.memoryNote = j.value("memory_note", "");
        board.coreClockHz = j.at("core_clock_hz").get<double>();
        board.systickClockHz = j.value("systick_clock_hz", board.coreClockHz);
    } catch (const std::exception& e) {
        return makeError("board file '" + (dir / "board.json").string() + "': " + e.what());
    }
    if (!(board.coreClockHz > 0.0) || !(board.systickClockHz > 0.0))
        return makeError("board file '" + (dir / "board.json").string() + "': core_clock_hz must be positive");
    auto script = readFirmwareText(dir / "link.ld");
    if (!script)
        return std::move(script).takeError();
    auto regions = parseLinkerMemory(*script, (dir / "link.ld").string());
    if (!regions)
        return std::move(regions).takeError();
    board.regions = std::move(*regions);
    for (const char* needed : {"FLASH", "SRAM", "CCM"})
        if (!board.region(needed))
            return makeError("linker script '" + (dir / "link.ld").string() + "': no region named " + needed);
    board.directory = dir;
    return board;
}

} // namespace rnnpool
