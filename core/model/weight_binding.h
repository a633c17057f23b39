// Filling a Network's weight slots from a checkpoint, with every check a user
// needs: missing and unexpected keys, shapes, dtypes, EdgeML's two FastGRNN
// layouts and its optional RNNCell_reverse entries.
//
//   BindOptions opts;                       // opts.rnnLayout = RnnLayout::Legacy to force
//   BindReport report;
//   if (Status st = bindWeights(net, checkpoint, "m4.pth", opts, report); !st) fail(st.error());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "model/network.h"

namespace rnnpool {

// How FastGRNN's W and U are stored. EdgeML changed the layout in April 2020:
// before, W was hidden×input and U was applied transposed.
enum class RnnLayout { Auto, Current, Legacy };

struct BindOptions {
    RnnLayout rnnLayout = RnnLayout::Auto;
};

struct BindReport {
    RnnLayout layoutUsed = RnnLayout::Current;
    std::vector<std::string> notes; // e.g. "no RNNCell_reverse entries: the backward RNN2 uses RNNCell"
};

// Fills every slot and finalizes the network. `file` names the source in messages.
Status bindWeights(Network& net, const Checkpoint& checkpoint, const std::string& file, const BindOptions& options,
                   BindReport& report);

// How well a checkpoint fits an architecture; used to recognise it.
struct CheckpointFit {
    bool fits = false;
    int missing = 0;
    int wrongShape = 0;
    int unexpected = 0;
    std::string firstProblem;
};
CheckpointFit checkFit(Network& net, const Checkpoint& checkpoint);

// Seeded random weights that keep activations in a sensible range (He-scaled
// convolutions, BatchNorm near identity, FastGRNN as EdgeML initialises it).
void randomizeWeights(Network& net, uint64_t seed);

} // namespace rnnpool
