// NumPy .npy reading and writing: round trips, byte-identity with np.save,
// the golden files' shapes, every supported dtype, and malformed headers.
#include "io/npy.h"

#include <bit>
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// A hand-made .npy: magic, version 1.0, the header dict padded like NumPy's,
// then `data`.
std::string npyFile(const std::string& dict, const std::string& data, int major = 1)
{
    std::string header = dict;
    const size_t prefix = major == 1 ? 10 : 12;
    header.append(64 - (prefix + header.size() + 1) % 64, ' ');
    header += '\n';
    std::string out("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < prefix - 8; ++i)
        out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + data;
}

template <typename T>
std::string rawBytes(std::initializer_list<T> values)
{
    std::string out;
    for (T v : values)
        out.append(reinterpret_cast<const char*>(&v), sizeof v);
    return out;
}

Expected<Tensor> parse(const std::string& bytes) { return parseNpy(asBytes(bytes), "array 'test.npy'"); }

TEST(NpyReader, RoundTripsShapesAndSpecialValues)
{
    TempDir dir;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<Tensor> tensors{
        Tensor({2, 3, 4}, std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                              22, 23}),
        Tensor({5}, std::vector<float>{nan, inf, -inf, -0.0f, std::numeric_limits<float>::denorm_min()}),
        Tensor(Shape{}, std::vector<float>{3.25f}),
        Tensor({0, 3}, std::vector<float>{}),
        Tensor({1, 1, 1, 1, 1, 1, 1, 1}, std::vector<float>{-1.5f}),
    };
    for (const Tensor& t : tensors) {
        const auto path = dir / "t.npy";
        ASSERT_TRUE(writeNpy(path, t)) << shapeToString(t.shape());
        Expected<Tensor> back = readNpy(path);
        ASSERT_TRUE(back) << back.error();
        EXPECT_TRUE(sameBits(*back, t)) << shapeToString(t.shape());
        // Data starts 64-byte aligned, as NumPy lays it out.
        const std::string bytes = readBytes(path);
        EXPECT_EQ((bytes.size() - static_cast<size_t>(t.numel()) * 4) % 64, 0u);
    }
}

TEST(NpyReader, WritesExactlyWhatNumpyWrites)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    for (const char* name : {"RPool_Face_M4_240x320.input.npy", "RPool_Face_M4_240x320.loc.npy",
             "RPool_Face_M4_240x320.detections.npy"}) {
        Expected<Tensor> golden = readNpy(testing::goldenDir() / name);
        ASSERT_TRUE(golden) << golden.error();
        ASSERT_TRUE(writeNpy(dir / "copy.npy", *golden));
        EXPECT_EQ(readBytes(dir / "copy.npy"), readBytes(testing::goldenDir() / name)) << name;
    }
    // np.save of a (5,) and a () float32 array (NumPy 1.24), header and data.
    Expected<std::string> vector = encodeNpy(Tensor({5}, std::vector<float>(5, 0.0f)));
    ASSERT_TRUE(vector);
    EXPECT_EQ(vector->substr(0, 128),
        std::string("\x93NUMPY\x01\x00v\x00", 10) + "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"
            + std::string(60, ' ') + "\n");
    Expected<std::string> scalar = encodeNpy(Tensor(Shape{}, std::vector<float>{0.0f}));
    ASSERT_TRUE(scalar);
    EXPECT_EQ(scalar->substr(0, 128), std::string("\x93NUMPY\x01\x00v\x00", 10)
            + "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" + std::string(62, ' ') + "\n");
}

TEST(NpyReader, ReadsGoldenFilesWithTheirShapes)
{
    RNNPOOL_REQUIRE_SHARED();
    // Shapes as np.load reports them (checked once with NumPy 1.24).
    const std::vector<std::pair<std::string, Shape>> golden{
        {"RPool_Face_M4_240x320.input.npy", {1, 1, 240, 320}},
        {"RPool_Face_M4_240x320.loc.npy", {1, 12000}},
        {"RPool_Face_M4_240x320.conf.npy", {1, 6000}},
        {"RPool_Face_M4_240x320.detections.npy", {750, 5}},
        {"RPool_Face_M4_240x320.stage.rnnpool.npy", {1, 64, 30, 40}},
        {"RPool_Face_M4_240x320.stage.stem.npy", {1, 4, 120, 160}},
        {"RPool_Face_Quant_480x640.input.npy", {1, 3, 480, 640}},
    };
    for (const auto& [name, shape] : golden) {
        Expected<Tensor> t = readNpy(testing::goldenDir() / name);
        ASSERT_TRUE(t) << t.error();
        EXPECT_EQ(t->shape(), shape) << name;
    }
    const std::vector<std::pair<std::string, Shape>> op{{"input_rows_cols_channels.npy", {6, 6, 8}},
        {"rnn1_W.npy", {8, 8}}, {"rnn1_bias_gate.npy", {8}}, {"rnn1_sigmoid_zeta_nu.npy", {2}},
        {"expected_output.npy", {32}}};
    for (const auto& [name, shape] : op) {
        Expected<Tensor> t = readNpy(testing::opDir() / name);
        ASSERT_TRUE(t) << t.error();
        EXPECT_EQ(t->shape(), shape) << name;
    }
    // First values as NumPy prints them.
    Expected<Tensor> input = readNpy(testing::goldenDir() / "RPool_Face_M4_240x320.input.npy");
    ASSERT_TRUE(input);
    EXPECT_FLOAT_EQ(input->data()[0], -12.243999481201172f);
    EXPECT_FLOAT_EQ(input->data()[1], -12.842000007629395f);
    Expected<Tensor> out = readNpy(testing::opDir() / "expected_output.npy");
    ASSERT_TRUE(out);
    EXPECT_FLOAT_EQ(out->data()[0], 0.5294126868247986f);
}

TEST(NpyReader, ConvertsEveryDtypeToFloat)
{
    struct Case {
        std::string descr, data;
        std::vector<float> expected;
    };
    const std::vector<Case> cases{
        {"<f8", rawBytes<double>({1.5, -2.25, 1e10}), {1.5f, -2.25f, 1e10f}},
        {"<f4", rawBytes<float>({0.5f, -1.0f, 7.0f}), {0.5f, -1.0f, 7.0f}},
        {"<f2", rawBytes<uint16_t>({0x3c00, 0xc000, 0x0001}), {1.0f, -2.0f, std::ldexp(1.0f, -24)}},
        {"<i8", rawBytes<int64_t>({-3, 17340, int64_t{1} << 40}), {-3.0f, 17340.0f, std::ldexp(1.0f, 40)}},
        {"<i4", rawBytes<int32_t>({-7, 0, 123456}), {-7.0f, 0.0f, 123456.0f}},
        {"|u1", rawBytes<uint8_t>({0, 128, 255}), {0.0f, 128.0f, 255.0f}},
        {"|b1", rawBytes<uint8_t>({1, 0, 1}), {1.0f, 0.0f, 1.0f}},
        {"|i1", rawBytes<int8_t>({-128, 5, 127}), {-128.0f, 5.0f, 127.0f}},
    };
    for (const Case& c : cases) {
        Expected<Tensor> t = parse(npyFile("{'descr': '" + c.descr + "', 'fortran_order': False, 'shape': (3,), }", c.data));
        ASSERT_TRUE(t) << c.descr << ": " << t.error();
        ASSERT_EQ(t->shape(), Shape{3});
        for (size_t i = 0; i < 3; ++i)
            EXPECT_EQ(t->data()[i], c.expected[i]) << c.descr << " element " << i;
    }
}

TEST(NpyReader, ReadsVersionTwoAndThreeHeaders)
{
    for (int major : {2, 3}) {
        Expected<Tensor> t = parse(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
            rawBytes<float>({1.0f, 2.0f}), major));
        ASSERT_TRUE(t) << t.error();
        EXPECT_EQ(t->data()[1], 2.0f);
    }
}

TEST(NpyReader, RefusesFortranOrderAndBigEndian)
{
    Expected<Tensor> fortran
        = parse(npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", rawBytes<float>({1, 2, 3, 4})));
    ASSERT_FALSE(fortran);
    EXPECT_THAT(fortran.error(), HasSubstr("array 'test.npy'"));
    EXPECT_THAT(fortran.error(), HasSubstr("Fortran order"));

    Expected<Tensor> big = parse(npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "\x3f\x80\0\0"));
    ASSERT_FALSE(big);
    EXPECT_THAT(big.error(), HasSubstr("big-endian"));

    Expected<Tensor> complex = parse(npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0')));
    ASSERT_FALSE(complex);
    EXPECT_THAT(complex.error(), HasSubstr("unsupported dtype '<c8'"));
}

TEST(NpyReader, RejectsMalformedHeaders)
{
    const std::string data = rawBytes<float>({1, 2, 3, 4});
    const std::vector<std::string> dicts{
        "",
        "not a dict",
        "{'descr': '<f4', 'fortran_order': False}",                      // no shape
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }",  // negative
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1, }",
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }",
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), } trailing",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (4,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", // product overflows
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 0), }", // overflows before the 0
    };
    for (const std::string& dict : dicts) {
        Expected<Tensor> t = parse(npyFile(dict, data));
        ASSERT_FALSE(t) << "accepted header: " << dict;
        EXPECT_THAT(t.error(), HasSubstr("array 'test.npy': ")) << dict;
    }
}

TEST(NpyReader, ReportsTruncationAndWrongFiles)
{
    const std::string good = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
        rawBytes<float>({1, 2, 3, 4}));
    ASSERT_TRUE(parse(good));
    for (size_t cut = 0; cut < good.size(); ++cut) {
        Expected<Tensor> t = parse(good.substr(0, cut));
        ASSERT_FALSE(t) << "accepted a file cut at " << cut;
    }
    EXPECT_THAT(parse(good.substr(0, good.size() - 1)).error(), HasSubstr("truncated"));
    EXPECT_THAT(parse("").error(), HasSubstr("empty"));
    EXPECT_THAT(parse("\x89PNG\r\n\x1a\nxxxxxxxx").error(), HasSubstr("not a NumPy .npy file"));
    std::string future = good;
    future[6] = 9;
    EXPECT_THAT(parse(future).error(), HasSubstr("unsupported .npy format version 9"));

    TempDir dir;
    EXPECT_THAT(readNpy(dir / "missing.npy").error(), HasSubstr("no such file"));
    EXPECT_THAT(readNpy(dir.path()).error(), HasSubstr("is a folder"));
}

// Issue 18, class 7: a 0-d array has one element and no extents; with no data
// bytes it was read 8 bytes past its buffer before being refused.
TEST(NpyReader, RefusesAZeroDimensionalArrayWithoutItsElement)
{
    const std::string empty = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "");
    Expected<Tensor> t = parse(empty);
    ASSERT_FALSE(t);
    EXPECT_THAT(t.error(), HasSubstr("needs 1 x 8 bytes and the file holds 0"));
    EXPECT_THAT(t.error(), HasSubstr("array 'test.npy'"));
    const std::string short4 = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", std::string(4, '\0'));
    EXPECT_FALSE(parse(short4));
    const std::string whole = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", rawBytes<double>({2.5}));
    Expected<Tensor> scalar = parse(whole);
    ASSERT_TRUE(scalar) << scalar.error();
    EXPECT_EQ(scalar->numel(), 1);
    EXPECT_EQ(scalar->data()[0], 2.5f);
}

TEST(NpyReader, WriteRefusesInconsistentTensorsAndKeepsOldFile)
{
    TempDir dir;
    const auto path = dir / "keep.npy";
    ASSERT_TRUE(writeNpy(path, Tensor({2}, std::vector<float>{1, 2})));
    const std::string before = readBytes(path);
    const Tensor broken; // a default tensor has shape [] (one value) but holds none
    Status s = writeNpy(path, broken);
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error(), HasSubstr("keep.npy"));
    EXPECT_EQ(readBytes(path), before);
    EXPECT_FALSE(writeNpy(dir / "no-such-folder" / "x.npy", Tensor({1})));
    // Nothing but the one good file is left behind.
    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 1u);
}

} // namespace
} // namespace rnnpool
