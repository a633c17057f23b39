// The `rnnpool` command as users run it: exit statuses, messages, and the
// golden reproduction from every checkpoint variant through --tensor and
// through --image with --size.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/preprocess.h"
#include "io/npy.h"
#include "support/detection_match.h"
#include "support/shared_data.h"

#include "cli/cli_runner.h"

namespace rnnpool {
namespace {

using rnnpool::clitest::Outcome;
using rnnpool::clitest::q;
using rnnpool::clitest::runCli;
using rnnpool::clitest::tempDir;


float maxAbsDiff(const std::filesystem::path& a, const std::filesystem::path& b)
{
    auto ta = readNpy(a), tb = readNpy(b);
    EXPECT_TRUE(ta) << a;
    EXPECT_TRUE(tb) << b;
    if (!ta || !tb || ta->numel() != tb->numel())
        return 1e9f;
    float m = 0.0f;
    for (int64_t i = 0; i < ta->numel(); ++i)
        m = std::max(m, std::abs(ta->data()[i] - tb->data()[i]));
    return m;
}

TEST(Cli, UsageErrorsExitWithTwo)
{
    EXPECT_EQ(runCli("").status, 2);
    EXPECT_EQ(runCli("frobnicate").status, 2);
    const Outcome noInput = runCli("run --arch RPool_Face_M4");
    EXPECT_EQ(noInput.status, 2);
    EXPECT_NE(noInput.output.find("--image"), std::string::npos) << noInput.output;
    const Outcome badSize = runCli("run --arch RPool_Face_M4 --image x.png --size 320by240");
    EXPECT_EQ(badSize.status, 2);
    EXPECT_NE(badSize.output.find("320by240"), std::string::npos) << badSize.output;
    EXPECT_EQ(runCli("run --arch RPool_Face_M4 --image x.png --bogus").status, 2);
    EXPECT_EQ(runCli("bench --arch RPool_Face_M4 --threads 0").status, 2);
    EXPECT_EQ(runCli("help").status, 0);
}

TEST(Cli, BadInputExitsWithOneAndNamesTheFile)
{
    const auto dir = tempDir("bad");
    const auto notModel = dir / "notes.pth";
    std::ofstream(notModel) << "this is not a checkpoint\n";
    const Outcome o = runCli("run --model " + q(notModel) + " --image x.png");
    EXPECT_EQ(o.status, 1);
    EXPECT_NE(o.output.find("notes.pth"), std::string::npos) << o.output;

    const Outcome missingPicture = runCli("run --arch RPool_Face_M4 --image " + q(dir / "nope.jpg"));
    EXPECT_EQ(missingPicture.status, 1);
    EXPECT_NE(missingPicture.output.find("nope.jpg"), std::string::npos) << missingPicture.output;

    const Outcome unknownArch = runCli("info --arch NoSuchNet");
    EXPECT_EQ(unknownArch.status, 1);
    EXPECT_NE(unknownArch.output.find("NoSuchNet"), std::string::npos) << unknownArch.output;

    const Outcome tiny = runCli("info --arch RPool_Face_M4 --input 8x8");
    EXPECT_EQ(tiny.status, 1) << tiny.output;
    std::filesystem::remove_all(dir);
}

TEST(Cli, InfoJsonListsLayersAndTotals)
{
    const Outcome o = runCli("info --arch rnnpool-face-m4 --input 320x240x1 --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << o.output;
    EXPECT_EQ(j["arch"], "rnnpool-face-m4");
    int64_t params = 0;
    for (const auto& l : j["layers"])
        params += l["params"].get<int64_t>();
    EXPECT_EQ(params, j["params"].get<int64_t>());
    EXPECT_GT(j["layers"].size(), 10u);
}

// Like run and bench, info describes the default model when none is named.
TEST(Cli, InfoWithoutAModelDescribesTheDefaultModel)
{
    const Outcome o = runCli("info --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << o.output;
    EXPECT_EQ(j["arch"], "rnnpool-face-m4");
    EXPECT_EQ(j["params"].get<int64_t>(), 56330);
    EXPECT_NE(j["model"].get<std::string>().find("rnnpool_face_m4.safetensors"), std::string::npos) << o.output;
}

// `bench --pytorch` times the PyTorch reference of tools/reference/ in the
// same run, round by round beside the engine; the zoo's canonical names must
// reach it (bench.py resolves them through the spec's aliases). Times are not
// checked, only that both engines ran once per round and that the reported
// figures are the medians of the reported rounds.
double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(CliBench, PyTorchReferenceRunsUnderTheZooName)
{
    const Outcome o = runCli("bench --arch rnnpool-face-m4 --runs 3 --pytorch --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << o.output;
    ASSERT_TRUE(j.contains("pytorch_ms_per_frame")) << o.output;
    ASSERT_EQ(j["rounds"].size(), 3u) << o.output;
    std::vector<double> torchMs, engineMs, ratios, cpuRatios;
    for (const auto& r : j["rounds"]) {
        EXPECT_GT(r["engine_ms"].get<double>(), 0.0);
        EXPECT_GT(r["pytorch_ms"].get<double>(), 0.0);
        torchMs.push_back(r["pytorch_ms"].get<double>());
        engineMs.push_back(r["engine_ms"].get<double>());
        ratios.push_back(torchMs.back() / engineMs.back());
        cpuRatios.push_back(r["pytorch_cpu_ms"].get<double>() / r["engine_cpu_ms"].get<double>());
    }
    EXPECT_DOUBLE_EQ(j["pytorch_ms_per_frame"].get<double>(), median(torchMs));
    EXPECT_DOUBLE_EQ(j["engine_ms_in_rounds"].get<double>(), median(engineMs));
    EXPECT_NEAR(j["speedup_vs_pytorch"].get<double>(), median(ratios), 1e-9 * median(ratios));
    EXPECT_NEAR(j["speedup_vs_pytorch_cpu"].get<double>(), median(cpuRatios), 1e-9 * median(cpuRatios));
    EXPECT_LT(j["rnnpool_madds_executed"].get<int64_t>(), j["rnnpool_madds_paper"].get<int64_t>());

    const Outcome info = runCli("info --arch rnnpool-face-m4 --input 320x240x1 --json");
    const auto i = nlohmann::json::parse(info.output, nullptr, false);
    ASSERT_FALSE(i.is_discarded()) << info.output;
    EXPECT_EQ(j["madds"], i["madds"]);
}

// A size that cannot fit in memory is a message, not an allocation failure.
TEST(CliBench, SizeTooLargeForMemoryIsRefused)
{
    const Outcome bench = runCli("bench --arch rnnpool-face-m4 --size 400000x400000 --runs 1");
    EXPECT_EQ(bench.status, 1) << bench.output;
    EXPECT_NE(bench.output.find("input size 400000x400000 is beyond the limit"), std::string::npos) << bench.output;
    const Outcome profile = runCli("profile --arch rnnpool-face-m4 --input 400000x400000x1 --execute");
    EXPECT_EQ(profile.status, 1) << profile.output;
    EXPECT_NE(profile.output.find("is beyond the limit of 4096 pixels a side"), std::string::npos) << profile.output;
}

TEST(CliBench, ArchitectureWithoutAReferenceIsAnError)
{
    const Outcome o = runCli("bench --arch mobilenetv2 --size 64x64 --runs 1 --pytorch");
    EXPECT_EQ(o.status, 1) << o.output;
    EXPECT_NE(o.output.find("no PyTorch reference for 'mobilenetv2'"), std::string::npos) << o.output;
}

struct Variant {
    std::string checkpoint, tag, size;
};

TEST(Cli, RunReproducesGoldensFromEveryCheckpointVariant)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto golden = testing::goldenDir();
    const std::vector<Variant> variants{
        {"RPool_Face_M4_240x320.pth", "RPool_Face_M4_240x320", "320x240"},
        {"RPool_Face_M4_240x320.legacy.pth", "RPool_Face_M4_240x320", "320x240"},
        {"RPool_Face_M4_240x320.dataparallel.pth", "RPool_Face_M4_240x320", "320x240"},
        {"RPool_Face_QVGA_monochrome_240x320.pth", "RPool_Face_QVGA_monochrome_240x320", "320x240"},
        {"RPool_Face_Quant_480x640.pth", "RPool_Face_Quant_480x640", "640x480"},
        {"RPool_Face_C_480x640.pth", "RPool_Face_C_480x640", "640x480"},
    };
    const auto dir = tempDir("golden");
    for (const Variant& v : variants) {
        SCOPED_TRACE(v.checkpoint);
        const auto model = golden / v.checkpoint;
        const std::string sources[] = {"--tensor " + q(golden / (v.tag + ".input.npy")),
                                       "--image " + q(golden / (v.tag + ".input.png")) + " --size " + v.size};
        for (const std::string& source : sources) {
            SCOPED_TRACE(source);
            const auto out = dir / "dump";
            std::filesystem::remove_all(out);
            const Outcome o = runCli("run --model " + q(model) + " " + source + " --dump " + q(out));
            ASSERT_EQ(o.status, 0) << o.output;
            EXPECT_LT(maxAbsDiff(out / "loc.npy", golden / (v.tag + ".loc.npy")), 1e-4f);
            EXPECT_LT(maxAbsDiff(out / "conf.npy", golden / (v.tag + ".conf.npy")), 1e-4f);
            auto ours = readNpy(out / "detections.npy");
            auto theirs = readNpy(golden / (v.tag + ".detections.npy"));
            ASSERT_TRUE(ours && theirs);
            ASSERT_EQ(ours->shape(), theirs->shape());
            std::vector<Detection> rows;
            for (int64_t r = 0; r < ours->dim(0); ++r) {
                const float* p = ours->data() + r * 5;
                rows.push_back({p[0], p[1], p[2], p[3], p[4]});
            }
            const auto cmp = testing::compareDetections(rows, *theirs, 1e-4f);
            EXPECT_LE(cmp.unexplained, testing::allowedTieCascade(cmp)) << cmp.firstUnexplained;
            EXPECT_GE(cmp.matched, cmp.goldenRows * 9 / 10);
        }
    }
    std::filesystem::remove_all(dir);
}

TEST(Cli, ConvertWritesANativeModelThatRunsIdentically)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto golden = testing::goldenDir();
    const auto dir = tempDir("convert");
    const auto native = dir / "m4.safetensors";
    const Outcome c = runCli("convert " + q(golden / "RPool_Face_M4_240x320.legacy.pth") + " -o " + q(native));
    ASSERT_EQ(c.status, 0) << c.output;
    const Outcome r = runCli("run --model " + q(native) + " --tensor " + q(golden / "RPool_Face_M4_240x320.input.npy") +
                             " --dump " + q(dir / "dump"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_LT(maxAbsDiff(dir / "dump" / "loc.npy", golden / "RPool_Face_M4_240x320.loc.npy"), 1e-4f);
    EXPECT_LT(maxAbsDiff(dir / "dump" / "conf.npy", golden / "RPool_Face_M4_240x320.conf.npy"), 1e-4f);
    std::filesystem::remove_all(dir);
}

TEST(Cli, DumpLayersWritesEveryLayer)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto golden = testing::goldenDir();
    const auto dir = tempDir("layers");
    const Outcome o = runCli("run --model " + q(golden / "RPool_Face_M4_240x320.pth") + " --tensor " +
                             q(golden / "RPool_Face_M4_240x320.input.npy") + " --dump " + q(dir) + " --dump-layers");
    ASSERT_EQ(o.status, 0) << o.output;
    // The block outputs equal the golden stage dumps.
    EXPECT_LT(maxAbsDiff(dir / "layers" / "block3.add.npy", golden / "RPool_Face_M4_240x320.stage.block3.npy"), 1e-3f);
    EXPECT_LT(maxAbsDiff(dir / "layers" / "rnnpool.npy", golden / "RPool_Face_M4_240x320.stage.rnnpool.npy"), 1e-4f);
    std::filesystem::remove_all(dir);
}


TEST(CliProfile, JsonHasTheStableKeysAndExecutionMatchesThePlan)
{
    const Outcome o = runCli("profile --arch RPool_Face_M4 --input 320x240x1 --count-input --execute --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << o.output;
    for (const char* key : {"arch", "input", "params", "madds", "schedule", "dtype", "peak_bytes", "peak_layer", "arena_bytes",
                            "layers", "measured_peak_bytes"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["measured_peak_bytes"], j["peak_bytes"]);
    EXPECT_GE(j["arena_bytes"].get<int64_t>(), j["peak_bytes"].get<int64_t>());
    for (const char* key : {"name", "op", "output_shape", "params", "madds", "output_bytes", "live_bytes"})
        EXPECT_TRUE(j["layers"][0].contains(key)) << key;
    // The stem's output at f32: 4 channels of 160x120.
    EXPECT_EQ(j["layers"][0]["output_bytes"], 4 * 160 * 120 * 4);
}

// --execute --dtype i8: the int8 engine in the arena, peak equal to the plan;
// the int8 twin file and the default float model (quantised as run --dtype i8
// does) are the same network, so the same bytes.
TEST(CliProfile, Int8ExecutionMatchesThePlanAndRefusesWhatItCannotRun)
{
    for (const std::string& model : {std::string(), "--model " + (std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "models" / "rnnpool_face_m4.int8.safetensors").string() + " "}) {
        const Outcome o = runCli("profile " + model + "--dtype i8 --input 160x120 --count-input --execute --json");
        ASSERT_EQ(o.status, 0) << o.output;
        const auto j = nlohmann::json::parse(o.output, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << o.output;
        EXPECT_EQ(j["dtype"], "i8");
        EXPECT_EQ(j["measured_peak_bytes"], j["peak_bytes"]);
        EXPECT_FALSE(j.contains("execute_problem")) << j["execute_problem"];
        // Input 160x120 counted (one byte a pixel) and the stem's 4 x 80 x 60 int8 output at least.
        EXPECT_GE(j["peak_bytes"].get<int64_t>(), 160 * 120 + 4 * 80 * 60);
    }
    // The paper's and the row-streamed schedules run too (the int8 streaming
    // kernels); at 320x240 the row-streamed one, input counted, is the 120 KiB
    // budget of the M4 work.
    for (const char* schedule : {"paper", "rowstream", "linebuffer"}) {
        const Outcome o = runCli(std::string("profile --dtype i8 --count-input --execute --json --schedule ") + schedule);
        ASSERT_EQ(o.status, 0) << o.output;
        const auto j = nlohmann::json::parse(o.output, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << o.output;
        EXPECT_EQ(j["schedule"], schedule);
        EXPECT_EQ(j["measured_peak_bytes"], j["peak_bytes"]) << schedule;
        if (std::string(schedule) == "rowstream") {
            EXPECT_LE(j["peak_bytes"].get<int64_t>(), 120 * 1024);
        } else if (std::string(schedule) == "linebuffer") { // README: 65,310 B
            EXPECT_LE(j["peak_bytes"].get<int64_t>(), 64 * 1024);
        }
    }
    // A schedule the firmware generator does not know is refused by name, before anything runs,
    // with the four it writes.
    const Outcome firmware = runCli("m4 run --image " + (std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / "grace_hopper.jpg").string() + " --schedule zigzag");
    EXPECT_EQ(firmware.status, 2) << firmware.output;
    EXPECT_NE(firmware.output.find("layerwise, paper, rowstream, linebuffer"), std::string::npos) << firmware.output;
    // The authors' Face-Quant at 640x480 decodes its heads row by row under linebuffer (a candidate
    // store), which the firmware lacks: refused with that reason before anything is written.
    const std::filesystem::path never = std::filesystem::temp_directory_path() / "rnnpool-linebuffer-refused-never-created";
    std::filesystem::remove_all(never);
    const Outcome decoded = runCli("deploy --model " + (testing::sharedDir() / "reference" / "edgeml-authors" / "rpool_face_quant_2020-04-21.pth").string() +
                                   " --size 640x480 --schedule linebuffer -o " + never.string());
    EXPECT_EQ(decoded.status, 1) << decoded.output;
    EXPECT_NE(decoded.output.find("decodes them row by row"), std::string::npos) << decoded.output;
    EXPECT_FALSE(std::filesystem::exists(never));
    const Outcome i16 = runCli("profile --dtype i16 --execute");
    EXPECT_EQ(i16.status, 2) << i16.output;
    EXPECT_NE(i16.output.find("--dtype i8"), std::string::npos) << i16.output;
    const Outcome arch = runCli("profile --arch rnnpool-face-m4 --dtype i8 --execute");
    EXPECT_EQ(arch.status, 2) << arch.output;
    EXPECT_NE(arch.output.find("weights"), std::string::npos) << arch.output;
}

TEST(CliProfile, FaceM4OnTheStm32F439NeedsTheFrameInTheArenaUnderThePaperScheduleAtInt8)
{
    const Outcome o = runCli("profile --arch RPool_Face_M4 --schedule paper --dtype i8 --board stm32f439zi --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    EXPECT_EQ(j["board"], "stm32f439zi");
    EXPECT_EQ(j["sram_bytes"], 256 * 1024);
    // SRAM needed = the planned arena (not the live peak) + the 320x240 8-bit
    // frame + kernel scratch + the runtime allowance.
    const auto& b = j["sram_breakdown"];
    EXPECT_EQ(b["arena"].get<int64_t>(), j["arena_bytes"].get<int64_t>());
    EXPECT_GE(b["arena"].get<int64_t>(), j["peak_bytes"].get<int64_t>());
    EXPECT_EQ(b["frame_buffer"].get<int64_t>(), 320 * 240);
    EXPECT_EQ(j["sram_needed"].get<int64_t>(), j["arena_bytes"].get<int64_t>() + 320 * 240 +
                                                   b["kernel_scratch"].get<int64_t>() + 16 * 1024);
    EXPECT_EQ(j["flash_needed"].get<int64_t>(), j["params"].get<int64_t>() + 64 * 1024);
    EXPECT_EQ(j["sram_headroom"].get<int64_t>(), 256 * 1024 - j["sram_needed"].get<int64_t>());
    // The sum is under 256 KiB, but the frame buffer needs DMA (192 KiB of
    // SRAM, not the 64 KiB CCM) and the arena does not fit beside it there.
    EXPECT_GT(j["sram_headroom"].get<int64_t>(), 0);
    ASSERT_GT(j["arena_bytes"].get<int64_t>() + 320 * 240, 192 * 1024);
    EXPECT_FALSE(j["fits"].get<bool>());
    ASSERT_TRUE(j["placement"].is_array());
    for (const auto& p : j["placement"]) {
        if (p["item"] == "frame buffer") {
            EXPECT_EQ(p["region"], "SRAM");
        } else if (p["item"] == "arena") {
            EXPECT_TRUE(p["region"].is_null());
        }
    }
    // With the frame counted in the arena (the camera writes into it) it fits.
    const Outcome counted = runCli("profile --arch RPool_Face_M4 --schedule paper --dtype i8 --count-input --board stm32f439zi --json");
    ASSERT_EQ(counted.status, 0) << counted.output;
    EXPECT_TRUE(nlohmann::json::parse(counted.output)["fits"].get<bool>());
    // At f32 under the layerwise schedule it cannot fit in 256 KB.
    const Outcome f32 = runCli("profile --arch RPool_Face_M4 --board stm32f439zi --json");
    ASSERT_EQ(f32.status, 0) << f32.output;
    EXPECT_FALSE(nlohmann::json::parse(f32.output)["fits"].get<bool>());
    EXPECT_EQ(runCli("profile --arch RPool_Face_M4 --board arduino-uno").status, 2);
    const Outcome custom = runCli("profile --arch RPool_Face_M4 --board custom:sram=2M,flash=4M,clock=400M --json");
    ASSERT_EQ(custom.status, 0) << custom.output;
    EXPECT_EQ(nlohmann::json::parse(custom.output)["sram_bytes"], 2 * 1024 * 1024);
}

TEST(CliProfile, BoardReportHasTheFitKeysAndLatencyEstimatesPerProfile)
{
    const Outcome o = runCli("profile --arch mlperf-tiny-vww --dtype i8 --board stm32l4r5zi --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    for (const char* key : {"arch", "input", "params", "madds", "schedule", "dtype", "peak_bytes", "peak_layer", "arena_bytes",
                            "layers", "board", "sram_bytes", "flash_bytes", "sram_needed", "flash_needed", "fits", "latency_ms"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["board"], "stm32l4r5zi");
    EXPECT_EQ(j["sram_bytes"], 640 * 1024);
    EXPECT_EQ(j["flash_bytes"], 2 * 1024 * 1024);
    EXPECT_TRUE(j["fits"].get<bool>());
    // Flash: the int8 weights (the trainable parameters) plus the 64 KiB code allowance.
    EXPECT_EQ(j["flash_needed"].get<int64_t>(), j["params"].get<int64_t>() + 64 * 1024);
    ASSERT_TRUE(j["latency_ms"].is_object());
    for (const char* profile : {"generic-c", "cmsis-nn", "tflm-reference"}) {
        ASSERT_TRUE(j["latency_ms"].contains(profile)) << profile;
        EXPECT_GT(j["latency_ms"][profile].get<double>(), 0.0) << profile;
        EXPECT_NE(j["latency_estimate"][profile]["basis"].get<std::string>().find("estimate"), std::string::npos);
    }
    // The published NUCLEO-L4R5ZI figure for an optimised library is about 221 ms.
    EXPECT_NEAR(j["latency_ms"]["cmsis-nn"].get<double>(), 221.0, 0.25 * 221.0);
    // A sparse RNNPool is cheaper on the SeeDot-style kernels; bad densities are refused.
    const Outcome dense = runCli("profile --arch RPool_Face_M4 --schedule paper --dtype i8 --board stm32f439zi --json");
    const Outcome sparse = runCli("profile --arch RPool_Face_M4 --schedule paper --dtype i8 --board stm32f439zi "
                                  "--rnn-density 0.5,0.3,0.3,0.3 --json");
    ASSERT_EQ(dense.status, 0) << dense.output;
    ASSERT_EQ(sparse.status, 0) << sparse.output;
    EXPECT_LT(nlohmann::json::parse(sparse.output)["latency_ms"]["generic-c"].get<double>(),
              nlohmann::json::parse(dense.output)["latency_ms"]["generic-c"].get<double>());
    EXPECT_EQ(runCli("profile --arch RPool_Face_M4 --board stm32f439zi --rnn-density 2").status, 2);
    const Outcome text = runCli("profile --arch mlperf-tiny-vww --dtype i8 --board stm32l4r5zi");
    ASSERT_EQ(text.status, 0) << text.output;
    EXPECT_NE(text.output.find("estimated latency"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("cmsis-nn"), std::string::npos) << text.output;
}

TEST(CliCompare, BoardAddsEstimatedLatencies)
{
    const Outcome o = runCli("compare mlperf-tiny-vww rnnpool-face-m4 --board stm32l4r5zi --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    ASSERT_EQ(j.size(), 2u);
    // The same estimate as profile --board gives for the same board.
    const Outcome single = runCli("profile --arch mlperf-tiny-vww --board stm32l4r5zi --json");
    ASSERT_EQ(single.status, 0) << single.output;
    const auto p = nlohmann::json::parse(single.output);
    for (const char* profile : {"generic-c", "cmsis-nn", "tflm-reference"})
        EXPECT_DOUBLE_EQ(j[0]["latency_ms"][profile].get<double>(), p["latency_ms"][profile].get<double>()) << profile;
    const Outcome table = runCli("compare mlperf-tiny-vww rnnpool-face-m4 --board stm32l4r5zi");
    ASSERT_EQ(table.status, 0) << table.output;
    EXPECT_NE(table.output.find("~ms cmsis-nn"), std::string::npos) << table.output;
    EXPECT_NE(table.output.find("not measurements"), std::string::npos) << table.output;
    EXPECT_EQ(runCli("compare mlperf-tiny-vww rnnpool-face-m4 --board nope").status, 2);
}

TEST(CliProfile, SettingsChangeTheArchitectureAndBadOnesAreRefused)
{
    const Outcome base = runCli("profile --arch RPool_Face_M4 --json");
    const Outcome smaller = runCli("profile --arch RPool_Face_M4 --set rnnpool.h2=8 --json");
    ASSERT_EQ(base.status, 0) << base.output;
    ASSERT_EQ(smaller.status, 0) << smaller.output;
    const auto a = nlohmann::json::parse(base.output), b = nlohmann::json::parse(smaller.output);
    EXPECT_LT(b["params"].get<int64_t>(), a["params"].get<int64_t>());
    EXPECT_EQ(runCli("profile --arch RPool_Face_M4 --set rnnpool.nope=3").status, 1);
    EXPECT_EQ(runCli("profile --arch RPool_Face_M4 --dtype f64").status, 2);
    EXPECT_EQ(runCli("profile --arch RPool_Face_M4 --schedule magic").status, 2);
}


TEST(CliZoo, ListsEveryBuiltInArchitectureAndCompareAgreesWithProfile)
{
    const Outcome zoo = runCli("zoo --json");
    ASSERT_EQ(zoo.status, 0) << zoo.output;
    const auto list = nlohmann::json::parse(zoo.output);
    std::set<std::string> names;
    for (const auto& row : list)
        names.insert(row["arch"].get<std::string>());
    for (const char* expected : {"rnnpool-face-m4", "rnnpool-face-qvga-mono", "rnnpool-face-quant", "rnnpool-face-c", "mobilenetv2",
                                 "mobilenetv2-rnnpool"})
        EXPECT_TRUE(names.count(expected)) << expected;

    const Outcome cmp = runCli("compare rnnpool-face-m4 rnnpool-face-c --dtype i8 --json");
    ASSERT_EQ(cmp.status, 0) << cmp.output;
    const auto rows = nlohmann::json::parse(cmp.output);
    ASSERT_EQ(rows.size(), 2u);
    const Outcome profile = runCli("profile --arch rnnpool-face-c --schedule paper --dtype i8 --json");
    ASSERT_EQ(profile.status, 0) << profile.output;
    EXPECT_EQ(rows[1]["peak_bytes"]["paper"], nlohmann::json::parse(profile.output)["peak_bytes"]);
    EXPECT_EQ(runCli("compare rnnpool-face-m4").status, 2);
    EXPECT_EQ(runCli("compare rnnpool-face-m4 no-such-net").status, 1);
}


TEST(CliPaperTables, EveryTableIsPrintedAndTheJsonSaysWhatIsReproduced)
{
    const Outcome o = runCli("paper-tables --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto rows = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_TRUE(rows.is_array()) << o.output;
    std::set<std::string> tables;
    for (const auto& row : rows) {
        tables.insert(row["table"].get<std::string>());
        for (const char* key : {"row", "column", "arch", "paper", "ours", "tolerance", "agrees", "reproduced", "not_reproduced"})
            ASSERT_TRUE(row.contains(key)) << key;
        // A figure we reproduce agrees; one we do not says why.
        EXPECT_EQ(row["agrees"].get<bool>(), row["reproduced"].get<bool>()) << row.dump();
        EXPECT_EQ(row["not_reproduced"].get<std::string>().empty(), row["reproduced"].get<bool>()) << row.dump();
    }
    EXPECT_EQ(tables, (std::set<std::string>{"1", "3", "4", "5"}));
    const Outcome text = runCli("paper-tables");
    ASSERT_EQ(text.status, 0);
    EXPECT_NE(text.output.find("RNNPool-Face-M4"), std::string::npos);
    EXPECT_NE(text.output.find("not reproduced"), std::string::npos);
    EXPECT_EQ(runCli("paper-tables --csv").status, 2);
}

TEST(CliSweep, RnnHiddenSizeChangesCountsAsTheFormulaSays)
{
    const Outcome o = runCli("sweep --arch RPool_Face_M4 --param rnnpool.h1 --values 8,16 --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    ASSERT_EQ(j["rows"].size(), 2u);
    // RNN1 holds W (C x h1), U (h1 x h1), two biases, zeta, nu; RNN2's W is h1 x h2 (h2 = 16).
    // Going from h1 = 8 to 16 with C = 4 adds 4*8 + (256-64) + 2*8 + 8*16 parameters.
    EXPECT_EQ(j["rows"][1]["params"].get<int64_t>() - j["rows"][0]["params"].get<int64_t>(), 4 * 8 + 192 + 16 + 128);
    EXPECT_GT(j["rows"][1]["madds"].get<int64_t>(), j["rows"][0]["madds"].get<int64_t>());
    EXPECT_EQ(runCli("sweep --arch RPool_Face_M4 --param rnnpool.h1 --values 0").status, 1);
    EXPECT_EQ(runCli("sweep --arch RPool_Face_M4 --param rnnpool.h1").status, 2);
}


TEST(CliEval, ModelAndHaarOnTheSameLabelledPictures)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    const std::string common = " --images " + q(data / "images") + " --labels " + q(data / "labels.txt") + " --limit 6 --json";
    for (const std::string detector : {"model", "haar"}) {
        const Outcome o = runCli("eval --detector " + detector + common);
        ASSERT_EQ(o.status, 0) << o.output;
        const auto j = nlohmann::json::parse(o.output);
        for (const char* key : {"ap", "precision", "recall", "num_faces", "num_images"})
            EXPECT_TRUE(j.contains(key)) << key;
        EXPECT_EQ(j["num_images"], 6);
        EXPECT_GE(j["ap"].get<double>(), 0.0);
        EXPECT_LE(j["ap"].get<double>(), 1.0);
    }
    EXPECT_EQ(runCli("eval --images /nonexistent --labels x.txt").status, 1);
    EXPECT_EQ(runCli("eval --detector dlib" + common).status, 2);
}

TEST(CliEval, BothDetectorsInOneRunAgreeWithSeparateRuns)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    const std::string common = " --images " + q(data / "images") + " --labels " + q(data / "labels.txt") + " --limit 4 --json";
    const Outcome both = runCli("eval --detector model,haar" + common);
    ASSERT_EQ(both.status, 0) << both.output;
    const auto list = nlohmann::json::parse(both.output);
    ASSERT_TRUE(list.is_array());
    ASSERT_EQ(list.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        const Outcome alone = runCli(std::string("eval --detector ") + (i == 0 ? "model" : "haar") + common);
        ASSERT_EQ(alone.status, 0) << alone.output;
        const auto single = nlohmann::json::parse(alone.output);
        EXPECT_EQ(list[i]["detector"], single["detector"]);
        EXPECT_EQ(list[i]["num_faces"], single["num_faces"]);
        EXPECT_DOUBLE_EQ(list[i]["ap"].get<double>(), single["ap"].get<double>());
    }
    EXPECT_EQ(list[0]["num_faces"], list[1]["num_faces"]);
    EXPECT_EQ(runCli("eval --detector model,model" + common).status, 2);
    EXPECT_EQ(runCli("eval --detector model," + common).status, 2);
}

TEST(CliRun, AnnotateDrawsOnlyAroundTheReportedBoxes)
{
    const auto dir = tempDir("annotate");
    const auto sample = std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / "grace_hopper.jpg";
    const Outcome o = runCli("run --image " + q(sample) + " --threshold 0.3 --annotate " + q(dir / "boxes.png") + " --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    auto original = loadPicture(sample);
    auto drawn = loadPicture(dir / "boxes.png");
    ASSERT_TRUE(original && drawn);
    ASSERT_EQ(drawn->size(), original->size());
    // Every changed pixel lies on or just above a reported box (the outline
    // and the score label); the rest of the picture is untouched.
    const int margin = 40;
    int changed = 0, stray = 0;
    for (int y = 0; y < original->rows; ++y)
        for (int x = 0; x < original->cols; ++x) {
            if (original->at<cv::Vec3b>(y, x) == drawn->at<cv::Vec3b>(y, x))
                continue;
            ++changed;
            bool near = false;
            for (const auto& b : j["detections"])
                near = near || (x >= b["x1"].get<double>() - margin && x <= b["x2"].get<double>() + margin &&
                                y >= b["y1"].get<double>() - margin && y <= b["y2"].get<double>() + margin);
            stray += !near;
        }
    EXPECT_EQ(changed > 0, !j["detections"].empty());
    EXPECT_EQ(stray, 0);

    const Outcome badName = runCli("run --image " + q(sample) + " --annotate " + q(dir / "boxes.txt"));
    EXPECT_EQ(badName.status, 1);
    EXPECT_NE(badName.output.find("boxes.txt"), std::string::npos) << badName.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "boxes.txt"));
    EXPECT_EQ(runCli("run --tensor x.npy --annotate " + q(dir / "a.png")).status, 2);
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace rnnpool
