// Helpers for the model-file tests: a self-cleaning temporary folder, file
// byte I/O, and builders for the files under test (pickles as torch.save
// writes them, stored zip archives, legacy checkpoints) so that hostile and
// unusual files are made in the test itself, byte by byte.
//
//   TempDir dir;
//   PickleWriter p;
//   p.proto(2).global("posix", "system").text("touch x").tuple1().reduce().stop();
//   writeBytes(dir.path() / "evil.pth", p.bytes());
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tensor/tensor.h"

namespace rnnpool::iotest {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

std::string readBytes(const std::filesystem::path& path);
void writeBytes(const std::filesystem::path& path, const std::string& bytes);
std::span<const uint8_t> asBytes(const std::string& s);

// Emits pickle opcodes. Methods return *this so a pickle reads as one chain.
class PickleWriter {
public:
    PickleWriter& raw(const std::string& bytes);
    PickleWriter& op(uint8_t opcode);
    PickleWriter& proto(int version);
    PickleWriter& mark() { return op('('); }
    PickleWriter& stop() { return op('.'); }
    PickleWriter& tuple() { return op('t'); }
    PickleWriter& tuple1() { return op(0x85); }
    PickleWriter& tuple2() { return op(0x86); }
    PickleWriter& emptyTuple() { return op(')'); }
    PickleWriter& emptyDict() { return op('}'); }
    PickleWriter& emptyList() { return op(']'); }
    PickleWriter& setitem() { return op('s'); }
    PickleWriter& setitems() { return op('u'); }
    PickleWriter& appends() { return op('e'); }
    PickleWriter& reduce() { return op('R'); }
    PickleWriter& build() { return op('b'); }
    PickleWriter& binpersid() { return op('Q'); }
    PickleWriter& none() { return op('N'); }
    PickleWriter& pop() { return op('0'); }
    PickleWriter& boolean(bool v) { return op(v ? 0x88 : 0x89); }
    PickleWriter& text(const std::string& s);     // BINUNICODE
    PickleWriter& integer(int64_t v);             // BININT1/BININT2/BININT/LONG1 as Python picks
    PickleWriter& binfloat(double v);             // BINFLOAT
    PickleWriter& global(const std::string& module, const std::string& name); // GLOBAL
    PickleWriter& binput(uint8_t index) { op('q'); return op(index); }
    PickleWriter& binget(uint8_t index) { op('h'); return op(index); }
    PickleWriter& intTuple(const std::vector<int64_t>& values);
    const std::string& bytes() const { return m_bytes; }

private:
    std::string m_bytes;
};

// One tensor of a synthetic state dict, described as torch would pickle it.
struct FakeTensor {
    FakeTensor(std::string n, std::string cls, std::string k, int64_t numel, int64_t off, Shape sh,
        std::vector<int64_t> st)
        : name(std::move(n)), storageClass(std::move(cls)), key(std::move(k)), storageNumel(numel), offset(off),
          shape(std::move(sh)), stride(std::move(st))
    {
    }
    std::string name;
    std::string storageClass = "FloatStorage";
    std::string key;
    int64_t storageNumel = 0;
    int64_t offset = 0;
    Shape shape;
    std::vector<int64_t> stride;
    // Legacy only: (view key, offset, size) when the tensor's storage is a
    // view of a larger one.
    std::optional<std::tuple<std::string, int64_t, int64_t>> view;
};

enum class PidStyle { Zip, Legacy };

// The state-dict pickle (protocol 2) for these tensors in an OrderedDict;
// `wrapper` non-empty wraps it as {'epoch': epoch, wrapper: state_dict}.
std::string stateDictPickle(const std::vector<FakeTensor>& tensors, PidStyle style, const std::string& wrapper = {},
    int64_t epoch = 0);

// A zip archive of stored (uncompressed) entries, as torch writes them.
std::string storedZip(const std::vector<std::pair<std::string, std::string>>& entries);

// A torch-style zip checkpoint: archive/data.pkl plus archive/data/<key>.
std::string zipCheckpoint(const std::string& dataPkl, const std::vector<std::pair<std::string, std::string>>& storages,
    const std::string& archive = "archive");

// A legacy checkpoint: magic, protocol, sys_info, `mainPickle`, the key list,
// then each storage (int64 count of `elementSize`-byte elements, then data).
std::string legacyCheckpoint(const std::string& mainPickle,
    const std::vector<std::pair<std::string, std::string>>& storages, size_t elementSize = 4,
    bool littleEndian = true);

// Little-endian float32 bytes.
std::string floatBytes(const std::vector<float>& values);

// Bitwise equality of two tensors (NaN-safe), with a readable failure.
::testing::AssertionResult sameBits(const Tensor& a, const Tensor& b);

} // namespace rnnpool::iotest
