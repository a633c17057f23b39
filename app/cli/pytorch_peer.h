// The PyTorch reference of tools/reference/ as a peer process for `rnnpool
// bench --pytorch`: tools/reference/bench.py --serve builds the model, warms
// up, then times one forward pass per request. Frames of the engine and of
// the reference can so alternate in one run, a few seconds apart at most,
// and a burst of load on this shared machine hits both sides of a pair
// instead of one side's whole median.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

#include "util/expected.h"

namespace rnnpool::cli {

// Wall-clock and process CPU milliseconds of one frame.
struct FrameTimes {
    double ms = 0.0, cpuMs = 0.0;
};

class PyTorchPeer {
public:
    // Starts the reference for `arch` (any zoo name or alias) at width x
    // height with `threads` threads; an error names what failed (no Python,
    // no PyTorch, no reference for the architecture) with its output.
    static Expected<std::unique_ptr<PyTorchPeer>> start(const std::string& arch, int64_t width, int64_t height, int64_t threads);
    ~PyTorchPeer();
    PyTorchPeer(const PyTorchPeer&) = delete;
    PyTorchPeer& operator=(const PyTorchPeer&) = delete;

    // Times one forward pass in the peer.
    Expected<FrameTimes> timeFrame();

private:
    PyTorchPeer(pid_t pid, int toPeer, int fromPeer);
    Expected<std::string> readLine();

    pid_t m_pid = -1;
    int m_toPeer = -1, m_fromPeer = -1;
    std::string m_pending; // bytes read past the last line
    std::string m_transcript; // what the peer printed, for error messages
};

} // namespace rnnpool::cli
