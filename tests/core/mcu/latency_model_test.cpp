// The latency model: work counted per op class on small networks whose counts
// are worked out by hand below, cycles under a made-up profile whose every
// number is distinct, and the parsing of profiles and RNN densities.
#include <gtest/gtest.h>

#include "mcu/latency_model.h"
#include "model/arch_spec.h"

namespace rnnpool {
namespace {

Network buildNetwork(const std::string& specJson)
{
    auto spec = parseArchSpec(specJson, "test spec");
    EXPECT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    EXPECT_TRUE(net) << net.error();
    return std::move(*net);
}

// 1x8x8 -> conv 3x3 (4) -> depthwise 3x3 -> pointwise (8) -> global pool -> linear (2).
constexpr const char* kSmallCnn = R"({"name": "small", "task": "classification",
 "input": {"channels": 1, "width": 8, "height": 8},
 "layers": [
  {"name": "conv", "op": "conv", "out": 4, "kernel": 3, "pad": 1, "weights": "c"},
  {"name": "dw", "op": "conv", "groups": "depthwise", "out": 4, "kernel": 3, "pad": 1, "weights": "d"},
  {"name": "pw", "op": "conv", "out": 8, "kernel": 1, "weights": "p"},
  {"name": "pool", "op": "global_avgpool"},
  {"name": "fc", "op": "linear", "out": 2, "weights": "f"}]})";

// Costs chosen so that every product below is easy to check by hand.
constexpr const char* kTestProfiles = R"({"profiles": [{"name": "test", "basis": "made up", "per_layer": 100,
 "classes": {
  "standard_conv": {"per_mac": 2, "per_tap": 3, "per_output": 5, "basis": "b"},
  "depthwise_conv": {"per_mac": 7, "per_tap": 11, "per_output": 13, "basis": "b"},
  "pointwise_conv": {"per_mac": 1, "per_tap": 17, "per_output": 19, "basis": "b"},
  "fully_connected": {"per_mac": 23, "per_output": 29, "basis": "b"},
  "rnn_matvec": {"per_mac": 31, "per_nonzero": 37, "per_column": 41, "per_output": 43, "basis": "b"},
  "elementwise": {"per_output": 47, "basis": "b"}}}]})";

CostProfile testProfile()
{
    auto profiles = parseCostProfiles(kTestProfiles, "test profiles");
    EXPECT_TRUE(profiles) << profiles.error();
    return profiles->front();
}

TEST(LatencyModel, CountsTheWorkOfASmallCnnByHand)
{
    const Network net = buildNetwork(kSmallCnn);
    auto work = measureWork(net, {1, 8, 8});
    ASSERT_TRUE(work) << work.error();
    ASSERT_EQ(work->size(), 5u);
    const auto& w = *work;
    // conv: 4x8x8 = 256 outputs, each 9 taps of 1 input channel.
    EXPECT_EQ(w[0].opClass, OpClass::StandardConv);
    EXPECT_EQ(w[0].outputs, 256);
    EXPECT_EQ(w[0].taps, 2304);
    EXPECT_EQ(w[0].macs, 2304);
    // depthwise: the same 256 outputs, 9 taps, one channel per tap.
    EXPECT_EQ(w[1].opClass, OpClass::DepthwiseConv);
    EXPECT_EQ(w[1].macs, 2304);
    EXPECT_EQ(w[1].taps, 2304);
    // pointwise: 8x8x8 = 512 outputs, 4 input channels each.
    EXPECT_EQ(w[2].opClass, OpClass::PointwiseConv);
    EXPECT_EQ(w[2].outputs, 512);
    EXPECT_EQ(w[2].macs, 2048);
    EXPECT_EQ(w[2].taps, 512);
    // global pooling reads the 512 elements.
    EXPECT_EQ(w[3].opClass, OpClass::Elementwise);
    EXPECT_EQ(w[3].outputs, 512);
    // fully connected: 8 -> 2.
    EXPECT_EQ(w[4].opClass, OpClass::FullyConnected);
    EXPECT_EQ(w[4].macs, 16);
    EXPECT_EQ(w[4].outputs, 2);
}

TEST(LatencyModel, CyclesOfASmallCnnByHand)
{
    const Network net = buildNetwork(kSmallCnn);
    auto work = measureWork(net, {1, 8, 8});
    ASSERT_TRUE(work) << work.error();
    const LatencyEstimate e = estimateLatency(*work, testProfile(), 50.0);
    // conv 2304*2 + 2304*3 + 256*5 = 12800; depthwise 2304*7 + 2304*11 + 256*13 = 44800;
    // pointwise 2048*1 + 512*17 + 512*19 = 20480; pool 512*47 = 24064; fc 16*23 + 2*29 = 426;
    // five layers at 100 = 500. Total 103070 cycles; at 50 MHz 2.0614 ms.
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::StandardConv)], 12800.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::DepthwiseConv)], 44800.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::PointwiseConv)], 20480.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::Elementwise)], 24064.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::FullyConnected)], 426.0);
    EXPECT_DOUBLE_EQ(e.layerOverheadCycles, 500.0);
    EXPECT_DOUBLE_EQ(e.cycles, 103070.0);
    EXPECT_NEAR(e.milliseconds(), 2.0614, 1e-9);
    ASSERT_EQ(e.layerCycles.size(), 5u);
    EXPECT_DOUBLE_EQ(e.layerCycles[0], 12900.0);
}

// 2x8x8 -> RNNPool with 4x4 patches at stride 4 (a 2x2 grid), h1 = 3, h2 = 2.
constexpr const char* kTinyRnnPool = R"({"name": "tiny-rnnpool", "task": "classification",
 "input": {"channels": 2, "width": 8, "height": 8},
 "layers": [{"name": "pool", "op": "rnnpool", "patch": 4, "stride": 4, "h1": 3, "h2": 2,
             "pad_bottom_right": 0, "weights": "r"}]})";

TEST(LatencyModel, RnnPoolWorkDenseAndSparseByHand)
{
    const Network net = buildNetwork(kTinyRnnPool);
    LatencyOptions options;
    options.rnnDensity = {0.5, 0.3, 0.3, 0.3};
    auto work = measureWork(net, {2, 8, 8}, options);
    ASSERT_TRUE(work) << work.error();
    const LayerWork& w = work->front();
    EXPECT_EQ(w.opClass, OpClass::RnnMatVec);
    // 4 patches. RNN1: 2*4 sequences of 4 steps = 32 steps of W (3x2) and U (3x3);
    // RNN2: 4 sequences of 4 = 16 steps of W (2x3) and U (2x2).
    EXPECT_EQ(w.macs, 4 * (32 * (6 + 9) + 16 * (6 + 4)));          // 2560, the op's own madds
    EXPECT_EQ(w.outputs, 4 * (32 * 3 + 16 * 2));                    // 512 hidden-unit updates
    EXPECT_EQ(w.columns, 4 * (32 * (2 + 3) + 16 * (3 + 2)));        // 960
    EXPECT_EQ(w.nonzeros, 922);                                     // 4 * (32*(3+2.7) + 16*(1.8+1.2)) = 921.6
    const CostProfile profile = testProfile();
    // Sparse kernel: 922*37 + 960*41 + 512*43 = 34114 + 39360 + 22016 = 95490.
    EXPECT_DOUBLE_EQ(layerCycles(w, profile), 95490.0);
    // Dense weights, or a profile without a sparse kernel: 2560*31 + 512*43 = 101376.
    auto dense = measureWork(net, {2, 8, 8});
    ASSERT_TRUE(dense);
    EXPECT_DOUBLE_EQ(layerCycles(dense->front(), profile), 101376.0);
    CostProfile noSparse = profile;
    noSparse.classes[opClassIndex(OpClass::RnnMatVec)].perNonzero = 0.0;
    EXPECT_DOUBLE_EQ(layerCycles(w, noSparse), 101376.0);
}

// 4x8x8 -> EfficientNet's MBConv without expansion (depthwise, squeeze-excite
// 4 -> 2 -> 4, project, residual add) -> 2x2 max pooling.
constexpr const char* kSqueezeAndPool = R"({"name": "se-pool", "task": "classification",
 "input": {"channels": 4, "width": 8, "height": 8},
 "layers": [
  {"name": "mb", "op": "mbconv", "out": 4, "expand": 1, "kernel": 3, "se_ratio": 0.5, "weights": "m"},
  {"name": "pool", "op": "maxpool", "kernel": 2, "stride": 2}]})";

TEST(LatencyModel, SqueezeExciteAndPoolingByHand)
{
    const Network net = buildNetwork(kSqueezeAndPool);
    auto work = measureWork(net, {4, 8, 8});
    ASSERT_TRUE(work) << work.error();
    const LayerWork* se = nullptr;
    const LayerWork* pool = nullptr;
    for (const LayerWork& w : *work) {
        if (w.name == "mb.se")
            se = &w;
        if (w.name == "pool")
            pool = &w;
    }
    ASSERT_TRUE(se && pool);
    // Squeeze-excite: 4 -> 2 -> 4 is 16 MACs and 6 outputs, plus a pass to pool
    // the 4x8x8 map and one to scale it, 512 elements.
    EXPECT_EQ(se->opClass, OpClass::FullyConnected);
    EXPECT_EQ(se->macs, 16);
    EXPECT_EQ(se->outputs, 6);
    EXPECT_EQ(se->elements, 512);
    // 16*23 + 6*29 + 512*47 = 368 + 174 + 24064.
    EXPECT_DOUBLE_EQ(layerCycles(*se, testProfile()), 24606.0);
    // Max pooling: 4x4x4 outputs, each reading a 2x2 window.
    EXPECT_EQ(pool->opClass, OpClass::Elementwise);
    EXPECT_EQ(pool->outputs, 256);
    const LatencyEstimate e = estimateLatency({*se, *pool}, testProfile(), 100.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::FullyConnected)], 542.0);
    EXPECT_DOUBLE_EQ(e.cyclesByClass[opClassIndex(OpClass::Elementwise)], 24064.0 + 256.0 * 47.0);
}

TEST(LatencyModel, RnnDensityParsing)
{
    auto four = parseRnnDensity("0.5,0.3,0.3,0.25");
    ASSERT_TRUE(four) << four.error();
    EXPECT_DOUBLE_EQ(four->w1, 0.5);
    EXPECT_DOUBLE_EQ(four->u2, 0.25);
    auto one = parseRnnDensity("0.4");
    ASSERT_TRUE(one);
    EXPECT_DOUBLE_EQ(one->w2, 0.4);
    EXPECT_FALSE(one->dense());
    for (const char* bad : {"", "0", "1.5", "0.5,0.3", "a,b,c,d", "0.5,,0.3,0.3"}) {
        auto d = parseRnnDensity(bad);
        ASSERT_FALSE(d) << bad;
        EXPECT_NE(d.error().find("density"), std::string::npos) << d.error();
    }
}

TEST(CostProfiles, BadFilesAreRefusedWithTheReason)
{
    auto notJson = parseCostProfiles("{", "x.json");
    ASSERT_FALSE(notJson);
    EXPECT_NE(notJson.error().find("x.json"), std::string::npos);
    auto noClass = parseCostProfiles(R"({"profiles": [{"name": "a", "basis": "b", "classes": {}}]})", "x.json");
    ASSERT_FALSE(noClass);
    EXPECT_NE(noClass.error().find("standard_conv"), std::string::npos) << noClass.error();
    std::string negative = kTestProfiles;
    negative.replace(negative.find("\"per_mac\": 2"), 12, "\"per_mac\": -2");
    auto neg = parseCostProfiles(negative, "x.json");
    ASSERT_FALSE(neg);
    EXPECT_NE(neg.error().find("per_mac"), std::string::npos) << neg.error();
    auto missing = loadCostProfiles("/nonexistent/cost_profiles.json");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("/nonexistent/cost_profiles.json"), std::string::npos);
    EXPECT_FALSE(findCostProfile("no-such-profile"));
}

TEST(CostProfiles, TheShippedProfilesLoadWithTheirDerivations)
{
    auto profiles = loadCostProfiles();
    ASSERT_TRUE(profiles) << profiles.error();
    std::vector<std::string> names;
    for (const CostProfile& p : *profiles) {
        names.push_back(p.name);
        EXPECT_FALSE(p.calibration.empty()) << p.name;
        for (const ClassCost& c : p.classes)
            EXPECT_FALSE(c.basis.empty()) << p.name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"generic-c", "cmsis-nn", "tflm-reference", "rnnpool-int8"}));
    // SIMD dual MACs make CMSIS-NN's pointwise MAC cheaper than one scalar MLA loop.
    auto cmsis = findCostProfile("CMSIS-NN");
    ASSERT_TRUE(cmsis);
    EXPECT_LT(cmsis->classes[opClassIndex(OpClass::PointwiseConv)].perMac, 2.0);
}

} // namespace
} // namespace rnnpool
