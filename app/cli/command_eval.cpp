// rnnpool eval: average precision of a face detector on labelled pictures.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "eval/training_split.h"
#include "eval/face_evaluation.h"

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
        if ((name != "model" && name != "haar") || std::find(names.begin(), names.end(), name) != names.end())
            return std::nullopt;
        names.push_back(name);
        start = comma + 1;
    }
    return names;
}

} // namespace

int commandEval(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--detector", "--images", "--labels", "--min-face", "--limit", "--rnn-layout"},
                         {"--json"});
    if (!args.ok())
        return usageError("eval", args.error());
    const auto images = args.value("--images");
    const auto labelsFile = args.value("--labels");
    if (!images || !labelsFile)
        return usageError("eval", "give --images DIR and --labels labels.txt");
    const std::string detectorList = args.value("--detector").value_or("model");
    const auto detectors = parseDetectors(detectorList);
    if (!detectors)
        return usageError("eval", "--detector must be model, haar or model,haar, not '" + detectorList + "'");
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

    bool usage = false;
    auto model = chooseModel(args, true, usage);
    if (!model)
        return usage ? usageError("eval", model.error()) : inputError(model.error());
    if (!model->spec().detector)
        return inputError("architecture '" + model->spec().name + "' is not a face detector");
    // Labels that include the model's own training pictures give no held-out
    // figure: say so (on stderr, and in the model's JSON object).
    int trainingPictures = 0;
    std::string trainingWarning;
    if (const auto split = model->randomWeights ? std::nullopt : trainingSplitFor(model->source)) {
        trainingPictures = countTrainingPictures(*split, *labels, options.limit);
        if (trainingPictures > 0)
            trainingWarning = std::to_string(trainingPictures) + " of the pictures evaluated are from events this model was "
                              "trained on (" + split->file.string() + "); the AP is not a held-out figure. Held-out labels: "
                              "/usr/bin/python3 tools/train/heldout_labels.py -o heldout.txt";
    }
    std::vector<Evaluated> evaluated;
    for (const std::string& name : *detectors) {
        std::unique_ptr<FaceSource> source;
        if (name == "haar") {
            auto haar = haarFaces(modelFaces(*model)->inputArea());
            if (!haar)
                return inputError(haar.error());
            source = std::move(*haar);
        } else {
            source = modelFaces(*model);
        }
        auto result = evaluateFaces(*source, *labels, *images, options);
        if (!result)
            return inputError(result.error());
        const bool isModel = name == "model";
        evaluated.push_back({name, source->name(), isModel ? model->source : "opencv-data", isModel && model->randomWeights,
                             std::move(*result)});
    }

    const auto withSplit = [&](const Evaluated& e) {
        nlohmann::json j = toJson(e, options.minFace);
        if (e.detector == "model" && !trainingWarning.empty()) {
            j["training_pictures"] = trainingPictures;
            j["warning"] = trainingWarning;
        }
        return j;
    };
    if (args.flag("--json")) {
        if (evaluated.size() == 1) {
            std::cout << withSplit(evaluated.front()).dump() << "\n";
        } else {
            nlohmann::json list = nlohmann::json::array();
            for (const Evaluated& e : evaluated)
                list.push_back(withSplit(e));
            std::cout << list.dump() << "\n";
        }
        return kExitOk;
    }
    if (!trainingWarning.empty())
        std::cerr << "rnnpool eval: warning: " << trainingWarning << "\n";
    for (const Evaluated& e : evaluated)
        printText(e, options.minFace);
    return kExitOk;
}

} // namespace rnnpool::cli
