// StateDictLayout: what an unpickled PyTorch checkpoint says about its
// tensors (names, storages, offsets, shapes, strides), before any tensor
// data is read. The zip and legacy readers share it; they differ only in
// where the storage bytes live.
//
//   Expected<StateDictLayout> layout = readStateDictLayout(doc);
//   // ... find the bytes of every storage in layout->storages ...
//   Expected<Checkpoint> ckpt = assembleCheckpoint(*layout, storageBytes, "pytorch-zip");
//
// Messages carry no file name; the container reader prefixes it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "io/dtype.h"
#include "io/pickle.h"
#include "util/expected.h"

namespace rnnpool {

// A root storage as the pickle's persistent ids declare it.
struct StorageDecl {
    std::string key;
    DType dtype = DType::F32;
    int64_t numel = 0;
    std::string location; // "cpu", "cuda:0", ...
};

struct TensorLayout {
    std::string name;       // as in the file, before any prefix is stripped
    std::string storageKey; // the root storage
    int64_t offset = 0;     // in elements from the start of the root storage
    int64_t limit = 0;      // the tensor must stay below this element of the root storage
    Shape shape;
    std::vector<int64_t> stride;
};

struct StateDictLayout {
    std::map<std::string, StorageDecl> storages; // every storage the pickle declares, by key
    std::vector<TensorLayout> tensors;           // in state-dict order
    std::optional<int64_t> epoch;
    std::map<std::string, std::string> metadata;
    std::vector<std::string> notes;

    // For messages about a storage: "tensor 'conv.0.weight'", or "storage 'k'"
    // when only skipped entries use it.
    std::string describeUser(const std::string& storageKey) const;
};

// Finds the state dict: the top-level dict itself when it holds tensors, else
// one under 'state_dict', 'weight', 'model' or 'model_state_dict'.
Expected<StateDictLayout> readStateDictLayout(const PickleDocument& doc);

// Converts every tensor out of its storage's little-endian bytes (which must
// hold the declared number of elements), strips DataParallel's 'module.'
// prefixes when every name has one, and fills a Checkpoint.
Expected<Checkpoint> assembleCheckpoint(const StateDictLayout& layout,
    const std::map<std::string, std::span<const uint8_t>>& storageBytes, std::string format);

} // namespace rnnpool
