// compareWithMeasured: measured instructions per layer joined with the work
// of the same layers and summed per op class beside each profile's prediction,
// worked out by hand on a made-up profile; and L2Norm's per-pixel taps.
#include <gtest/gtest.h>

#include "mcu/latency_check.h"
#include "model/arch_spec.h"

namespace rnnpool {
namespace {

CostProfile handProfile()
{
    CostProfile p;
    p.name = "hand";
    p.perLayer = 100.0;
    p.classes[opClassIndex(OpClass::PointwiseConv)].perMac = 2.0;
    p.classes[opClassIndex(OpClass::PointwiseConv)].perOutput = 10.0;
    p.classes[opClassIndex(OpClass::Elementwise)].perOutput = 3.0;
    p.classes[opClassIndex(OpClass::Elementwise)].perTap = 50.0;
    return p;
}

LayerWork layer(const std::string& name, OpClass c, int64_t macs, int64_t taps, int64_t outputs)
{
    LayerWork w;
    w.name = name;
    w.opClass = c;
    w.macs = macs;
    w.taps = taps;
    w.outputs = outputs;
    return w;
}

TEST(LatencyCheck, SumsMeasuredAndPredictedPerOpClassByHand)
{
    const std::vector<LayerWork> work{layer("pw1", OpClass::PointwiseConv, 1000, 0, 40),
                                      layer("norm", OpClass::Elementwise, 0, 4, 64),
                                      layer("pw2", OpClass::PointwiseConv, 500, 0, 20),
                                      layer("never_run", OpClass::Elementwise, 0, 0, 10)};
    const std::vector<std::pair<std::string, uint64_t>> measured{{"pw1", 3000}, {"norm", 600}, {"pw2", 1500}, {"stray", 7}};
    const LatencyCheck c = compareWithMeasured(work, measured, {handProfile()});
    ASSERT_EQ(c.classes.size(), 2u);
    const ClassLatencyCheck& pw = c.classes[0];
    EXPECT_EQ(pw.opClass, OpClass::PointwiseConv);
    EXPECT_EQ(pw.layers, 2);
    EXPECT_EQ(pw.measuredInstructions, 4500u);
    // (1000*2 + 40*10 + 100) + (500*2 + 20*10 + 100) = 2500 + 1300
    EXPECT_DOUBLE_EQ(pw.predictedBy("hand"), 3800.0);
    EXPECT_DOUBLE_EQ(pw.ratio("hand"), 3800.0 / 4500.0);
    const ClassLatencyCheck& el = c.classes[1];
    EXPECT_EQ(el.measuredInstructions, 600u);
    EXPECT_DOUBLE_EQ(el.predictedBy("hand"), 64 * 3.0 + 4 * 50.0 + 100.0);
    EXPECT_EQ(c.unmeasured, std::vector<std::string>{"never_run"});
    EXPECT_EQ(c.unknown, std::vector<std::string>{"stray"});
    EXPECT_EQ(c.layers.size(), 3u);
    EXPECT_DOUBLE_EQ(pw.ratio("no-such-profile"), 0.0);
}

TEST(LatencyCheck, L2NormCountsOnePixelTapPerNormalisedVector)
{
    auto spec = parseArchSpec(R"({"name": "n", "task": "classification",
      "input": {"channels": 3, "width": 5, "height": 4},
      "layers": [{"name": "norm", "op": "l2norm", "weights": "s"}]})", "test spec");
    ASSERT_TRUE(spec) << spec.error();
    auto work = architectureWork(*spec, {3, 4, 5});
    ASSERT_TRUE(work) << work.error();
    ASSERT_EQ(work->size(), 1u);
    EXPECT_EQ(work->front().opClass, OpClass::Elementwise);
    EXPECT_EQ(work->front().outputs, 60);
    EXPECT_EQ(work->front().taps, 20);  // 4 x 5 pixels, one square root each
}

} // namespace
} // namespace rnnpool
