// Damaged model files: every golden checkpoint cut short at many offsets
// must give an error (never a crash), and randomly corrupted ones must give
// an error or a self-consistent result, never a crash or a hang. Run these
// under AddressSanitizer too (-DRNNPOOL_SANITIZE=ON).
#include <chrono>
#include <filesystem>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "io_test_support.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

using iotest::asBytes;
using iotest::FakeTensor;
using iotest::PidStyle;
using iotest::readBytes;
using iotest::TempDir;
using iotest::writeBytes;
using ::testing::StartsWith;

const std::string kLabel = "checkpoint 'damaged.pth'";

std::vector<std::filesystem::path> sharedCheckpoints()
{
    std::vector<std::filesystem::path> files;
    for (const auto& dir : {testing::goldenDir(), testing::authorsDir()})
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".pth")
                files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// The first 64 lengths one by one (headers, magic numbers, first opcodes),
// then 50 spread over the whole file.
std::set<size_t> truncationPoints(size_t size)
{
    std::set<size_t> cuts;
    for (size_t i = 0; i < 64 && i < size; ++i)
        cuts.insert(i);
    for (size_t k = 1; k <= 50; ++k)
        cuts.insert(size * k / 51);
    cuts.erase(size);
    return cuts;
}

// A result read from damaged bytes may be wrong, but never inconsistent.
::testing::AssertionResult consistent(const Checkpoint& c)
{
    static const std::set<std::string> kDtypes{"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32",
        "U16", "U8", "BOOL"};
    for (const auto& [name, t] : c.tensors) {
        if (!kDtypes.count(t.dtype))
            return ::testing::AssertionFailure() << "tensor '" << name << "' has dtype '" << t.dtype << "'";
        if (shapeNumel(t.values.shape()) != t.values.numel())
            return ::testing::AssertionFailure() << "tensor '" << name << "' has shape "
                                                 << shapeToString(t.values.shape()) << " but " << t.values.numel()
                                                 << " values";
    }
    return ::testing::AssertionSuccess();
}

TEST(CheckpointRobustness, EveryTruncatedSharedCheckpointIsAnError)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto files = sharedCheckpoints();
    ASSERT_EQ(files.size(), 8u) << "six golden and two authors' checkpoints";
    for (const auto& file : files) {
        const std::string bytes = readBytes(file);
        ASSERT_TRUE(parseCheckpoint(asBytes(bytes), kLabel)) << file;
        for (size_t cut : truncationPoints(bytes.size())) {
            Expected<Checkpoint> c = parseCheckpoint(asBytes(bytes).first(cut), kLabel);
            ASSERT_FALSE(c) << file.filename() << " cut to " << cut << " bytes was accepted";
            EXPECT_THAT(c.error(), StartsWith(kLabel + ": "));
        }
    }
}

TEST(CheckpointRobustness, TruncatedFilesOnDiskNameTheFile)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    for (const char* name : {"RPool_Face_M4_240x320.pth", "RPool_Face_M4_240x320.legacy.pth"}) {
        const std::string bytes = readBytes(testing::goldenDir() / name);
        for (size_t cut : {size_t{1}, size_t{16}, bytes.size() / 3, bytes.size() - 1}) {
            const auto path = dir / ("cut-" + std::to_string(cut) + ".pth");
            writeBytes(path, bytes.substr(0, cut));
            Expected<Checkpoint> c = readCheckpoint(path);
            ASSERT_FALSE(c) << name << " cut to " << cut;
            EXPECT_THAT(c.error(), StartsWith("checkpoint '" + path.string() + "': "));
        }
    }
    // The example message of the style guide, for a legacy file cut inside a storage.
    const std::string legacy = readBytes(testing::goldenDir() / "RPool_Face_M4_240x320.legacy.pth");
    Expected<Checkpoint> c = parseCheckpoint(asBytes(legacy).first(legacy.size() - 100), kLabel);
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error(), ::testing::MatchesRegex(".*tensor '.*' data runs past the end of the file \\(truncated\\?\\)"));
}

TEST(CheckpointRobustness, TruncatedSafetensorsIsAnError)
{
    RNNPOOL_REQUIRE_SHARED();
    TempDir dir;
    Expected<Checkpoint> source = readCheckpoint(testing::goldenDir() / "RPool_Face_M4_240x320.pth");
    ASSERT_TRUE(source);
    ASSERT_TRUE(writeSafetensors(dir / "m4.safetensors", source->tensorMap()));
    const std::string bytes = readBytes(dir / "m4.safetensors");
    for (size_t cut : truncationPoints(bytes.size())) {
        Expected<Checkpoint> c = parseCheckpoint(asBytes(bytes).first(cut), kLabel);
        ASSERT_FALSE(c) << "cut to " << cut;
    }
}

// Corrupts `count` variants of `bytes`, each in 1 to 8 random places, half of
// them inside the first `hotBytes` (where the headers and pickles are).
void corruptAndRead(const std::string& bytes, size_t hotBytes, int count, uint32_t seed, const char* what)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> value(0, 255), edits(1, 8);
    size_t accepted = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int variant = 0; variant < count; ++variant) {
        std::string damaged = bytes;
        const size_t range = (variant % 2 == 0) ? std::min(hotBytes, bytes.size()) : bytes.size();
        std::uniform_int_distribution<size_t> where(0, range - 1);
        for (int e = edits(rng); e > 0; --e)
            damaged[where(rng)] = static_cast<char>(value(rng));
        const auto before = std::chrono::steady_clock::now();
        Expected<Checkpoint> c = parseCheckpoint(asBytes(damaged), kLabel);
        const auto took = std::chrono::steady_clock::now() - before;
        EXPECT_LT(took, std::chrono::seconds(5)) << what << " variant " << variant << " took too long";
        if (c) {
            ++accepted;
            EXPECT_TRUE(consistent(*c)) << what << " variant " << variant;
        } else {
            EXPECT_THAT(c.error(), StartsWith(kLabel + ": ")) << what << " variant " << variant;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[          ] " << what << ": " << accepted << " of " << count << " corrupted variants read, the rest "
              << "refused, in " << seconds << " s\n";
}

TEST(CheckpointRobustness, RandomlyCorruptedCheckpointsNeverCrash)
{
    RNNPOOL_REQUIRE_SHARED();
    corruptAndRead(readBytes(testing::goldenDir() / "RPool_Face_M4_240x320.legacy.pth"), 20000, 300, 1, "legacy M4");
    corruptAndRead(readBytes(testing::authorsDir() / "rpool_face_checkpoint_2020-04-24.pth"), 55000, 200, 2,
        "authors' wrapped legacy");
    corruptAndRead(readBytes(testing::goldenDir() / "RPool_Face_M4_240x320.pth"), 20000, 300, 3, "zip M4");

    TempDir dir;
    Expected<Checkpoint> source = readCheckpoint(testing::goldenDir() / "RPool_Face_M4_240x320.pth");
    ASSERT_TRUE(source);
    ASSERT_TRUE(writeSafetensors(dir / "m4.safetensors", source->tensorMap()));
    corruptAndRead(readBytes(dir / "m4.safetensors"), 12000, 300, 4, "safetensors M4");
}

TEST(CheckpointRobustness, CorruptedPicklesInsideValidZipsNeverCrash)
{
    // The zip CRC catches most damage to data.pkl, so wrap each corrupted
    // pickle in a fresh, valid archive to reach the pickle machine itself.
    std::vector<FakeTensor> tensors;
    std::vector<std::pair<std::string, std::string>> storages;
    for (int i = 0; i < 6; ++i) {
        const std::string key = std::to_string(i);
        tensors.push_back({"layer" + key + ".weight", i % 2 ? "LongStorage" : "FloatStorage", key, 6, 0, {2, 3}, {3, 1}});
        storages.emplace_back(key, std::string(48, static_cast<char>(i)));
    }
    const std::string pkl = iotest::stateDictPickle(tensors, PidStyle::Zip);
    ASSERT_TRUE(parseCheckpoint(asBytes(iotest::zipCheckpoint(pkl, storages)), kLabel));

    std::mt19937 rng(5);
    std::uniform_int_distribution<size_t> where(0, pkl.size() - 1);
    std::uniform_int_distribution<int> value(0, 255), edits(1, 4);
    size_t accepted = 0;
    for (int variant = 0; variant < 400; ++variant) {
        std::string damaged = pkl;
        for (int e = edits(rng); e > 0; --e)
            damaged[where(rng)] = static_cast<char>(value(rng));
        Expected<Checkpoint> c = parseCheckpoint(asBytes(iotest::zipCheckpoint(damaged, storages)), kLabel);
        if (c) {
            ++accepted;
            EXPECT_TRUE(consistent(*c)) << "variant " << variant;
        } else {
            EXPECT_THAT(c.error(), StartsWith(kLabel + ": ")) << "variant " << variant;
        }
    }
    EXPECT_LT(accepted, 400u) << "corruption must be noticed at least sometimes";
}

} // namespace
} // namespace rnnpool
