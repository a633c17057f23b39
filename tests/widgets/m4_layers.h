// The layers of RPool_Face_M4 (seeded random weights) described for a 320×240
// grey picture, for the layer table and tree tests.
#pragma once

#include <vector>

#include <gtest/gtest.h>

#include "model/model.h"

namespace rnnpool::widgets {

inline std::vector<LayerInfo> m4Layers()
{
    auto model = randomModel("RPool_Face_M4", 1);
    EXPECT_TRUE(model) << model.error();
    if (!model)
        return {};
    auto layers = model->network->describe({1, 240, 320});
    EXPECT_TRUE(layers) << layers.error();
    return layers ? *layers : std::vector<LayerInfo>{};
}

} // namespace rnnpool::widgets
