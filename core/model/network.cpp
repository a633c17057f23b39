#include "model/network.h"

#include <cstdio>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include <malloc.h>

#include "model/network_builder.h"
#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {

namespace {
// Every frame allocates and frees the same layer outputs (megabytes each).
// By default glibc hands such blocks back to the kernel (mmap / heap trim),
// so each frame pays page faults again for memory it just released, which
// costs more than many of the layers. Serve blocks up to 32 MB (glibc's
// largest threshold) from the heap and keep up to 256 MB of freed memory.
void keepFreedMemoryForNextFrame()
{
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
    });
}
} // namespace

Expected<Network> Network::build(const ArchSpec& spec)
{
    Network net;
    net.m_spec = spec;
    if (Status st = expandLayers(spec, net.m_nodes); !st)
        return Error{st.error()};
    for (const auto& head : spec.heads) {
        const int loc = head.contains("loc") && head["loc"].is_string() ? net.findLayer(head["loc"].get<std::string>()) : -1;
        const int conf = head.contains("conf") && head["conf"].is_string() ? net.findLayer(head["conf"].get<std::string>()) : -1;
        if (loc < 0 || conf < 0)
            return makeError("architecture '" + spec.name + "': every head needs 'loc' and 'conf' naming layers");
        net.m_heads.emplace_back(loc, conf);
    }
    // The parameter budget, counted before any weight is allocated.
    int64_t params = 0;
    for (Node& node : net.m_nodes)
        for (const WeightSlot& slot : node.op->weightSlots()) {
            const auto n = checkedNumel(slot.shape);
            const auto sum = n ? checkedAdd(params, *n) : std::nullopt;
            if (!sum || *sum > limits::kMaxParameters)
                return makeError("architecture '" + spec.name + "': layer '" + node.name + "' takes the network past " +
                                 std::to_string(limits::kMaxParameters) +
                                 " learned values (kMaxParameters in core/util/limits.h)");
            params = *sum;
        }
    return net;
}

int Network::findLayer(const std::string& name) const
{
    for (int i = static_cast<int>(m_nodes.size()) - 1; i >= 0; --i)
        if (m_nodes[i].name == name)
            return i;
    for (int i = static_cast<int>(m_nodes.size()) - 1; i >= 0; --i)
        if (m_nodes[i].group == name)
            return i;
    return -1;
}

std::vector<WeightSlot> Network::weightSlots()
{
    std::vector<WeightSlot> slots;
    for (Node& node : m_nodes) {
        auto s = node.op->weightSlots();
        slots.insert(slots.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
    }
    return slots;
}

void Network::finalize()
{
    for (Node& node : m_nodes)
        node.op->finalize();
}

int64_t Network::paramCount()
{
    int64_t total = 0;
    for (const WeightSlot& slot : weightSlots())
        if (slot.trainable)
            total += shapeNumel(slot.shape);
    return total;
}

Expected<std::vector<Shape>> Network::plan(const Shape& inputShape) const
{
    if (inputShape.size() != 3 || inputShape[0] != m_spec.inputChannels || inputShape[1] <= 0 || inputShape[2] <= 0)
        return makeError("architecture '" + m_spec.name + "' takes " + std::to_string(m_spec.inputChannels) +
                         "-channel pictures; got an input of shape " + shapeToString(inputShape));
    if (Status st = limits::checkInputSize(inputShape[2], inputShape[1]); !st)
        return makeError(st.error());
    std::vector<Shape> shapes(m_nodes.size());
    std::vector<Shape> in;
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        in.clear();
        for (int src : m_nodes[i].inputs)
            in.push_back(src == kNetworkInput ? inputShape : shapes[static_cast<size_t>(src)]);
        if (Status st = m_nodes[i].op->prepare(in, shapes[i]); !st)
            return makeError("layer '" + m_nodes[i].name + "' at input " + std::to_string(inputShape[2]) + "x" +
                             std::to_string(inputShape[1]) + ": " + st.error());
        // Every count later code multiplies out must fit (util/checked.h); with
        // maps bounded and parameters within their budget, so do multiply-adds.
        const Shape& out = shapes[i];
        if (out.size() == 3 && (out[1] > limits::kMaxMapSide || out[2] > limits::kMaxMapSide))
            return makeError("layer '" + m_nodes[i].name + "' at input " + std::to_string(inputShape[2]) + "x" +
                             std::to_string(inputShape[1]) + ": output " + shapeToString(out) + " is beyond " +
                             std::to_string(limits::kMaxMapSide) + " a side (kMaxMapSide in core/util/limits.h)");
        if (!checkedNumel(shapes[i]) || !checkedMul(*checkedNumel(shapes[i]), 4))
            return makeError("layer '" + m_nodes[i].name + "' at input " + std::to_string(inputShape[2]) + "x" +
                             std::to_string(inputShape[1]) + ": output shape " + shapeToString(shapes[i]) + " overflows");
    }
    return shapes;
}

namespace {
double physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? static_cast<double>(pages) * static_cast<double>(pageSize) : 0.0;
}

// Float32 bytes of a shape, in double: no overflow for any size a user types.
double floatBytes(const Shape& shape)
{
    double n = 4.0;
    for (int64_t d : shape)
        n *= static_cast<double>(d);
    return n;
}

std::string gibibytes(double bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return text;
}
} // namespace

Status Network::checkMemory(const Shape& inputShape) const
{
    auto shapes = plan(inputShape);
    if (!shapes)
        return makeError(shapes.error());
    return checkMemory(inputShape, *shapes);
}

Status Network::checkMemory(const Shape& inputShape, const std::vector<Shape>& shapes) const
{
    // The stated budget, or the machine's memory when that is less.
    const double physical = physicalMemoryBytes();
    const double budget = static_cast<double>(limits::kMaxActivationBytes);
    const bool machineLimits = physical > 0.0 && physical < budget;
    const double available = machineLimits ? physical : budget;
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        double bytes = floatBytes(shapes[i]);
        for (int src : m_nodes[i].inputs)
            bytes += floatBytes(src == kNetworkInput ? inputShape : shapes[static_cast<size_t>(src)]);
        if (bytes > available)
            return makeError("input " + std::to_string(inputShape[2]) + "x" + std::to_string(inputShape[1]) +
                             " is too large: layer '" + m_nodes[i].name + "' alone needs " + gibibytes(bytes) +
                             " for its input and output, beyond " +
                             (machineLimits ? "this machine's " + gibibytes(available) + " of memory"
                                            : "the limit of " + gibibytes(available) +
                                                  " (kMaxActivationBytes in core/util/limits.h)"));
    }
    return Status::ok();
}

Expected<std::vector<LayerInfo>> Network::describe(const Shape& inputShape)
{
    auto shapes = plan(inputShape);
    if (!shapes)
        return std::move(shapes).takeError();
    std::vector<LayerInfo> infos;
    std::vector<Shape> in;
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        Node& node = m_nodes[i];
        in.clear();
        for (int src : node.inputs)
            in.push_back(src == kNetworkInput ? inputShape : (*shapes)[static_cast<size_t>(src)]);
        LayerInfo info{node.name, node.group, std::string(node.op->kind()), (*shapes)[i], 0, node.op->madds(in, (*shapes)[i])};
        for (const WeightSlot& slot : node.op->weightSlots())
            if (slot.trainable)
                info.params += shapeNumel(slot.shape);
        infos.push_back(std::move(info));
    }
    return infos;
}

Expected<RunResult> Network::run(const Tensor& input, const RunOptions& options) const
{
    keepFreedMemoryForNextFrame();
    auto shapes = plan(input.shape());
    if (!shapes)
        return std::move(shapes).takeError();
    if (Status st = checkMemory(input.shape(), *shapes); !st)
        return makeError(st.error());

    // The last reader of every node, so outputs can be freed early.
    std::vector<size_t> lastUse(m_nodes.size(), 0);
    for (size_t i = 0; i < m_nodes.size(); ++i)
        for (int src : m_nodes[i].inputs)
            if (src != kNetworkInput)
                lastUse[static_cast<size_t>(src)] = i;
    std::vector<bool> keep(m_nodes.size(), options.keepAllOutputs);
    for (const auto& [loc, conf] : m_heads)
        keep[static_cast<size_t>(loc)] = keep[static_cast<size_t>(conf)] = true;
    if (!m_nodes.empty())
        keep.back() = true;

    using Clock = std::chrono::steady_clock;
    RunResult result;
    result.outputs.resize(m_nodes.size());
    result.layerSeconds.resize(m_nodes.size(), 0.0);
    std::vector<const Tensor*> in;
    const auto start = Clock::now();
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        const Node& node = m_nodes[i];
        in.clear();
        for (int src : node.inputs)
            in.push_back(src == kNetworkInput ? &input : &result.outputs[static_cast<size_t>(src)]);
        const auto t0 = Clock::now();
        // Every op writes all of its output: no zero fill (a pass over
        // megabytes per layer).
        Tensor out = Tensor::uninitialized((*shapes)[i]);
        node.op->eval(in, out);
        result.outputs[i] = std::move(out);
        result.layerSeconds[i] = std::chrono::duration<double>(Clock::now() - t0).count();
        if (options.onLayer)
            options.onLayer(static_cast<int>(i), result.outputs[i], result.layerSeconds[i]);
        for (int src : node.inputs)
            if (src != kNetworkInput && lastUse[static_cast<size_t>(src)] == i && !keep[static_cast<size_t>(src)])
                result.outputs[static_cast<size_t>(src)] = Tensor();
    }
    result.totalSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace rnnpool
