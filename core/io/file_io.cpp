#include "io/file_io.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <system_error>

#if __has_include(<unistd.h>)
#include <unistd.h>
#define RNNPOOL_HAVE_FSYNC 1
#endif

namespace rnnpool {
namespace fs = std::filesystem;

namespace {

// Closes on every path out of a function.
struct FileCloser {
    void operator()(std::FILE* f) const
    {
        if (f)
            std::fclose(f);
    }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

std::string errnoText(int code) { return std::generic_category().message(code); }

std::string temporarySibling(const fs::path& path)
{
    std::random_device rd;
    const uint64_t token = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(token));
    return path.string() + suffix;
}

} // namespace

std::string fileLabel(std::string_view what, const fs::path& path)
{
    return std::string(what) + " '" + path.string() + "'";
}

Expected<std::vector<uint8_t>> readFileBytes(const fs::path& path, std::string_view what)
{
    const std::string label = fileLabel(what, path);
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory)
            return makeError(label + ": cannot be opened (" + ec.message() + ")");
        return makeError(label + ": no such file");
    }
    if (fs::is_directory(status))
        return makeError(label + ": is a folder, not a file");
    if (!fs::is_regular_file(status))
        return makeError(label + ": is not a regular file");

    FileHandle file(std::fopen(path.string().c_str(), "rb"));
    if (!file)
        return makeError(label + ": cannot be opened (" + errnoText(errno) + ")");

    std::vector<uint8_t> bytes;
    try {
        const uintmax_t size = fs::file_size(path, ec);
        if (!ec)
            bytes.reserve(static_cast<size_t>(size));
        // Read to the end rather than trusting the size: the file may change.
        uint8_t chunk[1 << 16];
        while (true) {
            const size_t n = std::fread(chunk, 1, sizeof chunk, file.get());
            bytes.insert(bytes.end(), chunk, chunk + n);
            if (n < sizeof chunk)
                break;
        }
    } catch (const std::bad_alloc&) {
        return makeError(label + ": too large to read into memory");
    }
    if (std::ferror(file.get()))
        return makeError(label + ": read failed (" + errnoText(errno) + ")");
    return bytes;
}

bool FileSink::write(const void* data, size_t size)
{
    if (m_ok && size > 0 && std::fwrite(data, 1, size, m_file) != size)
        m_ok = false;
    return m_ok;
}

Status writeFileAtomically(const fs::path& path, std::string_view what, const std::function<bool(FileSink&)>& writeBody)
{
    const std::string label = fileLabel(what, path);
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return makeError(label + ": cannot write: it is a folder");
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(parent, ec))
        return makeError(label + ": cannot write: folder '" + parent.string() + "' does not exist");

    const std::string temporary = temporarySibling(path);
    FileHandle file(std::fopen(temporary.c_str(), "wb"));
    if (!file)
        return makeError(label + ": cannot write into '" + parent.string() + "' (" + errnoText(errno) + ")");

    FileSink sink(file.get());
    bool written = false;
    int writeErrno = 0;
    try {
        written = writeBody(sink) && sink.ok();
    } catch (const std::exception&) {
        written = false; // e.g. bad_alloc; handled as a failed write below
    }
    if (!sink.ok())
        writeErrno = errno;
    written = written && std::fflush(file.get()) == 0;
#ifdef RNNPOOL_HAVE_FSYNC
    // Without the sync a crash soon after the rename can leave an empty file.
    written = written && ::fsync(::fileno(file.get())) == 0;
#endif
    written = (std::fclose(file.release()) == 0) && written;
    if (!written) {
        fs::remove(temporary, ec);
        return makeError(label + ": write failed" + (writeErrno ? " (" + errnoText(writeErrno) + ")" : std::string()));
    }
    fs::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        return makeError(label + ": cannot replace the file (" + ec.message() + ")");
    }
    return Status::ok();
}

} // namespace rnnpool
