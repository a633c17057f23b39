// rnnpool eval: average precision of a face detector on labelled pictures.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/int8_common.h"
#include "cli/eval_json.h"
#include "eval/training_split.h"
#include "eval/face_evaluation.h"
#include "quant/int8_detector.h"
#include "quant/quantized_file.h"

namespace rnnpool::cli {

namespace {

struct Evaluated {
    EvaluatedSource source;
    EvaluationPart part;
};

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
    const Arguments args(argv, {"--model", "--arch", "--detector", "--images", "--labels", "--min-face", "--limit", "--rnn-layout", "--dtype", "--pyramid", "--box-vote", "--shard"},
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
    const auto shard = args.value("--shard");
    if (shard) {
        const auto slash = shard->find('/');
        char* end = nullptr;
        const long index = std::strtol(shard->c_str(), &end, 10);
        const bool indexOk = slash != std::string::npos && end == shard->c_str() + slash;
        const long count = indexOk ? std::strtol(shard->c_str() + slash + 1, &end, 10) : 0;
        if (!indexOk || *end != '\0' || count < 1 || count > 100000 || index < 1 || index > count)
            return usageError("eval", "--shard must be I/N with 1 <= I <= N (the I-th of N parts), not '" + *shard + "'");
        options.shard = static_cast<int>(index - 1);
        options.shards = static_cast<int>(count);
    }
    const auto pyramid = pyramidOption(args);
    if (!pyramid)
        return usageError("eval", pyramid.error());
    const auto boxVote = boxVoteOption(args);
    if (!boxVote)
        return usageError("eval", boxVote.error());
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
        } else if (name == "model-i8") {
            source = int8Faces(int8, *pyramid, *boxVote);
        } else {
            source = modelFaces(*model, *pyramid, *boxVote);
        }
        auto result = evaluateFaces(*source, *labels, *images, options);
        if (!result)
            return inputError(result.error());
        const bool isModel = name != "haar";
        const std::string file = name == "model-i8" ? int8->model().source : (isModel ? model->source : "opencv-data");
        evaluated.push_back({{name, source->name(), file, isModel && model->randomWeights},
                             std::move(*result)});
    }

    const auto withSplit = [&](const Evaluated& e) {
        nlohmann::json j = evaluationJson(e.source, summarize(e.part), options.minFace);
        if (e.source.detector != "haar" && !trainingWarning.empty()) {
            j["training_pictures"] = trainingPictures;
            j["warning"] = trainingWarning;
        }
        return j;
    };
    if (args.flag("--json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const Evaluated& e : evaluated) {
            nlohmann::json j = withSplit(e);
            if (shard) {
                // What eval-merge needs to check the parts belong together and to merge them exactly.
                j["shard"] = {{"index", options.shard + 1}, {"count", options.shards}};
                j["labels"] = std::filesystem::absolute(*labelsFile).lexically_normal().string();
                j["labelled_pictures"] = options.limit ? std::min<int>(*options.limit, static_cast<int>(labels->size()))
                                                       : static_cast<int>(labels->size());
                j["part"] = partJson(e.part);
            }
            list.push_back(std::move(j));
        }
        std::cout << (list.size() == 1 ? list.front() : list).dump() << "\n";
        return kExitOk;
    }
    if (!trainingWarning.empty())
        std::cerr << "rnnpool eval: warning: " << trainingWarning << "\n";
    for (const Evaluated& e : evaluated)
        printEvaluation(e.source, summarize(e.part), options.minFace);
    return kExitOk;
}

} // namespace rnnpool::cli
