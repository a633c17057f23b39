// Checkpoint: the named tensors of a model file, whatever format it came in
// (PyTorch zip, PyTorch legacy pickle, safetensors), converted to float.
//
//   Expected<Checkpoint> ckpt = readCheckpoint("rpool_face_quant.pth");
//   if (!ckpt) { report(ckpt.error()); return; }  // names the file and the problem
//   const StoredTensor& w = ckpt->tensors.at("rnn_model.cell_rnn.cell.W");
//   // w.dtype == "F32", w.values.shape() == {4, 8}
//
// readCheckpoint() looks at the content, not the extension: a .pth that is
// really safetensors reads fine, and a PNG renamed to .pth is reported as a
// PNG. Nothing in a file is ever executed (see pickle.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

struct StoredTensor {
    std::string dtype; // as stored: "F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", ...
    Tensor values;     // converted to float32, shape as stored
};

struct Checkpoint {
    std::map<std::string, StoredTensor> tensors;
    std::optional<int64_t> epoch;                // from an {epoch, weight} style wrapper
    std::string format;                          // "pytorch-zip", "pytorch-legacy" or "safetensors"
    std::map<std::string, std::string> metadata; // safetensors __metadata__, or a wrapper's scalar entries
    std::vector<std::string> notes;              // what the reader adjusted, e.g. "stripped 'module.' prefixes"

    // Just the values, by name.
    TensorMap tensorMap() const;
};

// Reads a PyTorch (zip or legacy) or safetensors file, chosen by content.
Expected<Checkpoint> readCheckpoint(const std::filesystem::path& path);

// The same for bytes in memory. `label` starts every message, e.g.
// "checkpoint 'x.pth'" (see fileLabel() in file_io.h).
Expected<Checkpoint> parseCheckpoint(std::span<const uint8_t> bytes, const std::string& label);

// What bytes that are no checkpoint look like, for messages:
// "it is a PNG image", "it is a text file starting \"hello\"", "the file is empty".
std::string describeContent(std::span<const uint8_t> bytes);

} // namespace rnnpool
