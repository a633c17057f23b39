#include "mcu/firmware_project.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

#include "mcu/process_runner.h"

namespace rnnpool {

namespace {

namespace fs = std::filesystem;

Expected<std::string> readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cannot read '" + path.string() + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Status writeFile(const fs::path& path, const std::string& contents)
{
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return makeError("cannot write '" + path.string() + "'");
    out << contents;
    out.close();
    if (!out)
        return makeError("cannot write '" + path.string() + "' (disk full?)");
    return Status::ok();
}

// The files a project is made of besides the generated ones: relative path -> source path.
std::vector<std::pair<std::string, fs::path>> templateFiles(const FirmwareBoard& board, bool kernels)
{
    std::vector<std::pair<std::string, fs::path>> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(firmwareResourceDir() / "common", ec))
        if (e.is_regular_file())
            files.emplace_back(e.path().filename().string(), e.path());
    files.emplace_back("link.ld", board.directory / "link.ld");
    if (kernels) {
        for (const auto& e : fs::directory_iterator(integerKernelDir(), ec)) {
            const std::string ext = e.path().extension().string();
            if (e.is_regular_file() && (ext == ".c" || ext == ".h"))
                files.emplace_back("integer/" + e.path().filename().string(), e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

uint64_t fnv1a(uint64_t h, const std::string& text)
{
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= 0xff;  // separates consecutive strings
    h *= 1099511628211ull;
    return h;
}

// A hash of every source of the build, for "is this folder's build up to date".
uint64_t sourceHash(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path rel = fs::relative(it->path(), dir, ec);
        if (rel.begin() != rel.end() && *rel.begin() == "build") {
            it.disable_recursion_pending();
            continue;
        }
        const std::string ext = it->path().extension().string();
        const std::string name = it->path().filename().string();
        if (it->is_regular_file() && (ext == ".c" || ext == ".h" || ext == ".ld" || name == "Makefile"))
            files.push_back(rel);
    }
    std::sort(files.begin(), files.end());
    uint64_t h = 1469598103934665603ull;
    for (const fs::path& f : files) {
        h = fnv1a(h, f.string());
        if (auto text = readFile(dir / f))
            h = fnv1a(h, *text);
    }
    return h;
}

std::string hex(uint64_t v)
{
    std::ostringstream s;
    s << std::hex << v;
    return s.str();
}

std::string firstErrorLine(const std::string& output)
{
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line))
        if (line.find("error") != std::string::npos)
            return line;
    return output.substr(0, std::min<size_t>(output.size(), 300));
}

} // namespace

const RegionUsage* FirmwareBuild::region(const std::string& name) const
{
    for (const RegionUsage& r : regions)
        if (r.region == name)
            return &r;
    return nullptr;
}

uint64_t EmulatorRun::number(const std::string& key) const
{
    const auto it = results.find(key);
    return it == results.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

Status writeFirmwareProject(const FirmwareProjectSpec& spec, const FirmwareBoard& board, const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return makeError("cannot create the project folder '" + dir.string() + "': " + ec.message());
    if (spec.copyIntegerKernels && !fs::is_directory(integerKernelDir()))
        return makeError("the integer kernels are not at '" + integerKernelDir().string() +
                         "' (set RNNPOOL_KERNEL_DIR to core/integer of the source tree)");
    for (const auto& [rel, source] : templateFiles(board, spec.copyIntegerKernels)) {
        auto text = readFile(source);
        if (!text)
            return std::move(text).takeError();
        if (Status s = writeFile(dir / rel, *text); !s)
            return s;
    }
    for (const FirmwareFile& f : spec.files)
        if (Status s = writeFile(dir / f.relativePath, f.contents); !s)
            return s;
    return Status::ok();
}

fs::path firmwareCacheDir(const FirmwareProjectSpec& spec, const FirmwareBoard& board)
{
    uint64_t h = fnv1a(1469598103934665603ull, board.name);
    for (const auto& [rel, source] : templateFiles(board, spec.copyIntegerKernels)) {
        h = fnv1a(h, rel);
        if (auto text = readFile(source))
            h = fnv1a(h, *text);
    }
    for (const FirmwareFile& f : spec.files)
        h = fnv1a(fnv1a(h, f.relativePath), f.contents);
    fs::path root;
    if (const char* env = std::getenv("RNNPOOL_FIRMWARE_CACHE"); env && *env)
        root = env;
    else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        root = fs::path(xdg) / "rnnpool" / "firmware";
    else if (const char* home = std::getenv("HOME"); home && *home)
        root = fs::path(home) / ".cache" / "rnnpool" / "firmware";
    else
        root = fs::temp_directory_path() / "rnnpool-firmware";
    return root / (board.name + "-" + hex(h));
}

std::string describeRegionOverflow(const std::string& linkerOutput, const FirmwareBoard& board)
{
    static const std::regex overflow(R"(region `(\w+)' overflowed by (\d+) bytes)");
    std::map<std::string, uint64_t> over;
    for (auto it = std::sregex_iterator(linkerOutput.begin(), linkerOutput.end(), overflow);
         it != std::sregex_iterator(); ++it)
        over[(*it)[1].str()] = std::max<uint64_t>(over[(*it)[1].str()], std::stoull((*it)[2].str()));
    std::string text;
    for (const auto& [name, bytes] : over) {
        const LinkerRegion* r = board.region(name);
        const uint64_t capacity = r ? r->length : 0;
        text += (text.empty() ? "" : "; ") + name + " needs " + std::to_string(capacity + bytes) + " bytes, has " +
                std::to_string(capacity) + " (over by " + std::to_string(bytes) + ")";
    }
    return text;
}

Expected<FirmwareBuild> buildFirmware(const fs::path& dir, const FirmwareBoard& board, double timeoutSeconds,
                                      const std::atomic<bool>* cancel)
{
    for (const char* tool : {"make", "arm-none-eabi-gcc", "arm-none-eabi-size"})
        if (!findProgram(tool))
            return makeError(std::string("'") + tool +
                             "' is not installed (Debian: apt-get install make gcc-arm-none-eabi "
                             "libnewlib-arm-none-eabi; tools/setup.sh installs them)");
    FirmwareBuild build;
    build.elf = dir / "firmware.elf";
    const fs::path stamp = dir / "build" / "content-hash";
    const std::string hash = hex(sourceHash(dir));
    auto previous = readFile(stamp);
    if (previous && *previous == hash && fs::exists(build.elf)) {
        build.reused = true;
    } else {
        std::error_code ec;
        fs::remove(build.elf, ec);
        auto made = runProcess({"make", "-C", dir.string(), "CORE_CLOCK_HZ=" + std::to_string(
                                    static_cast<uint64_t>(board.systickClockHz))}, dir, timeoutSeconds, cancel);
        if (!made)
            return std::move(made).takeError();
        if (made->cancelled)
            return makeError(std::string(kCancelledMessage));
        build.seconds = made->seconds;
        if (made->timedOut)
            return makeError("building the firmware in '" + dir.string() + "' took longer than " +
                             std::to_string(static_cast<int>(timeoutSeconds)) + " s and was stopped");
        if (made->exitCode != 0) {
            const std::string overflow = describeRegionOverflow(made->output, board);
            if (!overflow.empty())
                return makeError("the firmware does not fit " + board.name + ": " + overflow);
            if (made->output.find("undefined reference to `_sbrk'") != std::string::npos ||
                made->output.find("undefined reference to `malloc'") != std::string::npos)
                return makeError("the firmware in '" + dir.string() + "' calls malloc; the firmware has no heap");
            return makeError("the firmware in '" + dir.string() + "' did not build (make exit " +
                             std::to_string(made->exitCode) + "): " + firstErrorLine(made->output));
        }
        if (Status s = writeFile(stamp, hash); !s)
            return makeError(s.error());
    }
    auto elf = readElfImage(build.elf);
    if (!elf)
        return std::move(elf).takeError();
    build.regions = regionUsage(*elf, board.regions);
    const auto top = elf->symbols.find("_stack_top");
    const auto bottom = elf->symbols.find("_stack_bottom");
    if (top != elf->symbols.end() && bottom != elf->symbols.end() && top->second >= bottom->second)
        build.stackReservedBytes = top->second - bottom->second;
    return build;
}

Expected<EmulatorRun> runFirmwareOnEmulator(const fs::path& dir, const FirmwareBoard& board, double timeoutSeconds,
                                            const std::atomic<bool>* cancel)
{
    if (!board.emulated())
        return makeError("board '" + board.name + "' has no emulator (QEMU has no machine for it): build and size only");
    if (!findProgram("qemu-system-arm"))
        return makeError("'qemu-system-arm' is not installed (Debian: apt-get install qemu-system-arm; "
                         "tools/setup.sh installs it)");
    std::error_code ec;
    fs::remove(dir / "results.txt", ec);
    auto ran = runProcess({"qemu-system-arm", "-M", board.qemuMachine, "-nographic", "-monitor", "none", "-serial",
                           "none", "-icount", "shift=0", "-semihosting-config", "enable=on,target=native", "-kernel",
                           "firmware.elf"},
                          dir, timeoutSeconds, cancel);
    if (!ran)
        return std::move(ran).takeError();
    if (ran->cancelled)
        return makeError(std::string(kCancelledMessage));
    EmulatorRun run;
    run.console = ran->output;
    run.seconds = ran->seconds;
    run.exitStatus = ran->exitCode;
    if (ran->timedOut)
        return makeError("QEMU (" + board.qemuMachine + ") did not finish within " +
                         std::to_string(static_cast<int>(timeoutSeconds)) + " s and was stopped (firmware in '" +
                         dir.string() + "')");
    if (auto text = readFile(dir / "results.txt")) {
        std::istringstream in(*text);
        std::string line;
        while (std::getline(in, line)) {
            const size_t space = line.find(' ');
            if (space != std::string::npos)
                run.results[line.substr(0, space)] = line.substr(space + 1);
        }
    }
    if (run.results.count("fault"))
        return makeError("the firmware stopped with a " + run.results["fault"] + " on " + board.qemuMachine +
                         " (firmware in '" + dir.string() + "')");
    if (run.exitStatus != 0)
        return makeError("the firmware exited with status " + std::to_string(run.exitStatus) + " on " +
                         board.qemuMachine + (run.results.count("error") ? ": " + run.results["error"] : std::string()) +
                         " (firmware in '" + dir.string() + "')");
    return run;
}

uint64_t ticksToInstructions(uint64_t ticks, const FirmwareBoard& board)
{
    const long double ns = static_cast<long double>(ticks) * 1e9L / static_cast<long double>(board.systickClockHz);
    return static_cast<uint64_t>(ns + 0.5L);
}

} // namespace rnnpool
