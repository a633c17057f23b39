// Whole-file reads and atomic writes shared by the model-file readers and
// writers. Messages start with what the file is meant to be and its path, e.g.
// "checkpoint 'x.pth': no such file".
//
//   Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "checkpoint");
//   Status s = writeFileAtomically(path, "array", [&](FileSink& out) {
//       return out.write(header.data(), header.size());
//   });
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

// "checkpoint 'models/x.pth'": the prefix every message about a file carries.
std::string fileLabel(std::string_view what, const std::filesystem::path& path);

// The file's bytes, or a message for a missing path, a directory, an unreadable
// file. An empty file is returned as an empty vector; each reader says what an
// empty file means for it.
Expected<std::vector<uint8_t>> readFileBytes(const std::filesystem::path& path, std::string_view what);

// Where a writer puts its bytes; remembers the first failure.
class FileSink {
public:
    explicit FileSink(std::FILE* file) : m_file(file) {}
    bool write(const void* data, size_t size);
    bool ok() const { return m_ok; }

private:
    std::FILE* m_file;
    bool m_ok = true;
};

// Writes through a temporary file beside `path` and renames it over `path`
// only when everything was written and flushed, so a failed or interrupted
// write never leaves a half file where a good one (or none) was.
// `writeBody` returns false to abandon the write.
Status writeFileAtomically(const std::filesystem::path& path, std::string_view what,
    const std::function<bool(FileSink&)>& writeBody);

} // namespace rnnpool
