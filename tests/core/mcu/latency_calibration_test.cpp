// The latency estimate against published measurements. The cost profiles
// (resources/mcu/cost_profiles.json) are derived from instruction counts of the
// kernels' inner loops, not fitted to these figures; here they are predictions.
//   - RNNPool-Face-M4 at 320x240x1, sparse RNNPool as deployed (paper Sec. 5.4:
//     W of RNN1 50% nonzero, the other matrices 30%), STM32F439 at 168 MHz:
//     measured 10.45 s with SeeDot-generated fixed-point C.
//   - MLPerf Tiny visual wake words (MobileNetV1 0.25x, 96x96x3) on the
//     NUCLEO-L4R5ZI at 120 MHz: vendor-optimised about 221 ms, reference TFLM about 600 ms.
#include <gtest/gtest.h>

#include "mcu/board.h"
#include "mcu/latency_model.h"
#include "model/model.h"

namespace rnnpool {
namespace {

constexpr double kTolerance = 0.25;

double estimateMs(const std::string& arch, const Shape& input, const std::string& profile, const std::string& board,
                  const LatencyOptions& options = {})
{
    auto spec = findArchitecture(arch);
    EXPECT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    EXPECT_TRUE(net) << net.error();
    auto work = measureWork(*net, input, options);
    EXPECT_TRUE(work) << work.error();
    auto cost = findCostProfile(profile);
    EXPECT_TRUE(cost) << cost.error();
    auto b = findBoard(board);
    EXPECT_TRUE(b) << b.error();
    if (!spec || !net || !work || !cost || !b)
        return 0.0;
    return estimateLatency(*work, *cost, b->clockMHz).milliseconds();
}

TEST(LatencyCalibration, GenericCLandsRnnPoolFaceM4NearThePapersMeasurement)
{
    LatencyOptions deployed;
    deployed.rnnDensity = {0.5, 0.3, 0.3, 0.3};
    const double ms = estimateMs("rnnpool-face-m4", {1, 240, 320}, "generic-c", "stm32f439zi", deployed);
    EXPECT_NEAR(ms, 10450.0, kTolerance * 10450.0);
    // Dense RNN matrices would cost more: the sparsity is part of the measured model.
    EXPECT_GT(estimateMs("rnnpool-face-m4", {1, 240, 320}, "generic-c", "stm32f439zi"), ms);
}

TEST(LatencyCalibration, CmsisNnLandsMlperfTinyVwwNearTheVendorOptimisedMeasurement)
{
    const double ms = estimateMs("mlperf-tiny-vww", {3, 96, 96}, "cmsis-nn", "stm32l4r5zi");
    EXPECT_NEAR(ms, 221.0, kTolerance * 221.0);
}

TEST(LatencyCalibration, TflmReferenceOverestimatesMlperfTinyVwwByAboutAThird)
{
    // A known miss, kept visible: the instruction-count derivation predicts
    // about 785 ms against the published ~600 ms (+31%), outside the 25% band.
    // The test pins the sign and size of the miss so that a change to the
    // profile that moves it shows up here.
    const double ms = estimateMs("mlperf-tiny-vww", {3, 96, 96}, "tflm-reference", "stm32l4r5zi");
    EXPECT_GT(ms, 600.0);
    EXPECT_LT(ms, 600.0 * 1.35);
    EXPECT_GT(ms, 2.0 * estimateMs("mlperf-tiny-vww", {3, 96, 96}, "cmsis-nn", "stm32l4r5zi"));
}

} // namespace
} // namespace rnnpool
