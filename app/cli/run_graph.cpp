#include "cli/run_graph.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "engine/graph_run.h"
#include "io/npy.h"
#include "util/limits.h"

namespace rnnpool::cli {

namespace {

// "0.485,0.456,0.406" (or one number for all three channels).
std::optional<std::array<float, 3>> parseTriple(const std::string& text)
{
    std::array<float, 3> v{};
    size_t count = 0, start = 0;
    while (start <= text.size() && count < 4) {
        const size_t comma = text.find(',', start);
        const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        char* end = nullptr;
        const float f = std::strtof(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !std::isfinite(f))
            return std::nullopt;
        if (count < 3)
            v[count] = f;
        ++count;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (count == 1)
        return std::array<float, 3>{v[0], v[0], v[0]};
    if (count != 3)
        return std::nullopt;
    return v;
}

} // namespace

int runGraphModel(const Arguments& args, const Model& model)
{
    const Network& net = *model.network;
    const ArchSpec& spec = model.spec();
    for (const char* detectorOnly : {"--threshold", "--annotate", "--pyramid"})
        if (args.value(detectorOnly))
            return usageError("run", std::string(detectorOnly) + " applies to detectors; " + spec.name + " is not one");
    if (args.flag("--dump-layers") && !args.value("--dump"))
        return usageError("run", "--dump-layers needs --dump DIR");
    PictureNormalization norm;
    if (const auto m = args.value("--mean")) {
        const auto v = parseTriple(*m);
        if (!v)
            return usageError("run", "--mean must be one number or three separated by commas, not '" + *m + "'");
        norm.mean = *v;
    }
    if (const auto s = args.value("--std")) {
        const auto v = parseTriple(*s);
        if (!v || std::any_of(v->begin(), v->end(), [](float x) { return !(x > 0.0f); }))
            return usageError("run", "--std must be one positive number or three separated by commas, not '" + *s + "'");
        norm.std = *v;
    }
    if (const auto s = args.value("--scale")) {
        char* end = nullptr;
        const float v = std::strtof(s->c_str(), &end);
        if (end == s->c_str() || *end != '\0' || !(v > 0.0f) || !std::isfinite(v))
            return usageError("run", "--scale must be a positive number (pixel values are multiplied by it), not '" + *s + "'");
        norm.scale = v;
    }
    if (const auto o = args.value("--order")) {
        if (*o != "rgb" && *o != "bgr")
            return usageError("run", "--order must be rgb or bgr, not '" + *o + "'");
        norm.bgr = *o == "bgr";
    }

    Tensor input;
    std::string inputText;
    if (const auto image = args.value("--image")) {
        Size2 size{spec.defaultWidth, spec.defaultHeight};
        if (const auto s = args.value("--size")) {
            const auto parsed = parseSizeSpec(*s);
            if (!parsed || parsed->channels != 0)
                return usageError("run", "--size must be WIDTHxHEIGHT, e.g. 224x224, not '" + *s + "'");
            if (Status st = limits::checkInputSize(parsed->width, parsed->height); !st)
                return usageError("run", "--size " + *s + ": " + st.error());
            size = {parsed->width, parsed->height};
        }
        auto picture = loadPicture(*image);
        if (!picture)
            return inputError(picture.error());
        auto t = normalizedPicture(*picture, size, norm, net.inputChannels());
        if (!t)
            return inputError("picture '" + *image + "': " + t.error());
        input = std::move(*t);
        inputText = *image + " resized to " + std::to_string(size.width) + "x" + std::to_string(size.height) + "; " + describe(norm);
    } else {
        const std::string path = *args.value("--tensor");
        for (const char* pictureOnly : {"--mean", "--std", "--scale", "--order"})
            if (args.value(pictureOnly))
                return usageError("run", std::string(pictureOnly) + " applies to --image; a tensor is used as it is");
        auto t = readNpy(path);
        if (!t)
            return inputError(t.error());
        input = std::move(*t);
        if (input.rank() == 4 && input.dim(0) == 1)
            input.reshape(Shape(input.shape().begin() + 1, input.shape().end()));
        if (input.rank() != 3)
            return inputError("tensor '" + path + "': shape " + shapeToString(input.shape()) + " is not (1,C,H,W) or (C,H,W)");
        if (input.dim(0) != net.inputChannels())
            return inputError("tensor '" + path + "': " + std::to_string(input.dim(0)) + " channels, but " + spec.name + " takes " +
                              std::to_string(net.inputChannels()));
        inputText = path + " " + shapeToString(input.shape());
    }
    if (Status st = net.checkMemory(input.shape()); !st)
        return inputError(st.error());

    (void)runGraphOutputs(net, input); // an untimed warm-up run, as for detectors
    double seconds = 0.0;
    auto outputs = runGraphOutputs(net, input, &seconds);
    if (!outputs)
        return inputError(outputs.error());

    std::vector<std::string> files;
    if (const auto dir = args.value("--dump")) {
        std::error_code ec;
        std::filesystem::create_directories(*dir, ec);
        if (ec)
            return inputError("cannot create dump folder '" + *dir + "': " + ec.message());
        std::set<std::string> used;
        for (const NamedOutput& o : *outputs) {
            std::string file = safeFileName(o.name);
            for (int k = 2; used.count(file); ++k)
                file = safeFileName(o.name) + "_" + std::to_string(k);
            used.insert(file);
            const auto path = std::filesystem::path(*dir) / (file + ".npy");
            if (Status st = writeNpy(path, o.value); !st)
                return inputError(st.error());
            files.push_back(path.string());
        }
    }

    // The five largest values of a vector-shaped output (class scores).
    const auto top = [](const Tensor& t) {
        std::vector<int64_t> idx(static_cast<size_t>(t.numel()));
        std::iota(idx.begin(), idx.end(), 0);
        const size_t k = std::min<size_t>(5, idx.size());
        std::partial_sort(idx.begin(), idx.begin() + static_cast<long>(k), idx.end(),
                          [&](int64_t a, int64_t b) { return t.data()[a] > t.data()[b]; });
        idx.resize(k);
        return idx;
    };
    if (args.flag("--json")) {
        nlohmann::json out{{"model", model.source}, {"arch", spec.name}, {"dtype", "f32"}, {"input", inputText},
                           {"ms", seconds * 1000.0}, {"notes", model.notes}, {"outputs", nlohmann::json::array()}};
        for (size_t i = 0; i < outputs->size(); ++i) {
            const NamedOutput& o = (*outputs)[i];
            nlohmann::json j{{"name", o.name}, {"layer", o.layer}, {"shape", o.value.shape()}};
            if (!files.empty())
                j["file"] = files[i];
            nlohmann::json best = nlohmann::json::array();
            for (int64_t k : top(o.value))
                best.push_back({{"index", k}, {"value", o.value.data()[k]}});
            j["top"] = best;
            out["outputs"].push_back(j);
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "model: " << model.source << " (" << spec.name << (model.randomWeights ? ", RANDOM WEIGHTS" : "") << ")\n";
    for (const std::string& note : model.notes)
        std::cout << "note: " << note << "\n";
    std::cout << "input: " << inputText << "\n";
    std::cout << "time: " << formatFloat(seconds * 1000.0, 2) << " ms (after a warm-up run)\n";
    for (size_t i = 0; i < outputs->size(); ++i) {
        const NamedOutput& o = (*outputs)[i];
        std::cout << "output '" << o.name << "' " << shapeToString(o.value.shape()) << " from layer " << o.layer;
        if (!files.empty())
            std::cout << " -> " << files[i];
        std::cout << "\n  top:";
        for (int64_t k : top(o.value))
            std::cout << " [" << k << "] " << formatFloat(o.value.data()[k], 4);
        std::cout << "\n";
    }
    return kExitOk;
}

} // namespace rnnpool::cli
