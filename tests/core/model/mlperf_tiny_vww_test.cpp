// The MLPerf Tiny visual-wake-words model (resources/architectures/
// mlperf_tiny_vww.json) against its published size: the Keras model of
// mlcommons/tiny (benchmark/training/visual_wake_words/vww_model.py) has
// 221,794 parameters in all (NXP eIQ model zoo's card for it says the same),
// of which the BatchNorm moving means and variances are not trainable; about
// 7.5 M multiply-accumulates at 96x96x3.
#include <gtest/gtest.h>

#include "model/model.h"

namespace rnnpool {
namespace {

TEST(MlperfTinyVww, ParameterCountMatchesThePublishedModel)
{
    auto spec = findArchitecture("mlperf-tiny-vww");
    ASSERT_TRUE(spec) << spec.error();
    EXPECT_EQ(spec->inputChannels, 3);
    EXPECT_EQ(spec->defaultWidth, 96);
    EXPECT_EQ(spec->defaultHeight, 96);
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    int64_t trainable = 0, movingStatistics = 0;
    for (const WeightSlot& slot : net->weightSlots())
        (slot.trainable ? trainable : movingStatistics) += shapeNumel(slot.shape);
    EXPECT_EQ(trainable + movingStatistics, 221794);
    auto layers = net->describe({3, 96, 96});
    ASSERT_TRUE(layers) << layers.error();
    int64_t madds = 0;
    for (const LayerInfo& l : *layers)
        madds += l.madds;
    EXPECT_NEAR(static_cast<double>(madds), 7.5e6, 0.01 * 7.5e6);
    // Two classes out, after a 3x3x256 map pooled to 256 features.
    EXPECT_EQ(layers->back().outputShape, (Shape{2, 1, 1}));
    EXPECT_EQ((*layers)[layers->size() - 2].outputShape, (Shape{256, 1, 1}));
}

} // namespace
} // namespace rnnpool
