#include "profile/arena.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace rnnpool {

std::vector<BufferRequest> bufferRequests(const MemoryTimeline& timeline)
{
    std::vector<BufferRequest> requests;
    for (const TensorLife& t : timeline.tensors)
        requests.push_back({t.bytes, t.firstStep, t.lastStep});
    return requests;
}

MeteredArena::MeteredArena(const MemoryTimeline& timeline, const MemoryPlan& plan)
    // Poisoned with NaN so a kernel that relied on zeroed memory shows up in outputs.
    : m_buffer(static_cast<size_t>((plan.arenaBytes + 3) / 4), std::numeric_limits<float>::quiet_NaN())
{
    for (size_t i = 0; i < timeline.tensors.size(); ++i)
        m_slots.push_back({plan.offsets[i], timeline.tensors[i].bytes, false});
}

MeteredArena::Slot* MeteredArena::slotFor(int node)
{
    const size_t index = static_cast<size_t>(node + 1); // kNetworkInput (-1) is tensor 0
    return index < m_slots.size() ? &m_slots[index] : nullptr;
}

float* MeteredArena::claim(int node, int64_t bytes)
{
    Slot* slot = slotFor(node);
    if (!slot) {
        m_violations.push_back("no planned buffer for node " + std::to_string(node));
        return nullptr;
    }
    if (slot->bytes != bytes)
        m_violations.push_back("node " + std::to_string(node) + " needs " + std::to_string(bytes) + " bytes, plan has " +
                               std::to_string(slot->bytes));
    if (slot->offset + bytes > capacityBytes())
        m_violations.push_back("node " + std::to_string(node) + " runs past the arena");
    for (const Slot& other : m_slots)
        if (&other != slot && other.live && other.offset < slot->offset + bytes && slot->offset < other.offset + other.bytes)
            m_violations.push_back("node " + std::to_string(node) + " overlaps a live buffer");
    slot->live = true;
    m_inUse += bytes;
    m_highWater = std::max(m_highWater, m_inUse);
    m_highestByte = std::max(m_highestByte, slot->offset + bytes);
    return m_buffer.data() + slot->offset / 4;
}

Tensor MeteredArena::placeInput(const Tensor& input)
{
    const Slot* slot = slotFor(kNetworkInput);
    if (!slot || slot->bytes == 0)
        return input; // not counted: the picture lives outside the arena
    float* dst = claim(kNetworkInput, input.numel() * 4);
    if (!dst)
        return input;
    std::memcpy(dst, input.data(), static_cast<size_t>(input.numel()) * sizeof(float));
    return Tensor::view(dst, input.shape());
}

Tensor MeteredArena::allocate(int node, const Shape& shape)
{
    const int64_t bytes = shapeNumel(shape) * 4;
    float* data = claim(node, bytes);
    if (!data) // keep running on the heap; the violation is reported
        return Tensor(shape);
    return Tensor::view(data, shape);
}

void MeteredArena::release(int node)
{
    Slot* slot = slotFor(node);
    if (!slot || !slot->live)
        return;
    slot->live = false;
    m_inUse -= slot->bytes;
}

} // namespace rnnpool
