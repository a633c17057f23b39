// PyTorch checkpoints: the golden and the authors' real files, and synthetic
// ones for what those do not cover (strides, offsets, views, dtypes,
// wrappers, damaged archives).
//
// Facts about the shared files (key counts, shapes, dtypes, values) were
// read once with torch 1.13 (/usr/bin/python3, torch.load(..., map_location='cpu')).
#include "io/pth_reader.h"

#include <bit>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/checkpoint.h"
#include "io_test_support.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

using iotest::asBytes;
using iotest::FakeTensor;
using iotest::floatBytes;
using iotest::legacyCheckpoint;
using iotest::PidStyle;
using iotest::sameBits;
using iotest::stateDictPickle;
using iotest::TempDir;
using iotest::writeBytes;
using iotest::zipCheckpoint;
using ::testing::Contains;
using ::testing::HasSubstr;

uint32_t bitsOf(const Checkpoint& c, const std::string& name, size_t index)
{
    return std::bit_cast<uint32_t>(c.tensors.at(name).values.data()[index]);
}

size_t countDtype(const Checkpoint& c, const std::string& dtype)
{
    size_t n = 0;
    for (const auto& [name, t] : c.tensors)
        n += t.dtype == dtype ? 1 : 0;
    return n;
}

::testing::AssertionResult sameTensors(const Checkpoint& a, const Checkpoint& b)
{
    if (a.tensors.size() != b.tensors.size())
        return ::testing::AssertionFailure() << a.tensors.size() << " vs " << b.tensors.size() << " tensors";
    for (const auto& [name, t] : a.tensors) {
        const auto other = b.tensors.find(name);
        if (other == b.tensors.end())
            return ::testing::AssertionFailure() << "'" << name << "' is missing from the second checkpoint";
        if (::testing::AssertionResult same = sameBits(t.values, other->second.values); !same)
            return ::testing::AssertionFailure() << "'" << name << "': " << same.message();
    }
    return ::testing::AssertionSuccess();
}

Expected<Checkpoint> parse(const std::string& bytes) { return parseCheckpoint(asBytes(bytes), "checkpoint 'test.pth'"); }

// ---- the shared golden files ---------------------------------------------------

TEST(PthReader, ZipLegacyAndDataParallelM4AreIdentical)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<Checkpoint> zip = readPth(testing::goldenDir() / "RPool_Face_M4_240x320.pth");
    Expected<Checkpoint> legacy = readPth(testing::goldenDir() / "RPool_Face_M4_240x320.legacy.pth");
    Expected<Checkpoint> parallel = readPth(testing::goldenDir() / "RPool_Face_M4_240x320.dataparallel.pth");
    ASSERT_TRUE(zip) << zip.error();
    ASSERT_TRUE(legacy) << legacy.error();
    ASSERT_TRUE(parallel) << parallel.error();
    EXPECT_EQ(zip->format, "pytorch-zip");
    EXPECT_EQ(legacy->format, "pytorch-legacy");
    EXPECT_EQ(parallel->format, "pytorch-zip");
    EXPECT_TRUE(sameTensors(*zip, *legacy));
    EXPECT_TRUE(sameTensors(*zip, *parallel));
    for (const auto& [name, t] : zip->tensors)
        EXPECT_EQ(t.dtype, legacy->tensors.at(name).dtype) << name;
    EXPECT_THAT(parallel->notes, Contains(HasSubstr("stripped the 'module.' prefix")));
    EXPECT_TRUE(zip->notes.empty());
    EXPECT_FALSE(zip->epoch);
}

TEST(PthReader, M4HoldsTheExpectedTensors)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<Checkpoint> c = readPth(testing::goldenDir() / "RPool_Face_M4_240x320.pth");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->tensors.size(), 127u);
    EXPECT_EQ(countDtype(*c, "F32"), 114u);
    EXPECT_EQ(countDtype(*c, "I64"), 13u); // one num_batches_tracked per BatchNorm
    EXPECT_EQ(c->tensors.at("conv.0.weight").values.shape(), (Shape{4, 1, 3, 3}));
    EXPECT_EQ(bitsOf(*c, "conv.0.weight", 0), 0xbe5ba9b6u); // -0.2145145833492279
    EXPECT_EQ(bitsOf(*c, "conv.0.weight", 1), 0x3ea10f3eu);
    EXPECT_EQ(c->tensors.at("rnn_model.cell_rnn.cell.W").values.shape(), (Shape{4, 16}));
    EXPECT_EQ(c->tensors.at("rnn_model.cell_bidirrnn.unrollRNN.RNNCell_reverse.U").values.shape(), (Shape{16, 16}));
    EXPECT_EQ(bitsOf(*c, "rnn_model.cell_rnn.cell.zeta", 0), 0x3eaeb700u);
    EXPECT_EQ(bitsOf(*c, "conf.3.bias", 1), 0x3c83c412u);
    const StoredTensor& counter = c->tensors.at("conv.1.num_batches_tracked");
    EXPECT_EQ(counter.dtype, "I64");
    EXPECT_EQ(counter.values.shape(), Shape{});
    EXPECT_EQ(counter.values.data()[0], 0.0f);
}

struct GoldenCase {
    const char* file;
    size_t tensors;
    size_t int64Tensors;
    int64_t floatElements;
    const char* firstKey;
    Shape firstShape;
};

class PthGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(PthGolden, ReadsEveryGoldenCheckpoint)
{
    RNNPOOL_REQUIRE_SHARED();
    const GoldenCase& g = GetParam();
    Expected<Checkpoint> c = readCheckpoint(testing::goldenDir() / g.file);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->format, "pytorch-zip");
    EXPECT_EQ(c->tensors.size(), g.tensors);
    EXPECT_EQ(countDtype(*c, "I64"), g.int64Tensors);
    EXPECT_EQ(countDtype(*c, "F32"), g.tensors - g.int64Tensors);
    int64_t floats = 0;
    for (const auto& [name, t] : c->tensors) {
        if (t.dtype == "F32")
            floats += t.values.numel();
        if (name.ends_with("num_batches_tracked")) {
            EXPECT_EQ(t.dtype, "I64") << name;
            EXPECT_EQ(t.values.shape(), Shape{}) << name;
        }
        EXPECT_EQ(shapeNumel(t.values.shape()), t.values.numel()) << name;
    }
    EXPECT_EQ(floats, g.floatElements);
    ASSERT_TRUE(c->tensors.count(g.firstKey)) << g.firstKey;
    EXPECT_EQ(c->tensors.at(g.firstKey).values.shape(), g.firstShape);
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, PthGolden,
    ::testing::Values(GoldenCase{"RPool_Face_M4_240x320.pth", 127, 13, 59704, "conv.0.weight", {4, 1, 3, 3}},
        GoldenCase{"RPool_Face_QVGA_monochrome_240x320.pth", 307, 43, 348760, "conv.0.weight", {4, 1, 3, 3}},
        GoldenCase{"RPool_Face_Quant_480x640.pth", 297, 40, 74936, "conv_top.0.0.weight", {4, 3, 3, 3}},
        GoldenCase{"RPool_Face_C_480x640.pth", 321, 44, 1554504, "rnn_model.cell_rnn.cell.W", {3, 16}},
        GoldenCase{"RPool_Face_M4_240x320.dataparallel.pth", 127, 13, 59704, "conv.0.weight", {4, 1, 3, 3}}));

TEST(PthReader, ReadsTheAuthorsBareLegacyCheckpoint)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<Checkpoint> c = readCheckpoint(testing::authorsDir() / "rpool_face_quant_2020-04-21.pth");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->format, "pytorch-legacy");
    EXPECT_FALSE(c->epoch);
    EXPECT_EQ(c->tensors.size(), 291u);
    EXPECT_EQ(countDtype(*c, "I64"), 40u);
    EXPECT_EQ(c->tensors.at("rnn_model.cell_rnn.cell.W").values.shape(), (Shape{4, 8})); // input x hidden
    EXPECT_EQ(bitsOf(*c, "rnn_model.cell_rnn.cell.W", 0), 0x3d6aa26au);
    EXPECT_EQ(bitsOf(*c, "rnn_model.cell_rnn.cell.zeta", 0), 0x428834efu); // 68.10338592529297
    EXPECT_EQ(bitsOf(*c, "conv_top.0.0.weight", 0), 0xbeab1a7du);
    EXPECT_EQ(c->tensors.at("conv_top.0.1.num_batches_tracked").values.data()[0], 17340.0f);
    for (const auto& [name, t] : c->tensors)
        EXPECT_EQ(name.find("RNNCell_reverse"), std::string::npos) << name;
    EXPECT_THAT(c->notes, Contains(HasSubstr("'cuda:0'")));
}

TEST(PthReader, ReadsTheAuthorsWrappedDataParallelCheckpoint)
{
    RNNPOOL_REQUIRE_SHARED();
    Expected<Checkpoint> c = readCheckpoint(testing::authorsDir() / "rpool_face_checkpoint_2020-04-24.pth");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->format, "pytorch-legacy");
    ASSERT_TRUE(c->epoch);
    EXPECT_EQ(*c->epoch, 0);
    EXPECT_EQ(c->tensors.size(), 297u);
    EXPECT_EQ(countDtype(*c, "I64"), 40u);
    EXPECT_THAT(c->notes, Contains(HasSubstr("under 'weight'")));
    EXPECT_THAT(c->notes, Contains(HasSubstr("stripped the 'module.' prefix")));
    EXPECT_EQ(c->tensors.at("rnn_model.cell_rnn.cell.W").values.shape(), (Shape{8, 4})); // old hidden x input layout
    EXPECT_EQ(bitsOf(*c, "rnn_model.cell_rnn.cell.W", 0), 0x3cbd82fbu);
    EXPECT_EQ(bitsOf(*c, "rnn_model.cell_rnn.cell.zeta", 0), 0x42c7994cu); // 99.79940795898438
    EXPECT_EQ(bitsOf(*c, "conv_top.0.0.weight", 0), 0xbd88d744u);
    // Unlike what the shared README says, this file does hold RNNCell_reverse
    // entries; torch shows they share storage with RNNCell, so the values match.
    const auto& reverse = c->tensors.at("rnn_model.cell_bidirrnn.unrollRNN.RNNCell_reverse.W").values;
    EXPECT_TRUE(sameBits(reverse, c->tensors.at("rnn_model.cell_bidirrnn.unrollRNN.RNNCell.W").values));
}

TEST(PthReader, DispatchesOnContentNotExtension)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    std::filesystem::copy_file(testing::goldenDir() / "RPool_Face_M4_240x320.pth", dir / "weights.safetensors");
    std::filesystem::copy_file(testing::goldenDir() / "RPool_Face_M4_240x320.legacy.pth", dir / "weights");
    Expected<Checkpoint> zip = readCheckpoint(dir / "weights.safetensors");
    Expected<Checkpoint> legacy = readCheckpoint(dir / "weights");
    ASSERT_TRUE(zip) << zip.error();
    ASSERT_TRUE(legacy) << legacy.error();
    EXPECT_EQ(zip->format, "pytorch-zip");
    EXPECT_EQ(legacy->format, "pytorch-legacy");
}

// ---- synthetic checkpoints ---------------------------------------------------

TEST(PthReader, GathersStridedOffsetAndSharedStorages)
{
    // Storage 0 holds 0..11. 't' is its 3x4 view transposed (stride 1,4);
    // 'row' starts at element 4 with shape [4]; 'every_other' has stride 2;
    // 'expanded' repeats one element with stride 0.
    std::vector<float> values(12);
    for (int i = 0; i < 12; ++i)
        values[static_cast<size_t>(i)] = static_cast<float>(i);
    const std::vector<FakeTensor> tensors{
        {"t", "FloatStorage", "0", 12, 0, {4, 3}, {1, 4}},
        {"row", "FloatStorage", "0", 12, 4, {4}, {1}},
        {"every_other", "FloatStorage", "0", 12, 1, {2, 3}, {6, 2}},
        {"expanded", "FloatStorage", "0", 12, 11, {2, 2}, {0, 0}},
    };
    for (PidStyle style : {PidStyle::Zip, PidStyle::Legacy}) {
        const std::string pkl = stateDictPickle(tensors, style);
        const std::string file = style == PidStyle::Zip ? zipCheckpoint(pkl, {{"0", floatBytes(values)}})
                                                        : legacyCheckpoint(pkl, {{"0", floatBytes(values)}});
        Expected<Checkpoint> c = parse(file);
        ASSERT_TRUE(c) << c.error();
        EXPECT_TRUE(sameBits(c->tensors.at("t").values,
            Tensor({4, 3}, std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11})));
        EXPECT_TRUE(sameBits(c->tensors.at("row").values, Tensor({4}, std::vector<float>{4, 5, 6, 7})));
        EXPECT_TRUE(sameBits(c->tensors.at("every_other").values, Tensor({2, 3}, std::vector<float>{1, 3, 5, 7, 9, 11})));
        EXPECT_TRUE(sameBits(c->tensors.at("expanded").values, Tensor({2, 2}, std::vector<float>(4, 11.0f))));
    }
}

TEST(PthReader, ResolvesLegacyStorageViews)
{
    // torch < 1.0 pickled views of a larger storage as ('storage', type, root,
    // location, root_size, (view_key, offset, view_size)).
    FakeTensor t{"bias", "FloatStorage", "root", 6, 1, {2}, {1}};
    t.view = std::make_tuple(std::string("v"), int64_t{2}, int64_t{3});
    const std::string file = legacyCheckpoint(stateDictPickle({t}, PidStyle::Legacy), {{"root", floatBytes({0, 1, 2, 3, 4, 5})}});
    Expected<Checkpoint> c = parse(file);
    ASSERT_TRUE(c) << c.error();
    EXPECT_TRUE(sameBits(c->tensors.at("bias").values, Tensor({2}, std::vector<float>{3, 4})));

    t.shape = {3}; // offset 1 + 3 elements overruns the 3-element view
    Expected<Checkpoint> over = parse(legacyCheckpoint(stateDictPickle({t}, PidStyle::Legacy), {{"root", floatBytes({0, 1, 2, 3, 4, 5})}}));
    ASSERT_FALSE(over);
    EXPECT_THAT(over.error(), HasSubstr("tensor 'bias'"));
}

TEST(PthReader, ConvertsEveryStorageType)
{
    struct Case {
        const char* storageClass;
        const char* dtype;
        std::string bytes;
        float expected;
    };
    const std::vector<Case> cases{
        {"DoubleStorage", "F64", std::string("\0\0\0\0\0\0\xf8\xbf", 8), -1.5f},
        {"HalfStorage", "F16", std::string("\x00\x3e", 2), 1.5f},
        {"BFloat16Storage", "BF16", std::string("\xc0\x3f", 2), 1.5f},
        {"LongStorage", "I64", std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8), -2.0f},
        {"IntStorage", "I32", std::string("\x07\0\0\0", 4), 7.0f},
        {"ShortStorage", "I16", std::string("\xff\xff", 2), -1.0f},
        {"CharStorage", "I8", std::string("\x80", 1), -128.0f},
        {"ByteStorage", "U8", std::string("\xc8", 1), 200.0f},
        {"BoolStorage", "BOOL", std::string("\x01", 1), 1.0f},
    };
    for (const Case& k : cases) {
        const FakeTensor t{"x", k.storageClass, "0", 1, 0, {1}, {1}};
        for (PidStyle style : {PidStyle::Zip, PidStyle::Legacy}) {
            const std::string pkl = stateDictPickle({t}, style);
            const std::string file = style == PidStyle::Zip ? zipCheckpoint(pkl, {{"0", k.bytes}})
                                                            : legacyCheckpoint(pkl, {{"0", k.bytes}}, k.bytes.size());
            Expected<Checkpoint> c = parse(file);
            ASSERT_TRUE(c) << k.storageClass << ": " << c.error();
            EXPECT_EQ(c->tensors.at("x").dtype, k.dtype);
            EXPECT_EQ(c->tensors.at("x").values.data()[0], k.expected) << k.storageClass;
        }
    }
}

TEST(PthReader, UnwrapsStateDictsAndRecordsTheRest)
{
    const FakeTensor a{"module.a", "FloatStorage", "0", 2, 0, {2}, {1}};
    const FakeTensor b{"b", "FloatStorage", "1", 1, 0, {}, {}};
    for (const char* wrapper : {"weight", "state_dict", "model"}) {
        Expected<Checkpoint> c = parse(zipCheckpoint(stateDictPickle({a, b}, PidStyle::Zip, wrapper, 42),
            {{"0", floatBytes({1, 2})}, {"1", floatBytes({3})}}));
        ASSERT_TRUE(c) << wrapper << ": " << c.error();
        ASSERT_TRUE(c->epoch);
        EXPECT_EQ(*c->epoch, 42);
        // Only one name has 'module.', so nothing is stripped.
        EXPECT_TRUE(c->tensors.count("module.a"));
        EXPECT_EQ(c->tensors.at("b").values.shape(), Shape{});
        EXPECT_THAT(c->notes, Contains(HasSubstr(std::string("under '") + wrapper + "'")));
    }
}

TEST(PthReader, ExplainsWhatIsWrong)
{
    const FakeTensor w{"conv.weight", "FloatStorage", "0", 4, 0, {2, 2}, {2, 1}};
    const std::string pkl = stateDictPickle({w}, PidStyle::Zip);
    const std::string data = floatBytes({1, 2, 3, 4});

    Expected<Checkpoint> missing = parse(zipCheckpoint(pkl, {}));
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error(), HasSubstr("checkpoint 'test.pth': tensor 'conv.weight'"));
    EXPECT_THAT(missing.error(), HasSubstr("archive/data/0' is missing"));

    Expected<Checkpoint> short_ = parse(zipCheckpoint(pkl, {{"0", data.substr(0, 12)}}));
    ASSERT_FALSE(short_);
    EXPECT_THAT(short_.error(), HasSubstr("tensor 'conv.weight' data runs past the end"));

    const FakeTensor tooBig{"conv.weight", "FloatStorage", "0", 4, 1, {2, 2}, {2, 1}};
    Expected<Checkpoint> overrun = parse(zipCheckpoint(stateDictPickle({tooBig}, PidStyle::Zip), {{"0", data}}));
    ASSERT_FALSE(overrun);
    EXPECT_THAT(overrun.error(), HasSubstr("tensor 'conv.weight' with shape [2,2] needs more elements"));

    // A stride-0 view may repeat elements, but not into terabytes.
    const FakeTensor expanding{"conv.weight", "FloatStorage", "0", 4, 0, {1 << 20, 1 << 20}, {0, 0}};
    Expected<Checkpoint> expanded = parse(zipCheckpoint(stateDictPickle({expanding}, PidStyle::Zip), {{"0", data}}));
    ASSERT_FALSE(expanded);
    EXPECT_THAT(expanded.error(), HasSubstr("tensor 'conv.weight' would expand its storage"));
    const FakeTensor overflowing{"conv.weight", "FloatStorage", "0", 4, 0, {int64_t{1} << 32, int64_t{1} << 32, 0}, {0, 0, 1}};
    Expected<Checkpoint> overflow = parse(zipCheckpoint(stateDictPickle({overflowing}, PidStyle::Zip), {{"0", data}}));
    ASSERT_FALSE(overflow);
    EXPECT_THAT(overflow.error(), HasSubstr("impossible shape"));

    Expected<Checkpoint> noPickle = parse(iotest::storedZip({{"images/a.png", "x"}}));
    ASSERT_FALSE(noPickle);
    EXPECT_THAT(noPickle.error(), HasSubstr("without a data.pkl"));

    Expected<Checkpoint> script = parse(iotest::storedZip({{"m/data.pkl", pkl}, {"m/constants.pkl", pkl}}));
    ASSERT_FALSE(script);
    EXPECT_THAT(script.error(), HasSubstr("TorchScript"));

    Expected<Checkpoint> twoPickles = parse(iotest::storedZip({{"a/data.pkl", pkl}, {"b/data.pkl", pkl}}));
    ASSERT_FALSE(twoPickles);
    EXPECT_THAT(twoPickles.error(), HasSubstr("2 data.pkl records"));

    Expected<Checkpoint> bigEndian = parse(iotest::storedZip({{"a/data.pkl", pkl}, {"a/byteorder", "big"}, {"a/data/0", data}}));
    ASSERT_FALSE(bigEndian);
    EXPECT_THAT(bigEndian.error(), HasSubstr("byte order 'big'"));
    ASSERT_TRUE(parse(iotest::storedZip({{"a/data.pkl", pkl}, {"a/byteorder", "little"}, {"a/data/0", data}})));

    Expected<Checkpoint> bigLegacy = parse(legacyCheckpoint(stateDictPickle({w}, PidStyle::Legacy), {{"0", data}}, 4, false));
    ASSERT_FALSE(bigLegacy);
    EXPECT_THAT(bigLegacy.error(), HasSubstr("big-endian"));

    Expected<Checkpoint> noTensors = parse(zipCheckpoint(iotest::PickleWriter().proto(2).emptyDict().mark().text("lr")
        .binfloat(0.1).text("arch").text("x").setitems().stop().bytes(), {}));
    ASSERT_FALSE(noTensors);
    EXPECT_THAT(noTensors.error(), HasSubstr("holds no tensors"));
    EXPECT_THAT(noTensors.error(), HasSubstr("'lr', 'arch'"));

    // A legacy file whose storage count disagrees with its declaration.
    std::string wrongCount = legacyCheckpoint(stateDictPickle({w}, PidStyle::Legacy), {{"0", data + data}});
    Expected<Checkpoint> counted = parse(wrongCount);
    ASSERT_FALSE(counted);
    EXPECT_THAT(counted.error(), HasSubstr("the file holds 8 elements for storage '0'"));

    Expected<Checkpoint> cut = parse(legacyCheckpoint(stateDictPickle({w}, PidStyle::Legacy), {{"0", data}}).substr(0, 300));
    ASSERT_FALSE(cut);
    EXPECT_THAT(cut.error(), HasSubstr("truncated"));
}

TEST(PthReader, RejectsFilesThatAreNotCheckpoints)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    Expected<Checkpoint> png = readCheckpoint(testing::goldenDir() / "RPool_Face_M4_240x320.input.png");
    ASSERT_FALSE(png);
    EXPECT_THAT(png.error(), HasSubstr("RPool_Face_M4_240x320.input.png'"));
    EXPECT_THAT(png.error(), HasSubstr("PNG image"));
    Expected<Checkpoint> npy = readPth(testing::goldenDir() / "RPool_Face_M4_240x320.input.npy");
    ASSERT_FALSE(npy);
    EXPECT_THAT(npy.error(), HasSubstr("NumPy"));

    writeBytes(dir / "empty.pth", "");
    EXPECT_THAT(readCheckpoint(dir / "empty.pth").error(), HasSubstr("the file is empty"));
    EXPECT_THAT(readPth(dir / "empty.pth").error(), HasSubstr("the file is empty"));
    writeBytes(dir / "notes.pth", "These are not the weights you are looking for.\n");
    EXPECT_THAT(readCheckpoint(dir / "notes.pth").error(), HasSubstr("text file starting \"These are not"));
    writeBytes(dir / "lfs.pth", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\n");
    EXPECT_THAT(readCheckpoint(dir / "lfs.pth").error(), HasSubstr("Git LFS pointer"));
    EXPECT_THAT(readCheckpoint(dir.path()).error(), HasSubstr("is a folder"));
    const Expected<Checkpoint> missing = readCheckpoint(dir / "nowhere.pth");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error(), HasSubstr("nowhere.pth': no such file"));
}

} // namespace
} // namespace rnnpool
