// rnnpool eval: average precision of a face detector on labelled pictures.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/int8_common.h"
#include "eval/face_evaluation.h"
#include "quant/int8_detector.h"
#include "quant/quantized_file.h"

namespace rnnpool::cli {

namespace {

struct Evaluated {
    std::string detector;  // "model" or "haar"
    std::string name;      // what the source calls itself
    std::string file;      // model file, or where the cascade comes from
    bool randomWeights = false;
    EvaluationResult result;
};

nlohmann::json toJson(const Evaluated& e, float minFace)
{
    const EvaluationResult& r = e.result;
    nlohmann::json out{{"detector", e.name}, {"model", e.file}, {"random_weights", e.randomWeights},
                       {"min_face", minFace}, {"ap", r.ap}, {"num_faces", r.numFaces},
                       {"num_images", r.numImages}, {"num_detections", r.numDetections},
                       {"precision", r.precision}, {"recall", r.recall}};
    out["buckets"] = nlohmann::json::array();
    for (const SizeBucket& b : r.buckets)
        out["buckets"].push_back({{"min_height", b.minHeight},
                                  {"max_height", std::isinf(b.maxHeight) ? nlohmann::json(nullptr) : nlohmann::json(b.maxHeight)},
                                  {"faces", b.faces}, {"found", b.found}, {"recall", b.recall()}});
    return out;
}

void printText(const Evaluated& e, float minFace)
{
    const EvaluationResult& r = e.result;
    std::cout << e.name << " on " << r.numImages << " picture(s), " << r.numFaces << " face(s) of at least "
              << formatFloat(minFace, 0) << " px in the network's input\n"
              << "  AP@0.5 " << formatFloat(r.ap, 4) << " (" << r.numDetections << " detections)\n";
    for (const SizeBucket& b : r.buckets)
        std::cout << "  faces " << formatFloat(b.minHeight, 0) << "-" << (std::isinf(b.maxHeight) ? std::string("") : formatFloat(b.maxHeight, 0))
                  << " px: recall " << formatFloat(b.recall(), 3) << " (" << b.found << " of " << b.faces << ")\n";
    if (e.randomWeights)
        std::cout << "  note: the model has random weights\n";
}

// "model", "haar" or both, comma-separated; every name once.
std::optional<std::vector<std::string>> parseDetectors(const std::string& list)
{
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        const std::string name = list.substr(start, comma - start);
        if ((name != "model" && name != "model-i8" && name != "haar") || std::find(names.begin(), names.end(), name) != names.end())
            return std::nullopt;
        names.push_back(name);
        start = comma + 1;
    }
    return names;
}

} // namespace

int commandEval(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--detector", "--images", "--labels", "--min-face", "--limit", "--rnn-layout", "--dtype"},
                         {"--json"});
    if (!args.ok())
        return usageError("eval", args.error());
    const auto images = args.value("--images");
    const auto labelsFile = args.value("--labels");
    if (!images || !labelsFile)
        return usageError("eval", "give --images DIR and --labels labels.txt");
    const auto dtype = parseRunDtype(args);
    if (!dtype)
        return usageError("eval", "--dtype must be f32 or i8, not '" + *args.value("--dtype") + "'");
    const std::string detectorList = args.value("--detector").value_or(*dtype == "i8" ? "model-i8" : "model");
    const auto detectors = parseDetectors(detectorList);
    if (!detectors)
        return usageError("eval", "--detector must be a comma-separated list of model, model-i8 and haar, not '" + detectorList + "'");
    EvaluationOptions options;
    if (const auto m = args.value("--min-face")) {
        char* end = nullptr;
        options.minFace = std::strtof(m->c_str(), &end);
        if (end == m->c_str() || *end != '\0' || !(options.minFace >= 0.0f && options.minFace < 10000.0f))
            return usageError("eval", "--min-face must be a number of pixels, not '" + *m + "'");
    }
    if (const auto l = args.value("--limit")) {
        char* end = nullptr;
        const long v = std::strtol(l->c_str(), &end, 10);
        if (end == l->c_str() || *end != '\0' || v <= 0)
            return usageError("eval", "--limit must be a positive whole number, not '" + *l + "'");
        options.limit = static_cast<int>(v);
    }
    if (!std::filesystem::is_directory(*images))
        return inputError("pictures folder '" + *images + "': not a folder");
    auto labels = readFaceLabels(*labelsFile);
    if (!labels)
        return inputError(labels.error());

    // An int8 file given as --model serves model-i8 only; its graph stands in for the float model.
    bool usage = false;
    const bool int8File = args.value("--model") && isQuantizedModelFile(*args.value("--model"));
    std::shared_ptr<const Int8Network> int8;
    if (int8File || std::find(detectors->begin(), detectors->end(), "model-i8") != detectors->end()) {
        auto net = chooseInt8Network(args, usage);
        if (!net)
            return usage ? usageError("eval", net.error()) : inputError(net.error());
        int8 = *net;
    }
    if (int8File && std::find(detectors->begin(), detectors->end(), "model") != detectors->end())
        return usageError("eval", "--model names an int8 file: the float detector 'model' needs a float model");
    Expected<Model> model = Error{""};
    if (int8File) {
        Model m;
        m.network = int8->model().network;
        m.source = int8->model().source;
        model = std::move(m);
    } else {
        model = chooseModel(args, true, usage);
    }
    if (!model)
        return usage ? usageError("eval", model.error()) : inputError(model.error());
    if (!model->spec().detector)
        return inputError("architecture '" + model->spec().name + "' is not a face detector");

    std::vector<Evaluated> evaluated;
    for (const std::string& name : *detectors) {
        std::unique_ptr<FaceSource> source;
        if (name == "haar") {
            auto haar = haarFaces(modelFaces(*model)->inputArea());
            if (!haar)
                return inputError(haar.error());
            source = std::move(*haar);
        } else if (name == "model-i8") {
            source = int8Faces(int8);
        } else {
            source = modelFaces(*model);
        }
        auto result = evaluateFaces(*source, *labels, *images, options);
        if (!result)
            return inputError(result.error());
        const bool isModel = name != "haar";
        const std::string file = name == "model-i8" ? int8->model().source : (isModel ? model->source : "opencv-data");
        evaluated.push_back({name, source->name(), file, isModel && model->randomWeights,
                             std::move(*result)});
    }

    if (args.flag("--json")) {
        if (evaluated.size() == 1) {
            std::cout << toJson(evaluated.front(), options.minFace).dump() << "\n";
        } else {
            nlohmann::json list = nlohmann::json::array();
            for (const Evaluated& e : evaluated)
                list.push_back(toJson(e, options.minFace));
            std::cout << list.dump() << "\n";
        }
        return kExitOk;
    }
    for (const Evaluated& e : evaluated)
        printText(e, options.minFace);
    return kExitOk;
}

} // namespace rnnpool::cli
