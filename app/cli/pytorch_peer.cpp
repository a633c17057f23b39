#include "cli/pytorch_peer.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <unistd.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

namespace rnnpool::cli {

namespace {

// The peer's output lines are JSON objects; anything else (a warning, a
// traceback) is kept for the error message.
constexpr size_t kTranscriptLimit = 2000;

std::string peerScript() { return std::string(RNNPOOL_SOURCE_DIR) + "/tools/reference/bench.py"; }

} // namespace

PyTorchPeer::PyTorchPeer(pid_t pid, int toPeer, int fromPeer)
    : m_pid(pid), m_toPeer(toPeer), m_fromPeer(fromPeer)
{
}

Expected<std::unique_ptr<PyTorchPeer>> PyTorchPeer::start(const std::string& arch, int64_t width, int64_t height,
                                                          int64_t threads)
{
    int toPeer[2], fromPeer[2];
    if (pipe(toPeer) != 0)
        return makeError(std::string("cannot start the PyTorch reference: ") + std::strerror(errno));
    if (pipe(fromPeer) != 0) {
        close(toPeer[0]);
        close(toPeer[1]);
        return makeError(std::string("cannot start the PyTorch reference: ") + std::strerror(errno));
    }
    const std::string script = peerScript(), size = std::to_string(width) + "x" + std::to_string(height),
                      threadCount = std::to_string(threads);
    const pid_t pid = fork();
    if (pid < 0) {
        const std::string reason = std::strerror(errno);
        for (int fd : {toPeer[0], toPeer[1], fromPeer[0], fromPeer[1]})
            close(fd);
        return makeError("cannot start the PyTorch reference: " + reason);
    }
    if (pid == 0) {
        dup2(toPeer[0], STDIN_FILENO);
        dup2(fromPeer[1], STDOUT_FILENO);
        dup2(fromPeer[1], STDERR_FILENO);
        for (int fd : {toPeer[0], toPeer[1], fromPeer[0], fromPeer[1]})
            close(fd);
        execl("/usr/bin/python3", "python3", script.c_str(), "--serve", "--arch", arch.c_str(), "--size", size.c_str(),
              "--threads", threadCount.c_str(), static_cast<char*>(nullptr));
        const std::string message = "cannot run /usr/bin/python3: " + std::string(std::strerror(errno)) + "\n";
        [[maybe_unused]] const ssize_t written = write(STDOUT_FILENO, message.data(), message.size());
        _exit(127);
    }
    close(toPeer[0]);
    close(fromPeer[1]);
    std::unique_ptr<PyTorchPeer> peer(new PyTorchPeer(pid, toPeer[1], fromPeer[0]));
    // The first JSON line says the model is built and warm.
    auto ready = peer->readLine();
    if (!ready)
        return makeError("the PyTorch reference (" + script + ") did not start: " + ready.error());
    return peer;
}

PyTorchPeer::~PyTorchPeer()
{
    if (m_toPeer >= 0)
        close(m_toPeer); // end of requests: the peer exits
    if (m_fromPeer >= 0)
        close(m_fromPeer);
    if (m_pid > 0) {
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
}

Expected<std::string> PyTorchPeer::readLine()
{
    for (;;) {
        const size_t end = m_pending.find('\n');
        if (end != std::string::npos) {
            std::string line = m_pending.substr(0, end);
            m_pending.erase(0, end + 1);
            if (!line.empty() && line.front() == '{') {
                const auto json = nlohmann::json::parse(line, nullptr, false);
                if (!json.is_discarded() && json.is_object()) {
                    if (json.contains("error"))
                        return makeError(json["error"].get<std::string>());
                    return line;
                }
            }
            if (m_transcript.size() < kTranscriptLimit)
                m_transcript += line + "\n";
            continue;
        }
        char buffer[4096];
        const ssize_t n = read(m_fromPeer, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return makeError("it stopped" + (m_transcript.empty() ? std::string(" without output")
                                                                   : ": " + m_transcript.substr(0, 600)));
        m_pending.append(buffer, static_cast<size_t>(n));
    }
}

Expected<FrameTimes> PyTorchPeer::timeFrame()
{
    // A peer that died must not take this process with it (SIGPIPE).
    struct sigaction ignore {}, previous {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);
    const char request[] = "frame\n";
    const ssize_t written = write(m_toPeer, request, sizeof request - 1);
    sigaction(SIGPIPE, &previous, nullptr);
    if (written != static_cast<ssize_t>(sizeof request - 1))
        return makeError("the PyTorch reference stopped taking requests");
    auto line = readLine();
    if (!line)
        return makeError("the PyTorch reference failed: " + line.error());
    const auto json = nlohmann::json::parse(*line, nullptr, false);
    if (!json.contains("ms") || !json["ms"].is_number())
        return makeError("the PyTorch reference answered without a time: " + *line);
    return FrameTimes{json["ms"].get<double>(), json.value("cpu_ms", 0.0)};
}

} // namespace rnnpool::cli
