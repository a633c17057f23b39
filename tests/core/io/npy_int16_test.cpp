// readNpyWithType and writeNpyInt16: the dtype a file was stored in, and int16
// arrays written exactly as np.save writes them (the EdgeML Q15 goldens were).
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "io/npy.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

std::string fileBytes(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(NpyInt16, RoundTripsValuesAndReportsTheDtype)
{
    const auto path = std::filesystem::temp_directory_path() / ("rnnpool_npy_int16_" + std::to_string(::getpid()) + ".npy");
    const std::vector<int16_t> values = {-32768, -1, 0, 1, 32767, 12345};
    ASSERT_TRUE(writeNpyInt16(path, {2, 3}, values));
    Expected<NpyArray> back = readNpyWithType(path);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->dtype, DType::I16);
    EXPECT_EQ(back->values.shape(), (Shape{2, 3}));
    for (size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(back->values.data()[i], static_cast<float>(values[i]));
    EXPECT_FALSE(writeNpyInt16(path, {4}, values)); // shape and count disagree
    std::filesystem::remove(path);
}

TEST(NpyInt16, ByteIdenticalToNumpysFiles)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto golden = testing::sharedDir() / "reference" / "edgeml-q15" / "q15_shift_rowsum.npy";
    Expected<NpyArray> array = readNpyWithType(golden);
    ASSERT_TRUE(array) << array.error();
    ASSERT_EQ(array->dtype, DType::I16);
    std::vector<int16_t> values(static_cast<size_t>(array->values.numel()));
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<int16_t>(array->values.data()[i]);
    const auto path = std::filesystem::temp_directory_path() / ("rnnpool_npy_int16_np_" + std::to_string(::getpid()) + ".npy");
    ASSERT_TRUE(writeNpyInt16(path, array->values.shape(), values));
    EXPECT_EQ(fileBytes(path), fileBytes(golden));
    std::filesystem::remove(path);
}

} // namespace
} // namespace rnnpool
