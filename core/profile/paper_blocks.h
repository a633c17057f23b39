// The block rules of the paper's Appendix E.2 (after Chowdhery et al.), for
// the blocks of the classification zoo. Each names the bytes a block needs
// while it runs, counting its input and its output:
//   residual block    max(input, output)   (E.2.1.2: the input is discarded
//                                           as it is added to the output)
//   dense block       output               (E.2.1.4: the input and every
//                                           layer's map are part of it)
//   inception block   input + the three narrowest path outputs (E.2.1.3)
//   pooling, DenseNet transition
//                     max(input, output)   (E.2.2 puts the peak of ResNet18,
//                                           DenseNet121 and GoogLeNet at the
//                                           first conv's output alone, so
//                                           the pool that follows it writes
//                                           over its input; we extend that
//                                           to transitions, whose 1x1 conv
//                                           is computed on the fly)
// These are the paper's estimates: the arena does not execute them. (MBConv
// with squeeze-excite, "exactly the same calculation" as MobileNetV2's block
// by E.2.2, runs as an inverted-residual unit and does execute.)
#pragma once

#include <optional>
#include <vector>

#include "model/network.h"

namespace rnnpool {

enum class PaperBlock { Residual, Dense, Inception, Pool, Transition };

const char* paperBlockName(PaperBlock block);

// The block a group of nodes (one spec layer, in node order) forms, if any.
std::optional<PaperBlock> recogniseBlock(const Network& net, const std::vector<int>& nodes);

// Elements the block needs while it runs, its input and output included.
int64_t paperBlockElements(PaperBlock block, const Network& net, const std::vector<int>& nodes, int64_t inputElements,
                           int64_t outputElements, const std::vector<Shape>& shapes);

} // namespace rnnpool
