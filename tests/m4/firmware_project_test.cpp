// The firmware infrastructure on the emulated Cortex-M4 (QEMU netduinoplus2):
// link-script regions, a probe firmware that exercises semihosted file I/O,
// the instruction count (an exactly known loop), stack painting and the
// per-region sizes, and the three failures a user meets: a link that does not
// fit, a firmware that never stops, a missing toolchain.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "m4/firmware_test_support.h"
#include "mcu/firmware_project.h"

namespace rnnpool {
namespace {

namespace fs = std::filesystem;

std::string readAll(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(FirmwareBoard, RegionsComeFromTheLinkScripts)
{
    auto nd = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(nd) << nd.error();
    EXPECT_EQ(nd->qemuMachine, "netduinoplus2");
    ASSERT_NE(nd->region("FLASH"), nullptr);
    EXPECT_EQ(nd->region("FLASH")->origin, 0x08000000u);
    EXPECT_EQ(nd->region("FLASH")->length, 1024u * 1024u);
    EXPECT_EQ(nd->region("SRAM")->origin, 0x20000000u);
    EXPECT_EQ(nd->region("SRAM")->length, 128u * 1024u);
    // QEMU 7.2 maps no CCM: the emulator build puts it in the top 64 KiB of its SRAM.
    EXPECT_EQ(nd->region("CCM")->origin, 0x20020000u);
    EXPECT_EQ(nd->region("CCM")->length, 64u * 1024u);

    auto f439 = loadFirmwareBoard("stm32f439zi");
    ASSERT_TRUE(f439) << f439.error();
    EXPECT_FALSE(f439->emulated());
    EXPECT_EQ(f439->region("FLASH")->length, 2048u * 1024u);
    EXPECT_EQ(f439->region("SRAM")->length, 192u * 1024u);
    EXPECT_EQ(f439->region("CCM")->origin, 0x10000000u);
    EXPECT_DOUBLE_EQ(f439->coreClockHz, 180e6);

    auto f405 = loadFirmwareBoard("stm32f405");
    ASSERT_TRUE(f405) << f405.error();
    EXPECT_EQ(f405->region("CCM")->origin, 0x10000000u);
}

TEST(FirmwareBoard, UnknownBoardAndBadScriptAreNamed)
{
    auto none = loadFirmwareBoard("esp32");
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().find("unknown firmware board 'esp32'"), std::string::npos) << none.error();
    EXPECT_NE(none.error().find("netduinoplus2"), std::string::npos);

    auto bad = parseLinkerMemory("MEMORY { FLASH (rx) : ORIGIN = 0x0, LENGTH = lots }", "x.ld");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("x.ld"), std::string::npos);
    auto empty = parseLinkerMemory("SECTIONS { }", "y.ld");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().find("no MEMORY"), std::string::npos);
}

TEST(FirmwareBoard, RegionUsageCountsDataInRamAndItsImageInFlash)
{
    ElfImage image;
    image.sections = {{".text", 0x08000000, 0x08000000, 1000, true, true},
                      {".rodata", 0x08001000, 0x08001000, 300, true, true},
                      {".data", 0x20000000, 0x08001200, 40, true, true},
                      {".bss", 0x20000040, 0x20000040, 5000, true, false},
                      {".ccm", 0x20020000, 0x20020000, 16, true, false},
                      {".comment", 0, 0, 99, false, true}};
    const std::vector<LinkerRegion> regions{{"FLASH", 0x08000000, 1 << 20}, {"SRAM", 0x20000000, 128 << 10},
                                            {"CCM", 0x20020000, 64 << 10}};
    const auto use = regionUsage(image, regions);
    ASSERT_EQ(use.size(), 3u);
    EXPECT_EQ(use[0].usedBytes, 1000u + 300u + 40u);
    EXPECT_EQ(use[1].usedBytes, 40u + 5000u);
    EXPECT_EQ(use[2].usedBytes, 16u);
}

TEST(FirmwareBoard, RegionOverflowIsReportedWithNumbers)
{
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const std::string ld = "ld: firmware.elf section `.bss' will not fit in region `SRAM'\n"
                           "ld: region `SRAM' overflowed by 72000 bytes\ncollect2: error: ld returned 1 exit status\n";
    EXPECT_EQ(describeRegionOverflow(ld, *board), "SRAM needs 203072 bytes, has 131072 (over by 72000)");
    EXPECT_EQ(describeRegionOverflow("undefined reference to `foo'", *board), "");
}

// A probe: reads in.bin, writes it back XORed, runs a loop of exactly
// 2 * kLoops instructions between two SysTick reads, uses 4000 bytes of stack.
const char* kProbeMain = R"(#include "rp_fw.h"
static unsigned char g_buffer[10000];
#ifdef HUGE_BSS
static volatile unsigned char g_huge[HUGE_BSS];
#endif
const unsigned char g_table[5000] = {1};
__attribute__((noinline)) static uint32_t useStack(uint32_t seed)
{
    volatile unsigned char block[4000];
    for (uint32_t i = 0; i < sizeof block; ++i)
        block[i] = (unsigned char)(seed + i);
    return block[17] + block[3999];
}
int main(void)
{
    const int32_t n = rp_read_file("in.bin", g_buffer, sizeof g_buffer);
    if (n < 0)
        return 4;
    for (int32_t i = 0; i < n; ++i)
        g_buffer[i] ^= (unsigned char)(0x5A + g_table[i % 7]);
    if (rp_write_file("out.bin", g_buffer, (uint32_t)n) != 0)
        return 5;
    rp_ticks_start();
    const uint64_t t0 = rp_ticks();
    uint32_t count = LOOPS;
    __asm volatile("1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+r"(count) : : "cc");
    const uint64_t t1 = rp_ticks();
    rp_result_u64("loop_ticks", t1 - t0);
    rp_result_u64("stack_probe", useStack((uint32_t)n));
    rp_result_u64("stack_high_water", rp_stack_high_water());
    rp_result_u64("stack_size", rp_stack_size());
#ifdef HUGE_BSS
    g_huge[n] = 1;
    rp_result_u64("huge", g_huge[n]);
#endif
    return 0;
}
)";

FirmwareProjectSpec probeSpec(const std::string& extraDefinitions)
{
    FirmwareProjectSpec spec;
    spec.boardName = "netduinoplus2";
    spec.copyIntegerKernels = false;
    spec.files.push_back({"main.c", extraDefinitions + kProbeMain});
    return spec;
}

TEST(FirmwareOnQemu, ProbeReadsWritesCountsAndSizes)
{
    RNNPOOL_REQUIRE_QEMU();
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const fs::path dir = testing::makeTempDir("rnnpool-probe");
    constexpr uint64_t kLoops = 1000000;
    ASSERT_TRUE(writeFirmwareProject(probeSpec("#define LOOPS 1000000u\n"), *board, dir));
    auto built = buildFirmware(dir, *board, 120.0);
    ASSERT_TRUE(built) << built.error();
    EXPECT_FALSE(built->reused);
    // The static buffer is in SRAM, the table in flash, the stack is the rest of CCM.
    ASSERT_NE(built->region("SRAM"), nullptr);
    EXPECT_GE(built->region("SRAM")->usedBytes, 10000u);
    EXPECT_LT(built->region("SRAM")->usedBytes, 10000u + 256u);
    EXPECT_GE(built->region("FLASH")->usedBytes, 5000u);
    EXPECT_LT(built->region("FLASH")->usedBytes, 5000u + 4096u);
    EXPECT_EQ(built->stackReservedBytes, 64u * 1024u);

    const std::string input = "semihosting round trip 0123456789";
    std::ofstream(dir / "in.bin", std::ios::binary) << input;
    auto run = runFirmwareOnEmulator(dir, *board, 60.0);
    ASSERT_TRUE(run) << run.error();
    const std::string output = readAll(dir / "out.bin");
    ASSERT_EQ(output.size(), input.size());
    const unsigned char table[7] = {1, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < input.size(); ++i)
        EXPECT_EQ(static_cast<unsigned char>(output[i]),
                  static_cast<unsigned char>(input[i] ^ (0x5A + table[i % 7])))
            << "byte " << i;

    // subs + bne per iteration, plus the few instructions of the second SysTick
    // read; the SysTick tick is 1/0.168 instructions, so resolution is 6.
    const uint64_t instructions = ticksToInstructions(run->number("loop_ticks"), *board);
    EXPECT_GE(instructions, 2 * kLoops - 6);
    EXPECT_LE(instructions, 2 * kLoops + 40);

    const uint64_t highWater = run->number("stack_high_water");
    EXPECT_GE(highWater, 4000u);
    EXPECT_LT(highWater, 4000u + 512u);
    EXPECT_EQ(run->number("stack_size"), 64u * 1024u);

    // An unchanged folder is not rebuilt.
    auto again = buildFirmware(dir, *board, 120.0);
    ASSERT_TRUE(again) << again.error();
    EXPECT_TRUE(again->reused);
    fs::remove_all(dir);
}

TEST(FirmwareOnQemu, ALinkThatDoesNotFitIsRefusedWithNumbers)
{
    RNNPOOL_REQUIRE_CROSS_TOOLCHAIN();
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const fs::path dir = testing::makeTempDir("rnnpool-overflow");
    ASSERT_TRUE(writeFirmwareProject(probeSpec("#define LOOPS 10u\n#define HUGE_BSS 200000u\n"), *board, dir));
    auto built = buildFirmware(dir, *board, 120.0);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("does not fit netduinoplus2"), std::string::npos) << built.error();
    EXPECT_NE(built.error().find("SRAM needs"), std::string::npos) << built.error();
    EXPECT_NE(built.error().find("has 131072"), std::string::npos) << built.error();
    EXPECT_EQ(built.error().find("collect2"), std::string::npos) << "raw linker text leaked: " << built.error();
    fs::remove_all(dir);
}

// A firmware whose main loops forever, built in `dir`.
void buildFirmwareThatNeverStops(const FirmwareBoard& board, const fs::path& dir)
{
    FirmwareProjectSpec spec;
    spec.boardName = board.name;
    spec.copyIntegerKernels = false;
    spec.files.push_back({"main.c", "#include \"rp_fw.h\"\nint main(void)\n{\n    for (;;) {\n        __asm volatile(\"nop\");\n    }\n}\n"});
    ASSERT_TRUE(writeFirmwareProject(spec, board, dir));
    auto built = buildFirmware(dir, board, 120.0);
    ASSERT_TRUE(built) << built.error();
}

TEST(FirmwareOnQemu, AFirmwareThatNeverStopsTimesOut)
{
    RNNPOOL_REQUIRE_QEMU();
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const fs::path dir = testing::makeTempDir("rnnpool-hang");
    ASSERT_NO_FATAL_FAILURE(buildFirmwareThatNeverStops(*board, dir));
    auto run = runFirmwareOnEmulator(dir, *board, 2.0);
    ASSERT_FALSE(run);
    EXPECT_NE(run.error().find("did not finish within 2 s"), std::string::npos) << run.error();
    fs::remove_all(dir);
}

TEST(FirmwareOnQemu, AFirmwareThatNeverStopsIsStoppedByItsCancelFlag)
{
    // The studio's Cancel: a flag another thread sets ends QEMU long before its time limit.
    RNNPOOL_REQUIRE_QEMU();
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const fs::path dir = testing::makeTempDir("rnnpool-cancel");
    ASSERT_NO_FATAL_FAILURE(buildFirmwareThatNeverStops(*board, dir));
    std::atomic<bool> cancel{false};
    std::thread user([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        cancel.store(true);
    });
    const auto start = std::chrono::steady_clock::now();
    auto run = runFirmwareOnEmulator(dir, *board, 150.0, &cancel);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    user.join();
    ASSERT_FALSE(run);
    EXPECT_EQ(run.error(), kCancelledMessage);
    EXPECT_LT(seconds, 100.0) << "stopped by its time limit, not by the flag";
    // A flag already set stops a build before make has done anything useful.
    std::atomic<bool> already{true};
    auto again = runProcess({"sleep", "30"}, dir, 60.0, &already);
    ASSERT_TRUE(again) << again.error();
    EXPECT_TRUE(again->cancelled);
    EXPECT_FALSE(again->timedOut);
    EXPECT_EQ(again->exitCode, -1);
    fs::remove_all(dir);
}

TEST(FirmwareOnQemu, MissingToolchainAndNoEmulatorAreNamed)
{
    auto board = loadFirmwareBoard("stm32f439zi");
    ASSERT_TRUE(board) << board.error();
    auto run = runFirmwareOnEmulator(fs::temp_directory_path(), *board, 5.0);
    ASSERT_FALSE(run);
    EXPECT_NE(run.error().find("no emulator"), std::string::npos) << run.error();

    const char* oldPath = std::getenv("PATH");
    const std::string saved = oldPath ? oldPath : "";
    ::setenv("PATH", "/nonexistent-rnnpool", 1);
    auto built = buildFirmware(fs::temp_directory_path(), *board, 5.0);
    ::setenv("PATH", saved.c_str(), 1);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("is not installed"), std::string::npos) << built.error();
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// The CMake route a user takes with a generated project (toolchain file,
// -Wall -Wextra -Werror), on the int8-kernel check's project: it must build
// with the integer kernels and generated data, warning-free.
TEST(FirmwareOnQemu, AGeneratedProjectBuildsWithTheCMakeToolchainFile)
{
    RNNPOOL_REQUIRE_CROSS_TOOLCHAIN();
    if (!findProgram("cmake"))
        GTEST_SKIP() << "cmake is not installed";
    auto board = loadFirmwareBoard("netduinoplus2");
    ASSERT_TRUE(board) << board.error();
    const fs::path dir = testing::makeTempDir("rnnpool-cmake-project");
    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.copyIntegerKernels = true;
    spec.files.push_back({"main.c", std::string("#define LOOPS 100u\n") + kProbeMain});
    ASSERT_TRUE(writeFirmwareProject(spec, *board, dir));
    ASSERT_TRUE(fs::exists(dir / "integer" / "conv_s8.c"));
    ASSERT_TRUE(fs::exists(dir / "integer" / "rnnpool_q15.c"));
    auto configured = runProcess({"cmake", "-S", ".", "-B", "cmake-build", "-DCMAKE_TOOLCHAIN_FILE=arm-none-eabi.cmake"},
                                 dir, 120.0);
    ASSERT_TRUE(configured) << configured.error();
    ASSERT_EQ(configured->exitCode, 0) << configured->output;
    auto built = runProcess({"cmake", "--build", "cmake-build"}, dir, 300.0);
    ASSERT_TRUE(built) << built.error();
    ASSERT_EQ(built->exitCode, 0) << built->output;
    EXPECT_EQ(built->output.find("warning"), std::string::npos) << built->output;
    EXPECT_TRUE(fs::exists(dir / "cmake-build" / "firmware.elf"));
    fs::remove_all(dir);
}

} // namespace
} // namespace rnnpool
