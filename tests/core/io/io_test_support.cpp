#include "io_test_support.h"

#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace rnnpool::iotest {
namespace fs = std::filesystem;

TempDir::TempDir()
{
    std::random_device rd;
    const std::string name = "rnnpool-io-test-" + std::to_string(rd()) + "-" + std::to_string(rd());
    m_path = fs::temp_directory_path() / name;
    fs::create_directories(m_path);
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

std::string readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::span<const uint8_t> asBytes(const std::string& s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

namespace {

void appendLe(std::string& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t crc32(const std::string& data)
{
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t crc = 0xffffffffu;
    for (unsigned char ch : data)
        crc = table[(crc ^ ch) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

} // namespace

PickleWriter& PickleWriter::raw(const std::string& bytes)
{
    m_bytes += bytes;
    return *this;
}

PickleWriter& PickleWriter::op(uint8_t opcode)
{
    m_bytes += static_cast<char>(opcode);
    return *this;
}

PickleWriter& PickleWriter::proto(int version)
{
    op(0x80);
    return op(static_cast<uint8_t>(version));
}

PickleWriter& PickleWriter::text(const std::string& s)
{
    op('X');
    appendLe(m_bytes, s.size(), 4);
    m_bytes += s;
    return *this;
}

PickleWriter& PickleWriter::integer(int64_t v)
{
    if (v >= 0 && v < 256) {
        op('K');
        appendLe(m_bytes, static_cast<uint64_t>(v), 1);
    } else if (v >= 0 && v < 65536) {
        op('M');
        appendLe(m_bytes, static_cast<uint64_t>(v), 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        op('J');
        appendLe(m_bytes, static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int32_t>(v))), 4);
    } else {
        op(0x8a);
        op(8);
        appendLe(m_bytes, static_cast<uint64_t>(v), 8);
    }
    return *this;
}

PickleWriter& PickleWriter::binfloat(double v)
{
    op('G');
    const uint64_t bits = std::bit_cast<uint64_t>(v);
    for (int i = 7; i >= 0; --i)
        m_bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
    return *this;
}

PickleWriter& PickleWriter::global(const std::string& module, const std::string& name)
{
    op('c');
    m_bytes += module + "\n" + name + "\n";
    return *this;
}

PickleWriter& PickleWriter::intTuple(const std::vector<int64_t>& values)
{
    if (values.empty())
        return emptyTuple();
    mark();
    for (int64_t v : values)
        integer(v);
    return tuple();
}

std::string stateDictPickle(const std::vector<FakeTensor>& tensors, PidStyle style, const std::string& wrapper,
    int64_t epoch)
{
    PickleWriter p;
    p.proto(2);
    if (!wrapper.empty())
        p.emptyDict().mark().text("epoch").integer(epoch).text(wrapper);
    p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
    for (const FakeTensor& t : tensors) {
        p.text(t.name).global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().text("storage").global("torch", t.storageClass).text(t.key).text("cpu").integer(t.storageNumel);
        if (style == PidStyle::Legacy) {
            if (t.view) {
                const auto& [viewKey, viewOffset, viewSize] = *t.view;
                p.mark().text(viewKey).integer(viewOffset).integer(viewSize).tuple();
            } else {
                p.none();
            }
        }
        p.tuple().binpersid();
        p.integer(t.offset).intTuple(t.shape).intTuple(t.stride).boolean(false);
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        p.tuple().reduce();
    }
    p.setitems();
    if (!wrapper.empty())
        p.setitems();
    return p.stop().bytes();
}

std::string storedZip(const std::vector<std::pair<std::string, std::string>>& entries)
{
    std::string out, central;
    for (const auto& [name, data] : entries) {
        const uint32_t crc = crc32(data);
        const size_t localOffset = out.size();
        appendLe(out, 0x04034b50, 4);
        appendLe(out, 20, 2); // version needed
        appendLe(out, 0, 2);  // flags
        appendLe(out, 0, 2);  // stored
        appendLe(out, 0, 2);  // time
        appendLe(out, 0x21, 2); // date: 1980-01-01
        appendLe(out, crc, 4);
        appendLe(out, data.size(), 4);
        appendLe(out, data.size(), 4);
        appendLe(out, name.size(), 2);
        appendLe(out, 0, 2);
        out += name;
        out += data;

        appendLe(central, 0x02014b50, 4);
        appendLe(central, 20, 2);
        appendLe(central, 20, 2);
        appendLe(central, 0, 2);
        appendLe(central, 0, 2);
        appendLe(central, 0, 2);
        appendLe(central, 0x21, 2);
        appendLe(central, crc, 4);
        appendLe(central, data.size(), 4);
        appendLe(central, data.size(), 4);
        appendLe(central, name.size(), 2);
        appendLe(central, 0, 2); // extra
        appendLe(central, 0, 2); // comment
        appendLe(central, 0, 2); // disk
        appendLe(central, 0, 2); // internal attributes
        appendLe(central, 0, 4); // external attributes
        appendLe(central, localOffset, 4);
        central += name;
    }
    const size_t centralOffset = out.size();
    out += central;
    appendLe(out, 0x06054b50, 4);
    appendLe(out, 0, 2);
    appendLe(out, 0, 2);
    appendLe(out, entries.size(), 2);
    appendLe(out, entries.size(), 2);
    appendLe(out, central.size(), 4);
    appendLe(out, centralOffset, 4);
    appendLe(out, 0, 2);
    return out;
}

std::string zipCheckpoint(const std::string& dataPkl, const std::vector<std::pair<std::string, std::string>>& storages,
    const std::string& archive)
{
    std::vector<std::pair<std::string, std::string>> entries{{archive + "/data.pkl", dataPkl}};
    for (const auto& [key, data] : storages)
        entries.emplace_back(archive + "/data/" + key, data);
    entries.emplace_back(archive + "/version", "3\n");
    return storedZip(entries);
}

std::string legacyCheckpoint(const std::string& mainPickle,
    const std::vector<std::pair<std::string, std::string>>& storages, size_t elementSize, bool littleEndian)
{
    // The first two pickles exactly as torch 1.4 writes them.
    std::string out("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e", 15);
    out += std::string("\x80\x02\x4d\xe9\x03\x2e", 6);
    PickleWriter info;
    info.proto(2).emptyDict().mark().text("protocol_version").integer(1001).text("little_endian").boolean(littleEndian);
    info.text("type_sizes").emptyDict().mark().text("short").integer(2).text("int").integer(4).text("long").integer(4);
    info.setitems().setitems().stop();
    out += info.bytes();
    out += mainPickle;
    PickleWriter keys;
    keys.proto(2).emptyList().mark();
    for (const auto& [key, data] : storages)
        keys.text(key);
    out += keys.appends().stop().bytes();
    for (const auto& [key, data] : storages) {
        appendLe(out, data.size() / elementSize, 8);
        out += data;
    }
    return out;
}

std::string floatBytes(const std::vector<float>& values)
{
    std::string out;
    for (float v : values)
        appendLe(out, std::bit_cast<uint32_t>(v), 4);
    return out;
}

::testing::AssertionResult sameBits(const Tensor& a, const Tensor& b)
{
    if (a.shape() != b.shape())
        return ::testing::AssertionFailure() << "shapes differ: " << shapeToString(a.shape()) << " vs "
                                             << shapeToString(b.shape());
    for (int64_t i = 0; i < a.numel(); ++i)
        if (std::bit_cast<uint32_t>(a.data()[i]) != std::bit_cast<uint32_t>(b.data()[i]))
            return ::testing::AssertionFailure() << "element " << i << " differs: " << a.data()[i] << " vs "
                                                 << b.data()[i];
    return ::testing::AssertionSuccess();
}

} // namespace rnnpool::iotest
