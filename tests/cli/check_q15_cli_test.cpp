// rnnpool check-q15 as users run it: the shared EdgeML Q15 goldens match bit
// for bit, --dump writes the outputs np.load reads back equal, and damaged
// folders (manifest fields, missing arrays, wrong dtypes and shapes, a changed
// golden value) give a message naming the file and field, exit 1.
#include <array>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/npy.h"
#include "support/shared_data.h"

#include "cli/cli_runner.h"

namespace rnnpool {
namespace {

namespace fs = std::filesystem;

using rnnpool::clitest::Outcome;
using rnnpool::clitest::q;
using rnnpool::clitest::runCli;
using rnnpool::clitest::tempDir;

fs::path q15Dir() { return testing::sharedDir() / "reference" / "edgeml-q15"; }

// A private copy of the golden folder to damage.
fs::path copyFolder(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("rnnpool_check_q15_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& entry : fs::directory_iterator(q15Dir()))
        fs::copy_file(entry.path(), dir / entry.path().filename());
    return dir;
}

nlohmann::json readManifest(const fs::path& dir)
{
    std::ifstream in(dir / "manifest.json");
    return nlohmann::json::parse(in);
}

void writeManifest(const fs::path& dir, const nlohmann::json& doc)
{
    std::ofstream(dir / "manifest.json") << doc.dump(1);
}


size_t count(const std::string& text, const std::string& what)
{
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

TEST(CliCheckQ15, SharedGoldensMatchBitForBitAndDumpsReadBack)
{
    RNNPOOL_REQUIRE_SHARED();
    const fs::path dump = fs::temp_directory_path() / ("rnnpool_check_q15_dump_" + std::to_string(::getpid()));
    fs::remove_all(dump);
    const Outcome o = runCli("check-q15 " + q(q15Dir()) + " --dump " + q(dump));
    EXPECT_EQ(o.status, 0) << o.output;
    EXPECT_EQ(count(o.output, "64/64"), 4u) << o.output;
    EXPECT_EQ(count(o.output, "2048/2048"), 4u) << o.output;
    EXPECT_NE(o.output.find("all bit-exact"), std::string::npos) << o.output;
    for (const char* name : {"q15_div", "q15_shift", "q7_div", "q7_shift"}) {
        Expected<NpyArray> ours = readNpyWithType(dump / (std::string(name) + "_output.npy"));
        Expected<NpyArray> golden = readNpyWithType(q15Dir() / (std::string(name) + "_output.npy"));
        ASSERT_TRUE(ours) << ours.error();
        ASSERT_TRUE(golden) << golden.error();
        EXPECT_EQ(ours->dtype, DType::I16);
        EXPECT_EQ(ours->values.shape(), golden->values.shape());
        EXPECT_TRUE(std::equal(ours->values.data(), ours->values.data() + ours->values.numel(), golden->values.data()))
            << name;
    }
    fs::remove_all(dump);
}

TEST(CliCheckQ15, JsonReportsEveryCase)
{
    RNNPOOL_REQUIRE_SHARED();
    const Outcome o = runCli("check-q15 " + q(q15Dir()) + " --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const nlohmann::json doc = nlohmann::json::parse(o.output);
    EXPECT_TRUE(doc["all_bit_exact"].get<bool>());
    ASSERT_EQ(doc["cases"].size(), 4u);
    for (const auto& c : doc["cases"]) {
        EXPECT_EQ(c["matched_values"].get<int64_t>(), 2048);
        EXPECT_EQ(c["matched_patches"].get<int64_t>(), 64);
    }
    EXPECT_EQ(doc["fastgrnn_one_step"]["shift"]["matched"].get<int64_t>(), 8);
}

TEST(CliCheckQ15, UsageErrorsExitWithTwo)
{
    EXPECT_EQ(runCli("check-q15").status, 2);
    EXPECT_EQ(runCli("check-q15 a b").status, 2);
    EXPECT_EQ(runCli("check-q15 a --bogus").status, 2);
}

TEST(CliCheckQ15, DamagedFoldersNameTheFileAndField)
{
    RNNPOOL_REQUIRE_SHARED();
    struct Damage {
        std::string name;
        std::function<void(const fs::path&)> apply;
        std::vector<std::string> expected; // substrings of the message
    };
    const std::vector<Damage> damages = {
        {"missing_field", [](const fs::path& d) {
             auto doc = readManifest(d);
             doc["cases"][1].erase("scale_mode");
             writeManifest(d, doc);
         }, {"manifest.json", "cases[1].scale_mode", "missing"}},
        {"wrong_mode", [](const fs::path& d) {
             auto doc = readManifest(d);
             doc["cases"][0]["scale_mode"] = "round";
             writeManifest(d, doc);
         }, {"manifest.json", "cases[0].scale_mode", "round"}},
        {"scale_not_integer", [](const fs::path& d) {
             auto doc = readManifest(d);
             doc["scales"]["shift"]["rnn2"]["bh"] = "one";
             writeManifest(d, doc);
         }, {"manifest.json", "scales.shift.rnn2.bh", "not an integer"}},
        {"zero_divisor", [](const fs::path& d) {
             auto doc = readManifest(d);
             doc["scales"]["div"]["rnn1"]["u"] = 0;
             writeManifest(d, doc);
         }, {"manifest.json", "'div'", "zero divisor"}},
        {"bad_dims", [](const fs::path& d) {
             auto doc = readManifest(d);
             doc["dims"]["hidden1"] = -8;
             writeManifest(d, doc);
         }, {"manifest.json", "dims.hidden1"}},
        {"not_json", [](const fs::path& d) { std::ofstream(d / "manifest.json") << "{ \"dims\": "; },
         {"manifest.json", "not a valid JSON"}},
        {"no_manifest", [](const fs::path& d) { fs::remove(d / "manifest.json"); }, {"manifest.json"}},
        {"missing_npy", [](const fs::path& d) { fs::remove(d / "q7_shift_output.npy"); },
         {"q7_shift_output.npy", "cases[3].output", "missing"}},
        {"wrong_dtype", [](const fs::path& d) { ASSERT_TRUE(writeNpy(d / "rnn1_W.npy", Tensor({8, 4}))); },
         {"rnn1_W.npy", "dtype F32, expected I16"}},
        {"wrong_shape", [](const fs::path& d) {
             std::vector<int16_t> v(8 * 8 * 8 * 8, 0);
             ASSERT_TRUE(writeNpyInt16(d / "q15_div_rowsum.npy", {8, 8, 8, 8}, v));
         }, {"q15_div_rowsum.npy", "cases[0].rowsum", "shape [8,8,8,8], expected [64,8,8]"}},
        {"truncated_npy", [](const fs::path& d) { std::ofstream(d / "rnn2_U.npy") << "\x93NUMPY"; },
         {"rnn2_U.npy"}},
    };
    for (const Damage& damage : damages) {
        SCOPED_TRACE(damage.name);
        const fs::path dir = copyFolder(damage.name);
        damage.apply(dir);
        const Outcome o = runCli("check-q15 " + q(dir));
        EXPECT_EQ(o.status, 1) << o.output;
        for (const std::string& piece : damage.expected)
            EXPECT_NE(o.output.find(piece), std::string::npos) << "expected '" << piece << "' in: " << o.output;
        fs::remove_all(dir);
    }
}

TEST(CliCheckQ15, AChangedGoldenValueIsCountedAndFails)
{
    RNNPOOL_REQUIRE_SHARED();
    const fs::path dir = copyFolder("changed");
    Expected<NpyArray> golden = readNpyWithType(dir / "q15_shift_output.npy");
    ASSERT_TRUE(golden) << golden.error();
    std::vector<int16_t> values(golden->values.data(), golden->values.data() + golden->values.numel());
    values[5 * 32 + 7] = static_cast<int16_t>(values[5 * 32 + 7] + 1);
    ASSERT_TRUE(writeNpyInt16(dir / "q15_shift_output.npy", golden->values.shape(), values));
    const Outcome o = runCli("check-q15 " + q(dir));
    EXPECT_EQ(o.status, 1) << o.output;
    EXPECT_NE(o.output.find("63/64"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("2047/2048"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("output[167]"), std::string::npos) << o.output;
    EXPECT_EQ(count(o.output, "64/64"), 3u) << o.output;
    fs::remove_all(dir);
}

} // namespace
} // namespace rnnpool
