#include "mcu/process_runner.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rnnpool {

namespace {

constexpr size_t kMaxOutput = 1u << 20;

// Closes a file descriptor when it leaves scope.
class FdGuard {
public:
    explicit FdGuard(int fd) : m_fd(fd) {}
    ~FdGuard()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return m_fd; }
    void reset()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
};

} // namespace

std::optional<std::filesystem::path> findProgram(const std::string& name)
{
    if (name.find('/') != std::string::npos) {
        if (::access(name.c_str(), X_OK) == 0)
            return std::filesystem::path(name);
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t end = dirs.find(':', start);
        const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!dir.empty()) {
            const std::filesystem::path candidate = std::filesystem::path(dir) / name;
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate;
        }
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return std::nullopt;
}

Expected<ProcessResult> runProcess(const std::vector<std::string>& argv, const std::filesystem::path& workingDir,
                                   double timeoutSeconds, const std::atomic<bool>* cancel)
{
    const auto cancelled = [cancel] { return cancel && cancel->load(); };
    if (argv.empty())
        return makeError("runProcess: no program given");
    const auto program = findProgram(argv[0]);
    if (!program)
        return makeError("'" + argv[0] + "' was not found on PATH");

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return makeError(std::string("cannot create a pipe: ") + std::strerror(errno));
    FdGuard readEnd(fds[0]);
    FdGuard writeEnd(fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), 2);
    posix_spawn_file_actions_addchdir_np(&actions, workingDir.c_str());
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // Its own process group, so that a timeout ends make's children too.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);

    std::vector<char*> cargv;
    for (const std::string& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_t pid = -1;
    const int spawnError = ::posix_spawn(&pid, program->c_str(), &actions, &attributes, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawnError != 0)
        return makeError("cannot start '" + argv[0] + "': " + std::strerror(spawnError));
    writeEnd.reset();

    ProcessResult result;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(timeoutSeconds);
    char buffer[65536];
    bool open = true;
    while (open) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline || cancelled()) {
            (now >= deadline ? result.timedOut : result.cancelled) = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        int waitMs = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
        if (cancel)
            waitMs = std::min(waitMs, 50); // wake to look at the flag
        pollfd p{readEnd.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, waitMs);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        const ssize_t n = ::read(readEnd.get(), buffer, sizeof buffer);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            open = false;
        } else if (result.output.size() < kMaxOutput) {
            result.output.append(buffer, static_cast<size_t>(n));
        }
    }
    // The output closed; the program may still run (it closed its stdout), so
    // its exit is awaited under the same deadline.
    int status = 0;
    for (;;) {
        const bool killed = result.timedOut || result.cancelled;
        const pid_t done = ::waitpid(pid, &status, killed ? 0 : WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            break;
        if (done == 0) {
            if (std::chrono::steady_clock::now() >= deadline || cancelled()) {
                (cancelled() ? result.cancelled : result.timedOut) = true;
                ::kill(-pid, SIGKILL);
            } else {
                ::usleep(5000);
            }
        }
    }
    if (result.timedOut || result.cancelled) {
        // Output can keep arriving from stray grandchildren; they were killed with the group.
        result.exitCode = -1;
    } else if (WIFEXITED(status)) {
        result.exitCode = WEXITSTATUS(status);
    } else {
        result.exitCode = -1;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace rnnpool
