// Per-run changes to an architecture spec, by key, as `rnnpool profile --set`
// takes them: "<op-or-layer>[<index>].<field>=<value>".
//   rnnpool.h1=8        the first RNNPool layer's h1
//   rnnpool[1].patch=6  the second RNNPool layer's patch size
//   block0.out=24       the layer named block0
#pragma once

#include <string>

#include "model/arch_spec.h"

namespace rnnpool {

Status applySpecSetting(ArchSpec& spec, const std::string& assignment);

} // namespace rnnpool
