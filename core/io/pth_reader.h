// PyTorch checkpoints (.pth/.pt), in both container formats:
//  - zip (torch >= 1.6): <archive>/data.pkl plus raw storages <archive>/data/<key>;
//  - legacy (torch < 1.6; what EdgeML's torch 1.4 writes): pickles for the
//    magic number, the protocol version and sys_info, the state dict, the
//    storage keys, then each storage as an int64 count and its raw data.
//
//   Expected<Checkpoint> ckpt = readPth("rpool_face_checkpoint.pth");
//   if (!ckpt) return fail(ckpt.error());
//   // ckpt->format == "pytorch-legacy", ckpt->epoch == 0, 'module.' stripped
//
// The top level may be a bare state dict, or a dict holding it under
// 'weight' (EdgeML's {epoch, weight}), 'state_dict' or 'model'. The pickle is
// read by the restricted machine in pickle.h, so a hostile file is refused,
// never run. Prefer readCheckpoint() (checkpoint.h), which also accepts
// safetensors.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "io/checkpoint.h"
#include "util/expected.h"

namespace rnnpool {

Expected<Checkpoint> readPth(const std::filesystem::path& path);

// The same for bytes in memory; `label` starts every message.
Expected<Checkpoint> parsePth(std::span<const uint8_t> bytes, const std::string& label);

// The two formats, for callers that already know which one they hold.
Expected<Checkpoint> parsePthZip(std::span<const uint8_t> bytes, const std::string& label);
Expected<Checkpoint> parsePthLegacy(std::span<const uint8_t> bytes, const std::string& label);

bool looksLikeZip(std::span<const uint8_t> bytes);
bool looksLikePickle(std::span<const uint8_t> bytes);

} // namespace rnnpool
