// LatestSlot<T>: the frame-dropping rule of live sources. The worker runs one
// job at a time; meanwhile at most one frame waits, and a newer frame replaces
// it. The replaced frame is dropped (counted), never queued, so when inference
// is slower than the source the studio always works on the newest frame.
//
//   LatestSlot<Frame> waiting;
//   waiting.put(frame);                       // from the source, at its own pace
//   ...when the worker is free:
//   if (auto f = waiting.take()) run(*f);
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace rnnpool {

template <typename T>
class LatestSlot {
public:
    void put(T item)
    {
        if (m_item)
            ++m_dropped;
        m_item = std::move(item);
    }

    std::optional<T> take() { return std::exchange(m_item, std::nullopt); }

    // Forgets the waiting item (the source changed); not counted as dropped.
    void clear() { m_item.reset(); }

    bool hasItem() const { return m_item.has_value(); }
    int64_t dropped() const { return m_dropped; }
    void resetDropped() { m_dropped = 0; }

private:
    std::optional<T> m_item;
    int64_t m_dropped = 0;
};

} // namespace rnnpool
