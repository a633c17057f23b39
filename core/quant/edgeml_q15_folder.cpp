#include "quant/edgeml_q15_folder.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "integer/fastgrnn_q15_ref.h"
#include "io/file_io.h"
#include "io/npy.h"

namespace rnnpool {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The field names of scales_<mode>_rnn*.npy, in EdgeML's declaration order.
constexpr const char* kScaleFields[RP_EDGEML_SCALE_FIELDS] = {"input", "mean", "meanSub", "stdDev",
    "normFeaturesHDStdDev", "w", "normFeaturesMVW", "mVWOut", "u", "hiddenStateMVU", "mVUOut", "mV1AddMV2",
    "mV2AddMV1", "mV1AddMV2Out", "mV1AddMV2Demote", "pC1AddBg", "bg", "pC1AddBgOut", "pC1AddBgDemote",
    "sigmoidScaleIn", "sigmoidScaleOut", "pC1AddBh", "bh", "pC1AddBhOut", "pC1AddBhDemote", "tanhScaleIn",
    "tanhScaleOut", "gateHDHiddenState", "hiddenStateHDGate", "qOneScale", "qOneSubGate", "qOneSubGateOut",
    "sigmoidZeta", "sigmoidZetaMulQOneSubGate", "sigmoidNu", "sigmoidNuAddQOneSubGate", "sigmoidNuAddQOneSubGateOut",
    "sigmoidNuAddQOneSubGateHDUpdate", "updateHDSigmoidNuAddQOneSubGate", "pC3AddPC1", "pC1AddPC3", "hiddenStateOut",
    "hiddenStateDemote", "div", "add", "sigmoidLimit", "qOne", "useTableSigmoid", "useTableTanH"};
constexpr const char* kModes[2] = {"div", "shift"};

// Reads manifest fields by path and words every failure the same way.
class Manifest {
public:
    Manifest(json doc, std::string label) : m_doc(std::move(doc)), m_label(std::move(label)) {}

    Expected<const json*> at(const json& parent, const std::string& key, const std::string& path) const
    {
        if (!parent.is_object() || !parent.contains(key))
            return makeError(m_label + ": field '" + path + "' is missing");
        return &parent.at(key);
    }
    Expected<int64_t> integer(const json& parent, const std::string& key, const std::string& path, int64_t lo,
                              int64_t hi) const
    {
        Expected<const json*> v = at(parent, key, path);
        if (!v)
            return std::move(v).takeError();
        if (!(*v)->is_number_integer())
            return makeError(m_label + ": field '" + path + "' is not an integer");
        const int64_t value = (*v)->get<int64_t>();
        if (value < lo || value > hi)
            return makeError(m_label + ": field '" + path + "' is " + std::to_string(value) + ", expected " +
                             std::to_string(lo) + ".." + std::to_string(hi));
        return value;
    }
    Expected<std::string> string(const json& parent, const std::string& key, const std::string& path) const
    {
        Expected<const json*> v = at(parent, key, path);
        if (!v)
            return std::move(v).takeError();
        if (!(*v)->is_string() || (*v)->get<std::string>().empty())
            return makeError(m_label + ": field '" + path + "' is not a non-empty string");
        return (*v)->get<std::string>();
    }
    const json& doc() const { return m_doc; }
    const std::string& label() const { return m_label; }

private:
    json m_doc;
    std::string m_label;
};

// An integer .npy of the expected dtype and shape, as int16 values.
Expected<std::vector<int16_t>> loadInts(const fs::path& path, DType dtype, const Shape& shape, const std::string& why)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return makeError(fileLabel("array", path) + " (" + why + ") is missing");
    Expected<NpyArray> array = readNpyWithType(path);
    if (!array)
        return makeError(array.error() + " (" + why + ")");
    if (array->dtype != dtype)
        return makeError(fileLabel("array", path) + " (" + why + "): dtype " + std::string(dtypeName(array->dtype)) +
                         ", expected " + std::string(dtypeName(dtype)));
    if (array->values.shape() != shape)
        return makeError(fileLabel("array", path) + " (" + why + "): shape " + shapeToString(array->values.shape()) +
                         ", expected " + shapeToString(shape));
    std::vector<int16_t> out(static_cast<size_t>(array->values.numel()));
    std::transform(array->values.data(), array->values.data() + array->values.numel(), out.begin(),
                   [](float v) { return static_cast<int16_t>(v); });
    return out;
}

Status loadCell(const fs::path& dir, const std::string& prefix, int32_t in, int32_t hidden, EdgemlQ15Cell& cell)
{
    struct Item {
        const char* suffix;
        Shape shape;
        std::vector<int16_t>* target;
    };
    const Item items[] = {{"_W.npy", {hidden, in}, &cell.W}, {"_U.npy", {hidden, hidden}, &cell.U},
                          {"_bias_gate.npy", {hidden}, &cell.biasGate}, {"_bias_update.npy", {hidden}, &cell.biasUpdate}};
    for (const Item& item : items) {
        auto values = loadInts(dir / (prefix + item.suffix), DType::I16, item.shape, prefix + " weights");
        if (!values)
            return std::move(values).takeError();
        *item.target = std::move(*values);
    }
    auto zn = loadInts(dir / (prefix + "_zeta_nu.npy"), DType::I16, {2}, prefix + " [sigmoid_zeta, sigmoid_nu]");
    if (!zn)
        return std::move(zn).takeError();
    cell.sigmoidZeta = (*zn)[0];
    cell.sigmoidNu = (*zn)[1];
    return Status::ok();
}

Status loadScales(const Manifest& m, EdgemlQ15Folder& f)
{
    auto order = m.at(m.doc(), "scale_field_order", "scale_field_order");
    if (!order)
        return std::move(order).takeError();
    std::vector<std::string> names;
    if ((*order)->is_array())
        for (const json& n : **order)
            names.push_back(n.is_string() ? n.get<std::string>() : std::string{});
    if (names != std::vector<std::string>(std::begin(kScaleFields), std::end(kScaleFields)))
        return makeError(m.label() + ": field 'scale_field_order' is not EdgeML's 49 Q15_FastGRNN_Scales fields in order");
    auto scales = m.at(m.doc(), "scales", "scales");
    if (!scales)
        return std::move(scales).takeError();
    for (int mi = 0; mi < 2; ++mi) {
        const std::string mode = kModes[mi];
        auto modeNode = m.at(**scales, mode, "scales." + mode);
        if (!modeNode)
            return std::move(modeNode).takeError();
        for (int cell = 0; cell < 2; ++cell) {
            const std::string rnn = cell == 0 ? "rnn1" : "rnn2";
            auto node = m.at(**modeNode, rnn, "scales." + mode + "." + rnn);
            if (!node)
                return std::move(node).takeError();
            auto& dst = cell == 0 ? f.rnn1Scales[static_cast<size_t>(mi)] : f.rnn2Scales[static_cast<size_t>(mi)];
            for (size_t i = 0; i < RP_EDGEML_SCALE_FIELDS; ++i) {
                auto v = m.integer(**node, kScaleFields[i], "scales." + mode + "." + rnn + "." + kScaleFields[i],
                                   INT32_MIN, INT32_MAX);
                if (!v)
                    return std::move(v).takeError();
                dst[i] = static_cast<int32_t>(*v);
            }
        }
        auto block = m.at(**modeNode, "block", "scales." + mode + ".block");
        if (!block)
            return std::move(block).takeError();
        const char* blockNames[4] = {"ShR1", "ShL1", "ShR2", "ShL2"};
        for (size_t i = 0; i < 4; ++i) {
            auto v = m.integer(**block, blockNames[i], "scales." + mode + ".block." + blockNames[i], INT32_MIN, INT32_MAX);
            if (!v)
                return std::move(v).takeError();
            f.blockScales[static_cast<size_t>(mi)][i] = static_cast<int32_t>(*v);
        }
    }
    return Status::ok();
}

Status loadCase(const Manifest& m, const json& node, size_t index, EdgemlQ15Folder& f)
{
    const std::string at = "cases[" + std::to_string(index) + "]";
    EdgemlQ15Case c;
    auto type = m.string(node, "input_type", at + ".input_type");
    auto mode = m.string(node, "scale_mode", at + ".scale_mode");
    auto n = m.integer(node, "n", at + ".n", 1, 1 << 20);
    if (!type)
        return std::move(type).takeError();
    if (!mode)
        return std::move(mode).takeError();
    if (!n)
        return std::move(n).takeError();
    if (*type != "q15" && *type != "q7")
        return makeError(m.label() + ": field '" + at + ".input_type' is '" + *type + "', expected 'q15' or 'q7'");
    if (*mode != "div" && *mode != "shift")
        return makeError(m.label() + ": field '" + at + ".scale_mode' is '" + *mode + "', expected 'div' or 'shift'");
    c.inputType = *type;
    c.scaleMode = *mode;
    c.n = *n;
    const int64_t k = f.patch, h1 = f.hidden1, h2 = f.hidden2, N = c.n;
    auto input = m.string(node, "input_nhwc", at + ".input_nhwc");
    auto output = m.string(node, "output", at + ".output");
    if (!input)
        return std::move(input).takeError();
    if (!output)
        return std::move(output).takeError();
    auto in = loadInts(f.dir / *input, c.inputType == "q15" ? DType::I16 : DType::I8, {N, k, k, f.channels},
                       at + ".input_nhwc");
    if (!in)
        return std::move(in).takeError();
    c.input = std::move(*in);
    auto out = loadInts(f.dir / *output, DType::I16, {N, 4 * h2}, at + ".output");
    if (!out)
        return std::move(out).takeError();
    c.output = std::move(*out);
    c.outputFile = *output;
    // Per-step goldens are optional; named ones must be right.
    struct Optional {
        const char* key;
        Shape shape;
        std::vector<int16_t>* target;
    };
    const Optional optional[] = {{"rowsum", {N, k, h1}, &c.rowsum}, {"colsum", {N, k, h1}, &c.colsum},
                                 {"rnn1_row_steps", {N, k, k, h1}, &c.rowSteps},
                                 {"rnn1_col_steps", {N, k, k, h1}, &c.colSteps},
                                 {"rnn2_steps", {N, 4, k, h2}, &c.rnn2Steps}};
    for (const Optional& o : optional) {
        if (!node.contains(o.key))
            continue;
        auto file = m.string(node, o.key, at + "." + o.key);
        if (!file)
            return std::move(file).takeError();
        auto values = loadInts(f.dir / *file, DType::I16, o.shape, at + "." + o.key);
        if (!values)
            return std::move(values).takeError();
        *o.target = std::move(*values);
    }
    f.cases.push_back(std::move(c));
    return Status::ok();
}

} // namespace

rp_edgeml_rnnpool_config EdgemlQ15Folder::config(const std::string& mode) const
{
    const size_t mi = static_cast<size_t>(modeIndex(mode));
    const rp_scale_mode m = mi == 1 ? RP_SCALE_SHIFT : RP_SCALE_DIV;
    rp_edgeml_rnnpool_config cfg{};
    cfg.rnn1 = {rnn1.W.data(), rnn1.U.data(), rnn1.biasGate.data(), rnn1.biasUpdate.data(), rnn1.sigmoidZeta,
                rnn1.sigmoidNu, channels, hidden1};
    cfg.rnn2 = {rnn2.W.data(), rnn2.U.data(), rnn2.biasGate.data(), rnn2.biasUpdate.data(), rnn2.sigmoidZeta,
                rnn2.sigmoidNu, hidden1, hidden2};
    rp_edgeml_scales_from_fields(&cfg.rnn1_scales, rnn1Scales[mi].data(), m);
    rp_edgeml_scales_from_fields(&cfg.rnn2_scales, rnn2Scales[mi].data(), m);
    cfg.patch_rows = cfg.patch_cols = patch;
    cfg.block = {blockScales[mi][0], blockScales[mi][1], blockScales[mi][2], blockScales[mi][3], m};
    return cfg;
}

Expected<EdgemlQ15Folder> loadEdgemlQ15Folder(const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return makeError("check-q15 folder '" + dir.string() + "' is not a directory");
    const fs::path manifestPath = dir / "manifest.json";
    Expected<std::vector<uint8_t>> bytes = readFileBytes(manifestPath, "manifest");
    if (!bytes)
        return std::move(bytes).takeError();
    json doc = json::parse(bytes->begin(), bytes->end(), nullptr, false);
    const std::string label = fileLabel("manifest", manifestPath);
    if (doc.is_discarded() || !doc.is_object())
        return makeError(label + ": not a valid JSON object");
    const Manifest m(std::move(doc), label);

    EdgemlQ15Folder f;
    f.dir = dir;
    auto dims = m.at(m.doc(), "dims", "dims");
    if (!dims)
        return std::move(dims).takeError();
    struct Dim {
        const char* key;
        int32_t* target;
    };
    const Dim dimList[] = {{"patch_dim", &f.patch}, {"input_channels", &f.channels}, {"hidden1", &f.hidden1},
                           {"hidden2", &f.hidden2}};
    for (const Dim& d : dimList) {
        auto v = m.integer(**dims, d.key, std::string("dims.") + d.key, 1, 1024);
        if (!v)
            return std::move(v).takeError();
        *d.target = static_cast<int32_t>(*v);
    }
    if (Status s = loadCell(dir, "rnn1", f.channels, f.hidden1, f.rnn1); !s)
        return Error{s.error()};
    if (Status s = loadCell(dir, "rnn2", f.hidden1, f.hidden2, f.rnn2); !s)
        return Error{s.error()};
    if (Status s = loadScales(m, f); !s)
        return Error{s.error()};
    auto cases = m.at(m.doc(), "cases", "cases");
    if (!cases)
        return std::move(cases).takeError();
    if (!(*cases)->is_array() || (*cases)->empty())
        return makeError(label + ": field 'cases' is not a non-empty list");
    for (size_t i = 0; i < (*cases)->size(); ++i)
        if (Status s = loadCase(m, (**cases)[i], i, f); !s)
            return Error{s.error()};
    for (const char* mode : kModes) {
        const rp_edgeml_rnnpool_config cfg = f.config(mode);
        if (rp_edgeml_rnnpool_check(&cfg) != RP_Q15_OK)
            return makeError(label + ": the '" + mode + "' weights and scales cannot run (a zero divisor, a shift "
                                     "outside 0..62, table activations, or mismatched sizes)");
    }
    // The authors' one-step check (optional).
    if (m.doc().contains("fastgrnn_one_step_check")) {
        const json& check = m.doc()["fastgrnn_one_step_check"];
        const json* input = check.is_object() && check.contains("input") ? &check["input"] : nullptr;
        if (!input || !input->is_array() || input->size() != static_cast<size_t>(f.channels))
            return makeError(label + ": field 'fastgrnn_one_step_check.input' is not a list of " +
                             std::to_string(f.channels) + " integers");
        for (const json& v : *input)
            f.oneStepInput.push_back(v.is_number_integer() ? static_cast<int16_t>(v.get<int>()) : int16_t{0});
        for (int mi = 0; mi < 2; ++mi) {
            const json* e = check.contains("expected_h") && check["expected_h"].contains(kModes[mi])
                                ? &check["expected_h"][kModes[mi]] : nullptr;
            if (!e || !e->is_array() || e->size() != static_cast<size_t>(f.hidden1))
                return makeError(label + ": field 'fastgrnn_one_step_check.expected_h." + kModes[mi] +
                                 "' is not a list of " + std::to_string(f.hidden1) + " integers");
            for (const json& v : *e)
                f.oneStepExpected[static_cast<size_t>(mi)].push_back(static_cast<int16_t>(v.is_number_integer() ? v.get<int>() : 0));
        }
    }
    return f;
}

namespace {
// Counts equal values of `got` against `want`; the first differing index.
std::string firstDifference(const char* name, const std::vector<int16_t>& got, const std::vector<int16_t>& want)
{
    if (want.empty())
        return {};
    for (size_t i = 0; i < want.size(); ++i)
        if (got[i] != want[i])
            return std::string(name) + "[" + std::to_string(i) + "]: ours " + std::to_string(got[i]) + ", golden " +
                   std::to_string(want[i]);
    return {};
}
} // namespace

Expected<EdgemlQ15Run> runEdgemlQ15Case(const EdgemlQ15Folder& f, const EdgemlQ15Case& c, bool reference)
{
    const rp_edgeml_rnnpool_config cfg = f.config(c.scaleMode);
    const size_t k = static_cast<size_t>(f.patch), h1 = static_cast<size_t>(f.hidden1), h2 = static_cast<size_t>(f.hidden2);
    const size_t n = static_cast<size_t>(c.n), patchValues = k * k * static_cast<size_t>(f.channels);
    EdgemlQ15Run run;
    run.output.resize(n * 4 * h2);
    run.rowsum.resize(n * k * h1);
    run.colsum.resize(n * k * h1);
    run.rowSteps.resize(n * k * k * h1);
    run.colSteps.resize(n * k * k * h1);
    run.rnn2Steps.resize(n * 4 * k * h2);
    std::vector<uint32_t> scratch((std::max(rp_edgeml_rnnpool_scratch_bytes(&cfg), rp_edgeml_rnnpool_ref_scratch_bytes(&cfg)) + 3) / 4);
    std::vector<int8_t> bytes(patchValues);
    for (size_t p = 0; p < n; ++p) {
        rp_rnnpool_q15_trace trace{run.rowSteps.data() + p * k * k * h1, run.colSteps.data() + p * k * k * h1,
                                   run.rowsum.data() + p * k * h1, run.colsum.data() + p * k * h1,
                                   run.rnn2Steps.data() + p * 4 * k * h2};
        const int16_t* in = c.input.data() + p * patchValues;
        int16_t* out = run.output.data() + p * 4 * h2;
        const int32_t pitch = f.patch;
        int status;
        if (c.inputType == "q7") {
            std::transform(in, in + patchValues, bytes.begin(), [](int16_t v) { return static_cast<int8_t>(v); });
            status = reference ? rp_edgeml_rnnpool_q7xq15_ref(&cfg, bytes.data(), pitch, out, scratch.data(), &trace)
                               : rp_edgeml_rnnpool_q7xq15(&cfg, bytes.data(), pitch, out, scratch.data(), &trace);
        } else {
            status = reference ? rp_edgeml_rnnpool_q15_ref(&cfg, in, pitch, out, scratch.data(), &trace)
                               : rp_edgeml_rnnpool_q15(&cfg, in, pitch, out, scratch.data(), &trace);
        }
        if (status != RP_Q15_OK)
            return makeError("case " + c.name() + ": the kernel refused the configuration (status " +
                             std::to_string(status) + ")");
        bool patchMatches = true;
        for (size_t i = 0; i < 4 * h2; ++i) {
            const bool same = out[i] == c.output[p * 4 * h2 + i];
            run.matchedValues += same ? 1 : 0;
            patchMatches = patchMatches && same;
        }
        run.matchedPatches += patchMatches ? 1 : 0;
    }
    run.totalValues = static_cast<int64_t>(run.output.size());
    // In computation order, so the first name is where the two part ways.
    for (auto [name, got, want] : {std::tuple{"rnn1_row_steps", &run.rowSteps, &c.rowSteps},
                                   std::tuple{"rowsum", &run.rowsum, &c.rowsum},
                                   std::tuple{"rnn1_col_steps", &run.colSteps, &c.colSteps},
                                   std::tuple{"colsum", &run.colsum, &c.colsum},
                                   std::tuple{"rnn2_steps", &run.rnn2Steps, &c.rnn2Steps},
                                   std::tuple{"output", &run.output, &c.output}}) {
        run.firstMismatch = firstDifference(name, *got, *want);
        if (!run.firstMismatch.empty())
            break;
    }
    return run;
}

std::vector<int16_t> runEdgemlQ15OneStep(const EdgemlQ15Folder& f, const std::string& mode)
{
    const rp_edgeml_rnnpool_config cfg = f.config(mode);
    std::vector<int16_t> h(static_cast<size_t>(f.hidden1), 0);
    std::vector<uint32_t> scratch((rp_edgeml_fastgrnn_scratch_bytes(f.hidden1) + 3) / 4);
    if (f.oneStepInput.size() == static_cast<size_t>(f.channels))
        rp_edgeml_fastgrnn_q15_step(&cfg.rnn1, &cfg.rnn1_scales, f.oneStepInput.data(), h.data(), scratch.data());
    return h;
}

} // namespace rnnpool
