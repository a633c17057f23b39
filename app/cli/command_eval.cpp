// rnnpool eval: average precision of a face detector on labelled pictures.
#include <cmath>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "eval/face_evaluation.h"

namespace rnnpool::cli {

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
    const std::string detectorName = args.value("--detector").value_or("model");
    if (detectorName != "model" && detectorName != "haar")
        return usageError("eval", "--detector must be model or haar, not '" + detectorName + "'");
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
    std::unique_ptr<FaceSource> source;
    if (detectorName == "haar") {
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

    if (args.flag("--json")) {
        nlohmann::json out{{"detector", source->name()}, {"model", detectorName == "model" ? model->source : "opencv-data"},
                           {"random_weights", detectorName == "model" && model->randomWeights},
                           {"min_face", options.minFace}, {"ap", result->ap}, {"num_faces", result->numFaces},
                           {"num_images", result->numImages}, {"num_detections", result->numDetections},
                           {"precision", result->precision}, {"recall", result->recall}};
        out["buckets"] = nlohmann::json::array();
        for (const SizeBucket& b : result->buckets)
            out["buckets"].push_back({{"min_height", b.minHeight},
                                      {"max_height", std::isinf(b.maxHeight) ? nlohmann::json(nullptr) : nlohmann::json(b.maxHeight)},
                                      {"faces", b.faces}, {"found", b.found}, {"recall", b.recall()}});
        std::cout << out.dump() << "\n";
        return kExitOk;
    }
    std::cout << source->name() << " on " << result->numImages << " picture(s), " << result->numFaces << " face(s) of at least "
              << formatFloat(options.minFace, 0) << " px in the network's input\n"
              << "  AP@0.5 " << formatFloat(result->ap, 4) << " (" << result->numDetections << " detections)\n";
    for (const SizeBucket& b : result->buckets)
        std::cout << "  faces " << formatFloat(b.minHeight, 0) << "-" << (std::isinf(b.maxHeight) ? std::string("") : formatFloat(b.maxHeight, 0))
                  << " px: recall " << formatFloat(b.recall(), 3) << " (" << b.found << " of " << b.faces << ")\n";
    if (detectorName == "model" && model->randomWeights)
        std::cout << "  note: the model has random weights\n";
    return kExitOk;
}

} // namespace rnnpool::cli
