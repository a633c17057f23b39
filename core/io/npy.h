// NumPy .npy files: the golden inputs, outputs and activations the tests
// compare against, and what the studio exports.
//
//   Expected<Tensor> input = readNpy("RPool_Face_M4_240x320.input.npy"); // (1,1,240,320)
//   if (!input) return Error{input.error()};
//   Status s = writeNpy("out.npy", *input);
//
// Reading accepts format versions 1.0, 2.0 and 3.0, C order, little-endian
// <f4 <f8 <f2 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1, all converted to float.
// Writing produces what np.save writes for a float32 array: version 1.0
// (2.0 only for headers too long for 1.0), '<f4', C order, the header padded
// with spaces to a multiple of 64 bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "io/dtype.h"
#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

Expected<Tensor> readNpy(const std::filesystem::path& path);

// The same, from bytes already in memory; `label` starts every message
// (e.g. "array 'x.npy'").
Expected<Tensor> parseNpy(std::span<const uint8_t> bytes, const std::string& label);

// The array with the element type it was stored in (the values still
// converted to float; integers up to 2^24 stay exact). For readers that must
// refuse a wrong dtype, e.g. the integer goldens of rnnpool check-q15.
struct NpyArray {
    DType dtype = DType::F32;
    Tensor values;
};
Expected<NpyArray> readNpyWithType(const std::filesystem::path& path);

// An int16 array as np.save writes it ('<i2', version 1.0, C order).
Status writeNpyInt16(const std::filesystem::path& path, const Shape& shape, std::span<const int16_t> values);

// Written atomically: a failed write leaves any existing file untouched.
Status writeNpy(const std::filesystem::path& path, const Tensor& tensor);

// The complete file np.save would write for `tensor` as float32.
Expected<std::string> encodeNpy(const Tensor& tensor);

} // namespace rnnpool
