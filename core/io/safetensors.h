// safetensors files: an 8-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range, then the raw data.
// The studio exports models in this format because reading it runs no code.
//
//   Status s = writeSafetensors("face.safetensors", ckpt.tensorMap(), {{"arch", "RPool_Face_M4"}});
//   Expected<Checkpoint> back = readSafetensors("face.safetensors");
//   // back->metadata.at("arch") == "RPool_Face_M4"
//
// Reading converts F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL to
// float and validates everything a hostile file could get wrong: header
// length, JSON syntax and nesting, every dtype, shape and byte range (in
// bounds, of the right size, not overlapping, no gaps). Writing stores F32,
// tensors in name order, the header padded to 8 bytes, atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "io/checkpoint.h"
#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

Expected<Checkpoint> readSafetensors(const std::filesystem::path& path);

// The same for bytes in memory; `label` starts every message.
Expected<Checkpoint> parseSafetensors(std::span<const uint8_t> bytes, const std::string& label);

Status writeSafetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
    const std::map<std::string, std::string>& metadata = {});

// A plausible header length followed by '{': enough to tell the format apart
// from pickles, zips and pictures.
bool looksLikeSafetensors(std::span<const uint8_t> bytes);

} // namespace rnnpool
