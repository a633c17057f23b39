// rnnpool diff A B: two models layer by layer (core/profile/model_diff.h).
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "engine/graph_run.h"
#include "engine/preprocess.h"
#include "io/npy.h"
#include "profile/model_diff.h"
#include "util/limits.h"

namespace rnnpool::cli {

namespace {

std::string shapeText(const Shape& s)
{
    if (s.size() != 3)
        return shapeToString(s);
    return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

std::string pairText(int64_t a, int64_t b, bool hasA, bool hasB)
{
    if (!hasA)
        return "- / " + std::to_string(b);
    if (!hasB)
        return std::to_string(a) + " / -";
    return a == b ? std::to_string(a) : std::to_string(a) + " / " + std::to_string(b);
}

nlohmann::json sideJson(const LayerSide& s)
{
    if (s.node < 0)
        return nullptr;
    nlohmann::json j{{"node", s.node}, {"name", s.name}, {"op", s.op}, {"shape", s.shape},
                     {"params", s.params}, {"madds", s.madds}, {"bytes", s.bytes}};
    j["ms"] = s.seconds >= 0.0 ? nlohmann::json(s.seconds * 1e3) : nlohmann::json(nullptr);
    return j;
}

} // namespace

int commandDiff(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--image", "--tensor", "--size", "--runs"}, {"--json"});
    if (!args.ok())
        return usageError("diff", args.error());
    if (args.positionals().size() != 2)
        return usageError("diff", "give two models: rnnpool diff A B [--image P | --tensor X.npy]");
    if (args.value("--image") && args.value("--tensor"))
        return usageError("diff", "give --image or --tensor, not both");
    int runs = 3;
    if (const auto r = args.value("--runs")) {
        char* end = nullptr;
        const long v = std::strtol(r->c_str(), &end, 10);
        if (end == r->c_str() || *end != '\0' || v < 1 || v > 1000)
            return usageError("diff", "--runs must be a whole number from 1 to 1000, not '" + *r + "'");
        runs = static_cast<int>(v);
    }
    std::optional<Size2> size;
    if (const auto s = args.value("--size")) {
        const auto parsed = parseSizeSpec(*s);
        if (!parsed || parsed->channels != 0)
            return usageError("diff", "--size must be WIDTHxHEIGHT, e.g. 320x240, not '" + *s + "'");
        if (Status st = limits::checkInputSize(parsed->width, parsed->height); !st)
            return usageError("diff", "--size " + *s + ": " + st.error());
        size = Size2{parsed->width, parsed->height};
    }
    auto a = diffSideFor(args.positionals()[0]);
    if (!a)
        return inputError(a.error());
    auto b = diffSideFor(args.positionals()[1]);
    if (!b)
        return inputError(b.error());

    // The input as model A takes it.
    const ArchSpec& spec = a->network->spec();
    const int64_t channels = spec.inputChannels;
    Size2 area = spec.detector ? Size2{spec.detector->areaWidth, spec.detector->areaHeight} : Size2{spec.defaultWidth, spec.defaultHeight};
    std::optional<Tensor> input;
    if (const auto image = args.value("--image")) {
        auto picture = loadPicture(*image);
        if (!picture)
            return inputError(picture.error());
        auto t = pictureInputFor(spec, *picture, size);
        if (!t)
            return inputError("picture '" + *image + "': " + t.error());
        input = std::move(*t);
    } else if (const auto path = args.value("--tensor")) {
        if (size)
            return usageError("diff", "--size applies to --image; a tensor has its own size");
        auto t = readNpy(*path);
        if (!t)
            return inputError(t.error());
        Tensor x = std::move(*t);
        if (x.rank() == 4 && x.dim(0) == 1)
            x.reshape(Shape(x.shape().begin() + 1, x.shape().end()));
        if (x.rank() != 3 || x.dim(0) != channels)
            return inputError("tensor '" + *path + "': shape " + shapeToString(x.shape()) + " is not (1," + std::to_string(channels) +
                              ",H,W) or (" + std::to_string(channels) + ",H,W)");
        input = std::move(x);
    }
    const Shape inputShape = input ? input->shape() : Shape{channels, size ? size->height : area.height, size ? size->width : area.width};
    if (input) {
        if (Status st = a->network->checkMemory(inputShape); !st)
            return inputError(st.error());
        if (Status st = b->network->checkMemory(inputShape); !st)
            return inputError(st.error());
    }

    auto diff = diffModels(*a, *b, inputShape, input ? &*input : nullptr, runs);
    if (!diff)
        return inputError(diff.error());

    if (args.flag("--json")) {
        nlohmann::json rows = nlohmann::json::array();
        for (const LayerDiff& l : diff->layers) {
            nlohmann::json r{{"a", sideJson(l.a)}, {"b", sideJson(l.b)}, {"compared", l.compared}};
            if (l.compared) {
                r["max_abs_diff"] = l.maxAbs;
                r["sqnr_db"] = l.sqnrDb ? nlohmann::json(*l.sqnrDb) : nlohmann::json("inf");
            }
            rows.push_back(r);
        }
        const LayerDiff* worst = diff->worst();
        std::cout << nlohmann::json{{"a", diff->labelA}, {"b", diff->labelB}, {"rule", diff->rule}, {"input", diff->input},
                                    {"ran", diff->ran}, {"runs", diff->runs}, {"paired", diff->paired()},
                                    {"worst", worst ? nlohmann::json{{"layer", worst->a.name}, {"sqnr_db", *worst->sqnrDb}}
                                                    : nlohmann::json(nullptr)},
                                    {"layers", rows}}
                         .dump(2)
                  << "\n";
        return kExitOk;
    }

    size_t nameWidth = 12;
    for (const LayerDiff& l : diff->layers)
        nameWidth = std::max(nameWidth, (l.a.node >= 0 ? l.a.name : l.b.name).size() + (l.a.node >= 0 && l.b.node >= 0 && l.a.name != l.b.name ? l.b.name.size() + 3 : 0) + 2);
    std::cout << "A: " << diff->labelA << "\nB: " << diff->labelB << "\ninput " << shapeText(diff->input)
              << (diff->ran ? ", times are medians of " + std::to_string(diff->runs) + " runs" : ", no input given: shapes and counts only")
              << "; layers paired by " << (diff->rule == "name" ? "name" : "position (the names differ)") << "\n\n";
    std::cout << std::left << std::setw(static_cast<int>(nameWidth)) << "layer (A | B)" << std::setw(24) << "output CxHxW"
              << std::right << std::setw(20) << "params" << std::setw(24) << "MAdds" << std::setw(22) << "bytes";
    if (diff->ran)
        std::cout << std::setw(18) << "ms" << std::setw(12) << "max |A-B|" << std::setw(10) << "SQNR dB";
    std::cout << "\n";
    for (const LayerDiff& l : diff->layers) {
        const bool hasA = l.a.node >= 0, hasB = l.b.node >= 0;
        std::string name = hasA ? l.a.name : "- | " + l.b.name;
        if (hasA && hasB && l.a.name != l.b.name)
            name += " | " + l.b.name;
        if (hasA && !hasB)
            name += " | -";
        std::string shape = hasA ? shapeText(l.a.shape) : "";
        if (hasB && (!hasA || l.b.shape != l.a.shape))
            shape += (hasA ? " | " : "") + shapeText(l.b.shape);
        std::cout << std::left << std::setw(static_cast<int>(nameWidth)) << name << std::setw(24) << shape << std::right
                  << std::setw(20) << pairText(l.a.params, l.b.params, hasA, hasB) << std::setw(24)
                  << pairText(l.a.madds, l.b.madds, hasA, hasB) << std::setw(22) << pairText(l.a.bytes, l.b.bytes, hasA, hasB);
        if (diff->ran) {
            std::ostringstream ms;
            ms << (hasA ? formatFloat(l.a.seconds * 1e3, 3) : "-") << " / " << (hasB ? formatFloat(l.b.seconds * 1e3, 3) : "-");
            std::cout << std::setw(18) << ms.str();
            if (l.compared)
                std::cout << std::setw(12) << formatFloat(l.maxAbs, 6) << std::setw(10)
                          << (l.sqnrDb ? formatFloat(*l.sqnrDb, 1) : std::string("inf"));
            else
                std::cout << std::setw(12) << "-" << std::setw(10) << "-";
        }
        std::cout << "\n";
    }
    std::cout << "\n" << diff->paired() << " layers paired by " << diff->rule << " of " << diff->layers.size() << " listed";
    if (const LayerDiff* w = diff->worst())
        std::cout << "; lowest SQNR " << formatFloat(*w->sqnrDb, 1) << " dB at " << w->a.name;
    else if (diff->ran)
        std::cout << "; every compared layer is identical";
    std::cout << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
