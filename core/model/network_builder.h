// Expanding an ArchSpec's layer list into primitive nodes (used by Network::build).
#pragma once

#include <vector>

#include "model/network.h"

namespace rnnpool {

// Appends the nodes of every spec layer to `nodes`; channel counts are
// inferred from `inputChannels`. Messages name the spec and the layer.
Status expandLayers(const ArchSpec& spec, std::vector<Node>& nodes);

} // namespace rnnpool
