// diffModels: a model against itself is identical layer by layer; against a
// copy with one convolution's weights perturbed, the layers before it stay
// identical and that layer's SQNR is what the formula gives on the two
// outputs computed separately; two differently named graphs pair by position;
// float against the shipped int8 twin pairs every layer by name.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "engine/preprocess.h"
#include "model/default_model.h"
#include "profile/model_diff.h"
#include "quant/int8_detector.h"

namespace rnnpool {
namespace {

Tensor sampleInput(uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-100.0f, 100.0f);
    Tensor t({1, 60, 80});
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = u(rng);
    return t;
}

TEST(ModelDiff, AModelAgainstItselfIsIdenticalEverywhere)
{
    auto m = loadDefaultModel();
    ASSERT_TRUE(m) << m.error();
    const Tensor x = sampleInput(1);
    auto d = diffModels(floatSide("a", m->network), floatSide("b", m->network), x.shape(), &x, 1);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(d->rule, "name");
    EXPECT_EQ(d->paired(), static_cast<int>(m->network->nodes().size()));
    for (const LayerDiff& l : d->layers) {
        ASSERT_TRUE(l.compared) << l.a.name;
        EXPECT_EQ(l.maxAbs, 0.0) << l.a.name;
        EXPECT_FALSE(l.sqnrDb.has_value()) << l.a.name;
    }
    EXPECT_EQ(d->worst(), nullptr);
}

TEST(ModelDiff, APerturbedConvolutionShowsFromItsLayerOn)
{
    auto a = loadDefaultModel();
    auto b = loadDefaultModel();
    ASSERT_TRUE(a && b);
    const int target = b->network->findLayer("block1.expand");
    ASSERT_GE(target, 0);
    // Perturb that convolution's weights, then fold again.
    Node& node = const_cast<Node&>(b->network->nodes()[static_cast<size_t>(target)]);
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    for (WeightSlot& s : node.op->weightSlots())
        if (s.key.size() > 7 && s.key.compare(s.key.size() - 7, 7, ".weight") == 0 && s.target->rank() == 4)
            for (int64_t i = 0; i < s.target->numel(); ++i)
                s.target->data()[i] += noise(rng);
    node.op->finalize();

    const Tensor x = sampleInput(2);
    auto d = diffModels(floatSide("a", a->network), floatSide("b", b->network), x.shape(), &x, 1);
    ASSERT_TRUE(d) << d.error();
    for (const LayerDiff& l : d->layers) {
        ASSERT_TRUE(l.compared);
        if (l.a.node < target) {
            EXPECT_FALSE(l.sqnrDb.has_value()) << l.a.name << " runs before the perturbed layer";
        }
    }
    const LayerDiff& hit = d->layers[static_cast<size_t>(target)];
    ASSERT_TRUE(hit.sqnrDb.has_value());
    // Independently: run both networks and apply the definition.
    RunOptions keep;
    keep.keepAllOutputs = true;
    auto ra = a->network->run(x, keep);
    auto rb = b->network->run(x, keep);
    ASSERT_TRUE(ra && rb);
    const Tensor& ya = ra->outputs[static_cast<size_t>(target)];
    const Tensor& yb = rb->outputs[static_cast<size_t>(target)];
    double signal = 0.0, err = 0.0, worst = 0.0;
    for (int64_t i = 0; i < ya.numel(); ++i) {
        const double e = static_cast<double>(ya.data()[i]) - static_cast<double>(yb.data()[i]);
        signal += static_cast<double>(ya.data()[i]) * ya.data()[i];
        err += e * e;
        worst = std::max(worst, std::fabs(e));
    }
    EXPECT_NEAR(*hit.sqnrDb, 10.0 * std::log10(signal / err), 1e-9);
    EXPECT_DOUBLE_EQ(hit.maxAbs, worst);
    EXPECT_LT(*hit.sqnrDb, 60.0);
}

TEST(ModelDiff, DifferentNamesPairByPosition)
{
    auto a = randomModel("rnnpool-face-a", 1);
    auto b = randomModel("mobilenetv2", 1);
    ASSERT_TRUE(a && b);
    // Different input channels are refused with both labels named.
    auto refused = diffModels(floatSide("face-a", a->network), floatSide("mnv2", b->network), {3, 64, 64}, nullptr, 1);
    if (a->network->inputChannels() != b->network->inputChannels()) {
        ASSERT_FALSE(refused);
        EXPECT_NE(refused.error().find("different inputs"), std::string::npos);
    }
    auto c = randomModel("densenet121", 1);
    auto r = randomModel("resnet18", 1);
    ASSERT_TRUE(c && r);
    auto d = diffModels(floatSide("densenet", c->network), floatSide("resnet", r->network), {3, 224, 224}, nullptr, 1);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(d->rule, "order");
    EXPECT_EQ(d->paired(), static_cast<int>(std::min(c->network->nodes().size(), r->network->nodes().size())));
    EXPECT_FALSE(d->ran);
}

TEST(ModelDiff, FloatAgainstItsInt8TwinPairsEveryLayer)
{
    auto m = loadDefaultModel();
    ASSERT_TRUE(m);
    auto q = int8NetworkFor(*m);
    ASSERT_TRUE(q) << q.error();
    const Tensor x = sampleInput(3);
    auto d = diffModels(floatSide("f32", m->network), int8Side("i8", *q), x.shape(), &x, 1);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(d->paired(), static_cast<int>(m->network->nodes().size()));
    for (const LayerDiff& l : d->layers) {
        EXPECT_EQ(l.b.bytes * 4, l.a.bytes) << l.a.name << ": int8 maps take a byte per value";
        ASSERT_TRUE(l.compared) << l.a.name;
        ASSERT_TRUE(l.sqnrDb.has_value()) << l.a.name;
        EXPECT_GT(*l.sqnrDb, 10.0) << l.a.name; // int8 keeps the signal (quant-report: 20-51 dB)
    }
}

} // namespace
} // namespace rnnpool
