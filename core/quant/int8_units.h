// The layers of a streamed schedule unit (profile/schedule.h) as the int8
// streaming kernels (integer/stream_s8.h) take them: which node is the
// expansion, the depthwise filter, the projection and the shortcut add of an
// inverted residual; which convolutions feed an RNNPool computed patch by
// patch. The desktop's metered arena (int8_arena.h) and the firmware
// generator (mcu/model_firmware.h) both read a unit through this.
//
//   Expected<Int8UnitParts> parts = int8UnitParts(net8, unit);
//   rp_ir_s8_block b = int8Block(net8, *parts);
#pragma once

#include <vector>

#include "integer/stream_s8.h"
#include "profile/schedule.h"
#include "quant/int8_network.h"

namespace rnnpool {

struct Int8UnitParts {
    // InvertedResidual: node indices, -1 where the block has none (expand, add).
    int expand = -1, depthwise = -1, project = -1, add = -1;
    // RnnPoolPatches: the convolutions from the unit's input to RNNPool, in order, and RNNPool.
    std::vector<int> convs;
    int pool = -1;
};

// Refuses units the int8 streaming kernels cannot run, with the reason.
Expected<Int8UnitParts> int8UnitParts(const Int8Network& net8, const ScheduleUnit& unit);

// The kernels' views of the prepared parameters (pointers into net8).
rp_conv_s8_layer int8ConvLayer(const Int8Network& net8, int node);
rp_ir_s8_block int8Block(const Int8Network& net8, const Int8UnitParts& parts);
// Rows not set; channelQuant receives the per-channel output scales when RNNPool has them.
rp_rnnpool_s8_stream int8Stream(const Int8Network& net8, const Int8UnitParts& parts, rp_rnnpool_s8_channel_quant& channelQuant);

} // namespace rnnpool
