#include "profile/paper_blocks.h"

#include <algorithm>
#include <string>

namespace rnnpool {

namespace {
std::vector<std::string> partsOf(const Network& net, const std::vector<int>& nodes)
{
    const std::string& group = net.nodes()[static_cast<size_t>(nodes.front())].group;
    std::vector<std::string> parts;
    for (int n : nodes) {
        const std::string& name = net.nodes()[static_cast<size_t>(n)].name;
        parts.push_back(name.size() > group.size() && name.starts_with(group) ? name.substr(group.size()) : std::string());
    }
    return parts;
}

bool has(const std::vector<std::string>& parts, const std::string& part)
{
    return std::find(parts.begin(), parts.end(), part) != parts.end();
}
} // namespace

const char* paperBlockName(PaperBlock block)
{
    switch (block) {
    case PaperBlock::Residual: return "residual block";
    case PaperBlock::Dense: return "dense block";
    case PaperBlock::Inception: return "inception block";
    case PaperBlock::Pool: return "pooling";
    case PaperBlock::Transition: return "transition";
    }
    return "block";
}

std::optional<PaperBlock> recogniseBlock(const Network& net, const std::vector<int>& nodes)
{
    const Node& first = net.nodes()[static_cast<size_t>(nodes.front())];
    if (nodes.size() == 1) {
        const std::string_view kind = first.op->kind();
        if (kind == "maxpool" || kind == "avgpool")
            return PaperBlock::Pool;
        return std::nullopt;
    }
    const auto parts = partsOf(net, nodes);
    if (parts.front() == ".conv1" && parts.back() == ".add" && has(parts, ".conv2"))
        return PaperBlock::Residual;
    if (parts == std::vector<std::string>{".norm", ".conv", ".pool"})
        return PaperBlock::Transition;
    if (parts.front().starts_with(".layer1.") && parts.back() == ".concat")
        return PaperBlock::Dense;
    if (parts.front() == ".b1" && parts.back() == ".concat" && has(parts, ".b4"))
        return PaperBlock::Inception;
    return std::nullopt;
}

int64_t paperBlockElements(PaperBlock block, const Network& net, const std::vector<int>& nodes, int64_t in, int64_t out,
                           const std::vector<Shape>& shapes)
{
    switch (block) {
    case PaperBlock::Residual:
    case PaperBlock::Pool:
    case PaperBlock::Transition:
        return std::max(in, out);
    case PaperBlock::Dense:
        return out;
    case PaperBlock::Inception: {
        std::vector<int64_t> paths;
        for (int src : net.nodes()[static_cast<size_t>(nodes.back())].inputs)
            paths.push_back(shapeNumel(shapes[static_cast<size_t>(src)]));
        std::sort(paths.begin(), paths.end());
        int64_t narrowest = 0;
        for (size_t i = 0; i + 1 < paths.size(); ++i)
            narrowest += paths[i];
        return in + narrowest;
    }
    }
    return in + out;
}

} // namespace rnnpool
