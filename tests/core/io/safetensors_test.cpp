// safetensors: round trips with metadata, other dtypes, a cross-check against
// the golden PyTorch checkpoints, header validation, and atomic writes.
#include "io/safetensors.h"

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/checkpoint.h"
#include "io/pth_reader.h"
#include "io_test_support.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

using iotest::asBytes;
using iotest::readBytes;
using iotest::sameBits;
using iotest::TempDir;
using iotest::writeBytes;
using ::testing::HasSubstr;

// A safetensors file from a header (as JSON text) and raw data.
std::string safetensorsFile(const std::string& header, const std::string& data)
{
    std::string out;
    for (int i = 0; i < 8; ++i)
        out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + data;
}

Expected<Checkpoint> parse(const std::string& bytes) { return parseSafetensors(asBytes(bytes), "safetensors 't'"); }

TEST(Safetensors, RoundTripsTensorsAndMetadata)
{
    TempDir dir;
    const std::map<std::string, Tensor> tensors{
        {"conv.weight", Tensor({2, 1, 3, 3}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7,
                                                  -8, std::numeric_limits<float>::quiet_NaN()})},
        {"bn.num_batches_tracked", Tensor(Shape{}, std::vector<float>{17340.0f})},
        {"empty", Tensor({0, 4}, std::vector<float>{})},
        {"a.bias", Tensor({3}, std::vector<float>{-0.0f, 1e-40f, std::numeric_limits<float>::infinity()})},
    };
    const std::map<std::string, std::string> metadata{{"arch", "RPool_Face_M4"}, {"source", "unit test"}};
    const auto path = dir / "model.safetensors";
    Status written = writeSafetensors(path, tensors, metadata);
    ASSERT_TRUE(written) << written.error();

    Expected<Checkpoint> back = readSafetensors(path);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->format, "safetensors");
    EXPECT_EQ(back->metadata, metadata);
    ASSERT_EQ(back->tensors.size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        EXPECT_TRUE(sameBits(back->tensors.at(name).values, t)) << name;
        EXPECT_EQ(back->tensors.at(name).dtype, "F32");
    }

    // Layout: header length a multiple of 8, data in name order.
    const std::string bytes = readBytes(path);
    uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | static_cast<uint8_t>(bytes[static_cast<size_t>(i)]);
    EXPECT_EQ(headerLength % 8, 0u);
    const nlohmann::json header = nlohmann::json::parse(bytes.substr(8, headerLength));
    uint64_t expectedBegin = 0;
    for (const auto& [name, t] : tensors) {
        EXPECT_EQ(header[name]["data_offsets"][0].get<uint64_t>(), expectedBegin) << name;
        expectedBegin += static_cast<uint64_t>(t.numel()) * 4;
    }
    EXPECT_EQ(bytes.size(), 8 + headerLength + expectedBegin);
}

TEST(Safetensors, ReadsOtherDtypes)
{
    const std::string header = R"({"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},)"
                               R"("h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},)"
                               R"("b":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]},)"
                               R"("l":{"dtype":"I64","shape":[1],"data_offsets":[14,22]},)"
                               R"("i":{"dtype":"I32","shape":[1],"data_offsets":[22,26]},)"
                               R"("u":{"dtype":"U8","shape":[1,1],"data_offsets":[26,27]},)"
                               R"("z":{"dtype":"BOOL","shape":[],"data_offsets":[27,28]},)"
                               R"("__metadata__":{"format":"pt"}})";
    const std::string data = std::string("\0\0\0\0\0\0\x04\x40", 8) // 2.5
        + std::string("\x00\x3c\x00\xfc", 4)                          // 1, -inf
        + std::string("\x80\xbf", 2)                                  // -1 in bfloat16
        + std::string("\xd4\xff\xff\xff\xff\xff\xff\xff", 8)          // -44
        + std::string("\x10\0\0\0", 4) + "\xff" + "\x01";
    Expected<Checkpoint> c = parse(safetensorsFile(header, data));
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->tensors.at("d").values.data()[0], 2.5f);
    EXPECT_EQ(c->tensors.at("h").values.data()[0], 1.0f);
    EXPECT_EQ(c->tensors.at("h").values.data()[1], -std::numeric_limits<float>::infinity());
    EXPECT_EQ(c->tensors.at("b").values.data()[0], -1.0f);
    EXPECT_EQ(c->tensors.at("l").values.data()[0], -44.0f);
    EXPECT_EQ(c->tensors.at("i").values.data()[0], 16.0f);
    EXPECT_EQ(c->tensors.at("u").values.shape(), (Shape{1, 1}));
    EXPECT_EQ(c->tensors.at("u").values.data()[0], 255.0f);
    EXPECT_EQ(c->tensors.at("z").values.data()[0], 1.0f);
    EXPECT_EQ(c->tensors.at("h").dtype, "F16");
    EXPECT_EQ(c->tensors.at("z").dtype, "BOOL");
    EXPECT_EQ(c->metadata.at("format"), "pt");
}

TEST(Safetensors, MatchesTheGoldenCheckpointsAfterConversion)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    for (const auto& source : {testing::goldenDir() / "RPool_Face_M4_240x320.pth",
             testing::goldenDir() / "RPool_Face_Quant_480x640.pth",
             testing::authorsDir() / "rpool_face_checkpoint_2020-04-24.pth"}) {
        Expected<Checkpoint> pth = readPth(source);
        ASSERT_TRUE(pth) << pth.error();
        const auto path = dir / (source.stem().string() + ".safetensors");
        ASSERT_TRUE(writeSafetensors(path, pth->tensorMap(), {{"converted_from", source.filename().string()}}));
        // readCheckpoint must recognise it by content.
        Expected<Checkpoint> back = readCheckpoint(path);
        ASSERT_TRUE(back) << back.error();
        EXPECT_EQ(back->format, "safetensors");
        EXPECT_EQ(back->metadata.at("converted_from"), source.filename().string());
        ASSERT_EQ(back->tensors.size(), pth->tensors.size());
        for (const auto& [name, t] : pth->tensors) {
            ASSERT_TRUE(back->tensors.count(name)) << name;
            EXPECT_TRUE(sameBits(back->tensors.at(name).values, t.values)) << name;
        }
    }
}

TEST(Safetensors, ValidatesHeaders)
{
    const std::string four = std::string(4, '\0');
    const std::vector<std::pair<std::string, std::string>> cases{
        {safetensorsFile("{", four), "not valid JSON"},
        {safetensorsFile("[1,2]", ""), "not a JSON object"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[1]}})", four), "lacks 'dtype', 'shape' or 'data_offsets'"},
        {safetensorsFile(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x"), "unsupported dtype 'F8_E4M3'"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", four), "runs past the end"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", four), "needs 8 bytes"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", four), "reversed"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four), "non-negative"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
             four), "overlaps"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", four + four), "belong to no tensor"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", four + "xx"), "belong to no tensor"},
        {safetensorsFile(R"({"__metadata__":{"n":1}})", ""), "is not a string"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", four),
            "impossible shape"},
        {safetensorsFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", ""),
            "impossible shape"},
        {safetensorsFile(std::string(100, '[') + std::string(100, ']'), ""), "nests deeper"},
        {safetensorsFile("{\"a\xff\":1}", ""), "not valid JSON"},
        {std::string("\xff\xff\xff\xff\xff\xff\xff\xff{}", 10), "runs past the end of the file"},
        {"abc", "too short"},
        {"", "empty"},
    };
    for (const auto& [bytes, why] : cases) {
        Expected<Checkpoint> c = parse(bytes);
        ASSERT_FALSE(c) << "accepted a file that should fail with: " << why;
        EXPECT_THAT(c.error(), HasSubstr("safetensors 't': "));
        EXPECT_THAT(c.error(), HasSubstr(why));
    }
    Expected<Checkpoint> empty = parse(safetensorsFile("{}", ""));
    ASSERT_TRUE(empty) << empty.error();
    EXPECT_TRUE(empty->tensors.empty());
}

TEST(Safetensors, WritesAtomicallyAndRefusesBadInput)
{
    TempDir dir;
    const auto path = dir / "keep.safetensors";
    ASSERT_TRUE(writeSafetensors(path, {{"a", Tensor({1}, std::vector<float>{1.0f})}}));
    const std::string before = readBytes(path);

    const Tensor broken; // shape [] promises one value; a default tensor holds none
    Status bad = writeSafetensors(path, {{"a", Tensor({1})}, {"b", broken}});
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error(), HasSubstr("tensor 'b' has shape [] but 0 values"));
    Status reserved = writeSafetensors(path, {{"__metadata__", Tensor({1})}});
    ASSERT_FALSE(reserved);
    EXPECT_THAT(reserved.error(), HasSubstr("reserved"));
    Status utf8 = writeSafetensors(path, {{"bad\xff", Tensor({1})}});
    ASSERT_FALSE(utf8);
    EXPECT_THAT(utf8.error(), HasSubstr("UTF-8"));
    EXPECT_EQ(readBytes(path), before) << "a failed write must leave the old file untouched";

    Status nowhere = writeSafetensors(dir / "missing" / "x.safetensors", {{"a", Tensor({1})}});
    ASSERT_FALSE(nowhere);
    EXPECT_THAT(nowhere.error(), HasSubstr("does not exist"));
    Status onDir = writeSafetensors(dir.path(), {{"a", Tensor({1})}});
    ASSERT_FALSE(onDir);
    EXPECT_THAT(onDir.error(), HasSubstr("folder"));

    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 1u) << "no temporary files may be left behind";
}

} // namespace
} // namespace rnnpool
