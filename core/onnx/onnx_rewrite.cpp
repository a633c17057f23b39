#include "onnx/onnx_rewrite.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "onnx/onnx_constants.h"
#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {

namespace {

class Rewriter {
public:
    explicit Rewriter(OnnxGraph& g) : m_g(g) {}

    void run()
    {
        foldConstants();
        index();
        for (size_t i = 0; i < m_g.nodes.size(); ++i)
            if (m_g.nodes[i].opType == "Mul" && m_g.nodes[i].domain.empty())
                fuseGatedMul(i);
        erase();
        index();
        for (size_t i = 0; i < m_g.nodes.size(); ++i)
            if (m_g.nodes[i].opType == "Mul" && m_g.nodes[i].domain.empty())
                fuseSqueezeExcite(i);
        erase();
    }

private:
    // Nodes computing only on constants (Identity of an initialiser, as
    // exporters write for shared tensors; Constant; weight transposes) become
    // constants, so that the patterns see weights as weights.
    void foldConstants()
    {
        std::vector<OnnxNode> kept;
        for (OnnxNode& n : m_g.nodes) {
            bool allConstant = n.domain.empty() && canFoldConstant(n) && (!n.inputs.empty() || n.opType == "Constant");
            std::vector<const OnnxConstant*> ins;
            for (const std::string& in : n.inputs) {
                auto it = m_g.constants.find(in);
                allConstant = allConstant && (in.empty() || it != m_g.constants.end());
                ins.push_back(in.empty() || it == m_g.constants.end() ? nullptr : &it->second);
            }
            if (allConstant) {
                auto outs = foldConstantNode(n, ins);
                // A result with absurd extents is not folded; the translator refuses the node.
                const bool bounded = outs && std::all_of(outs->begin(), outs->end(), [](const OnnxConstant& c) {
                    return boundedExtent(c.shape, limits::kMaxParameters);
                });
                if (bounded && outs->size() >= n.outputs.size()) {
                    for (size_t i = 0; i < n.outputs.size(); ++i)
                        m_g.constants[n.outputs[i]] = std::move((*outs)[i]);
                    continue;
                }
            }
            kept.push_back(std::move(n));
        }
        m_g.nodes = std::move(kept);
    }

    void index()
    {
        m_producer.clear();
        m_readers.clear();
        for (size_t i = 0; i < m_g.nodes.size(); ++i) {
            for (const std::string& out : m_g.nodes[i].outputs)
                m_producer[out] = i;
            for (const std::string& in : m_g.nodes[i].inputs)
                ++m_readers[in];
        }
        for (const OnnxValueInfo& out : m_g.outputs)
            ++m_readers[out.name]; // a graph output counts as a reader
        m_removed.assign(m_g.nodes.size(), false);
    }

    // The live node producing `value` with op type `op`, read only once.
    const OnnxNode* soleProducer(const std::string& value, const char* op, size_t* at = nullptr) const
    {
        auto it = m_producer.find(value);
        if (it == m_producer.end() || m_removed[it->second])
            return nullptr;
        const OnnxNode& n = m_g.nodes[it->second];
        if (n.opType != op || !n.domain.empty() || n.outputs.size() != 1)
            return nullptr;
        auto r = m_readers.find(value);
        if (r == m_readers.end() || r->second != 1)
            return nullptr;
        if (at)
            *at = it->second;
        return &n;
    }

    static bool isStandardHardSigmoid(const OnnxNode& n)
    {
        return std::fabs(n.floatOr("alpha", 0.2f) - 1.0f / 6.0f) < 1e-6f && std::fabs(n.floatOr("beta", 0.5f) - 0.5f) < 1e-6f;
    }

    void fuseGatedMul(size_t m)
    {
        OnnxNode& mul = m_g.nodes[m];
        if (mul.inputs.size() != 2)
            return;
        for (int side = 0; side < 2; ++side) {
            const std::string& a = mul.inputs[1 - side];
            size_t at = 0;
            const OnnxNode* gate = soleProducer(mul.inputs[side], "Sigmoid", &at);
            const char* fused = "Swish";
            if (!gate) {
                gate = soleProducer(mul.inputs[side], "HardSigmoid", &at);
                fused = "HardSwish";
                if (gate && !isStandardHardSigmoid(*gate))
                    gate = nullptr;
            }
            if (!gate || gate->inputs.size() != 1 || gate->inputs[0] != a)
                continue;
            m_removed[at] = true;
            mul.opType = fused;
            mul.domain = "rnnpool";
            mul.inputs = {a};
            mul.attributes.clear();
            return;
        }
    }

    void fuseSqueezeExcite(size_t m)
    {
        OnnxNode& mul = m_g.nodes[m];
        if (mul.inputs.size() != 2)
            return;
        for (int side = 0; side < 2; ++side) {
            const std::string& x = mul.inputs[1 - side];
            size_t gateAt = 0, c2At = 0, innerAt = 0, c1At = 0, poolAt = 0;
            const OnnxNode* gate = soleProducer(mul.inputs[side], "Sigmoid", &gateAt);
            std::string gateName = "sigmoid";
            if (!gate) {
                gate = soleProducer(mul.inputs[side], "HardSigmoid", &gateAt);
                gateName = "hsigmoid";
                if (gate && !isStandardHardSigmoid(*gate))
                    gate = nullptr;
            }
            if (!gate || gate->inputs.size() != 1)
                continue;
            const OnnxNode* c2 = soleProducer(gate->inputs[0], "Conv", &c2At);
            if (!c2 || !isPlainPointwise(*c2))
                continue;
            const OnnxNode* inner = nullptr;
            std::string innerName;
            for (const auto& [op, name] : {std::pair{"Relu", "relu"}, {"Swish", "swish"}, {"HardSwish", "hswish"}, {"Sigmoid", "sigmoid"}}) {
                auto it = m_producer.find(c2->inputs[0]);
                if (it == m_producer.end() || m_removed[it->second])
                    break;
                const OnnxNode& n = m_g.nodes[it->second];
                const bool domainOk = (std::string(op) == "Swish" || std::string(op) == "HardSwish") ? n.domain == "rnnpool" : n.domain.empty();
                if (n.opType == op && domainOk && n.outputs.size() == 1 && m_readers[c2->inputs[0]] == 1) {
                    inner = &n;
                    innerAt = it->second;
                    innerName = name;
                    break;
                }
            }
            if (!inner || inner->inputs.size() != 1)
                continue;
            const OnnxNode* c1 = soleProducer(inner->inputs[0], "Conv", &c1At);
            if (!c1 || !isPlainPointwise(*c1))
                continue;
            const OnnxNode* pool = soleProducer(c1->inputs[0], "GlobalAveragePool", &poolAt);
            if (!pool) {
                pool = soleProducer(c1->inputs[0], "ReduceMean", &poolAt);
                if (pool && !(pool->intOr("keepdims", 1) == 1 && spatialAxes(pool->intsOr("axes", {}))))
                    pool = nullptr;
            }
            if (!pool || pool->inputs.empty() || pool->inputs[0] != x)
                continue;
            OnnxNode se;
            se.opType = "SqueezeExcite";
            se.domain = "rnnpool";
            se.name = parentPath(c1->name);
            se.inputs = {x, c1->inputs[1], c1->inputs[2], c2->inputs[1], c2->inputs[2]};
            se.outputs = mul.outputs;
            OnnxAttribute a;
            a.kind = OnnxAttribute::Kind::String;
            a.s = innerName;
            se.attributes["inner"] = a;
            a.s = gateName;
            se.attributes["gate"] = a;
            for (size_t at : {gateAt, c2At, innerAt, c1At, poolAt})
                m_removed[at] = true;
            mul = std::move(se);
            return;
        }
    }

    bool isPlainPointwise(const OnnxNode& conv) const
    {
        if (conv.inputs.size() != 3 || !m_g.constants.count(conv.inputs[1]) || !m_g.constants.count(conv.inputs[2]))
            return false;
        const OnnxConstant& w = m_g.constants.at(conv.inputs[1]);
        return w.shape.size() == 4 && w.shape[2] == 1 && w.shape[3] == 1 && conv.intOr("group", 1) == 1;
    }

    static bool spatialAxes(const std::vector<int64_t>& axes)
    {
        return axes.size() == 2 && ((axes[0] == 2 && axes[1] == 3) || (axes[0] == -2 && axes[1] == -1) ||
                                    (axes[0] == 3 && axes[1] == 2) || (axes[0] == -1 && axes[1] == -2));
    }

    // "/features.1/block/fc1/Conv" -> "/features.1/block"
    static std::string parentPath(const std::string& name)
    {
        std::string s = name;
        for (int i = 0; i < 2; ++i) {
            const auto slash = s.rfind('/');
            if (slash == std::string::npos || slash == 0)
                return name + "_se";
            s = s.substr(0, slash);
        }
        return s;
    }

    void erase()
    {
        std::vector<OnnxNode> kept;
        kept.reserve(m_g.nodes.size());
        for (size_t i = 0; i < m_g.nodes.size(); ++i)
            if (!m_removed[i])
                kept.push_back(std::move(m_g.nodes[i]));
        m_g.nodes = std::move(kept);
        m_removed.assign(m_g.nodes.size(), false);
    }

    OnnxGraph& m_g;
    std::map<std::string, size_t> m_producer;
    std::map<std::string, int> m_readers;
    std::vector<bool> m_removed;
};

} // namespace

void rewriteOnnxPatterns(OnnxGraph& graph)
{
    Rewriter(graph).run();
}

} // namespace rnnpool
