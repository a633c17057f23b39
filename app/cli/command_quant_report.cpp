// rnnpool quant-report: what int8 quantisation costs, per layer and in detections.
#include <cmath>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "eval/face_evaluation.h"
#include "model/default_model.h"
#include "quant/calibration.h"
#include "quant/int8_detector.h"
#include "quant/quant_report.h"
#include "video/frame_source.h"

namespace rnnpool::cli {

namespace {

nlohmann::json finite(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// The float model an int8 file was made from, when neither --model nor --arch names one: the file its
// rnnpool.source names, in the int8 file's folder; else the default model, when that is the one it names
// (or it names none). Anything else would compare the int8 file with a model it was not made from.
Expected<Model> floatModelOf(const std::filesystem::path& int8Path, const std::string& named)
{
    if (named.empty())
        return loadDefaultModel();
    const std::filesystem::path name(named);
    const bool plainName = name.filename() == name && named != "." && named != "..";
    if (plainName && std::filesystem::is_regular_file(int8Path.parent_path() / name))
        return loadModel(int8Path.parent_path() / name);
    if (named == defaultModelPath().filename().string())
        return loadDefaultModel();
    return makeError(int8Path.string() + ": made from " +
                     (named.rfind("random weights", 0) == 0 ? named : "'" + named + "', which is not in its folder") +
                     "; name its float model with --model (or --arch, for random weights)");
}

} // namespace

int commandQuantReport(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--int8", "--images", "--labels", "--min-face", "--limit", "--threshold", "--rnn-layout"},
                         {"--json"});
    if (!args.ok())
        return usageError("quant-report", args.error());
    if (!args.positionals().empty())
        return usageError("quant-report", "unexpected argument '" + args.positionals().front() + "'");
    std::optional<int> limit;
    if (const auto l = args.value("--limit")) {
        char* end = nullptr;
        const long v = std::strtol(l->c_str(), &end, 10);
        if (end == l->c_str() || *end != '\0' || v <= 0)
            return usageError("quant-report", "--limit must be a positive whole number, not '" + *l + "'");
        limit = static_cast<int>(v);
    }
    float threshold = 0.5f;
    if (const auto t = args.value("--threshold")) {
        char* end = nullptr;
        threshold = std::strtof(t->c_str(), &end);
        if (end == t->c_str() || *end != '\0' || !(threshold >= 0.0f && threshold <= 1.0f))
            return usageError("quant-report", "--threshold must be a number between 0 and 1, not '" + *t + "'");
    }
    EvaluationOptions evalOptions;
    evalOptions.limit = limit;
    if (const auto m = args.value("--min-face")) {
        char* end = nullptr;
        evalOptions.minFace = std::strtof(m->c_str(), &end);
        if (end == m->c_str() || *end != '\0' || !(evalOptions.minFace >= 0.0f))
            return usageError("quant-report", "--min-face must be a number of pixels, not '" + *m + "'");
    }
    if (args.value("--labels") && !args.value("--images"))
        return usageError("quant-report", "--labels needs --images DIR");

    const auto int8Path = args.value("--int8");
    const bool floatNamed = args.value("--model") || args.value("--arch");
    Expected<std::shared_ptr<const Int8Network>> int8 = makeError("");
    if (int8Path) {
        int8 = int8NetworkFromFile(*int8Path);
        if (!int8)
            return inputError(int8.error());
    }
    bool usage = false;
    auto model = int8Path && !floatNamed ? floatModelOf(*int8Path, (*int8)->model().floatSource) : chooseModel(args, true, usage);
    if (!model)
        return usage ? usageError("quant-report", model.error()) : inputError(model.error());
    if (!int8Path) {
        int8 = int8NetworkFor(*model);
        if (!int8)
            return inputError(int8.error());
    }

    // Pictures: the labelled ones when labels are given, else every picture of the folder (or the samples).
    std::vector<std::filesystem::path> pictures;
    std::optional<std::vector<LabeledPicture>> labels;
    const std::filesystem::path folder = args.value("--images").value_or(samplesDir().string());
    if (!std::filesystem::is_directory(folder))
        return inputError("pictures folder '" + folder.string() + "': not a folder");
    if (const auto l = args.value("--labels")) {
        auto read = readFaceLabels(*l);
        if (!read)
            return inputError(read.error());
        labels = std::move(*read);
        for (const LabeledPicture& p : *labels)
            pictures.push_back(folder / p.path);
    } else {
        pictures = picturesInFolder(folder);
    }
    if (limit && static_cast<size_t>(*limit) < pictures.size())
        pictures.resize(static_cast<size_t>(*limit));
    if (pictures.empty())
        return inputError("pictures folder '" + folder.string() + "': it holds no picture");

    auto report = quantReport(*model, **int8, pictures, threshold);
    if (!report) {
        // The int8 file named, and without --model the way out: it was compared with the default model.
        if (int8Path)
            return inputError(*int8Path + ": " + report.error() +
                              (floatNamed ? "" : " (without --model it is compared with the default model; name its float model with --model)"));
        return inputError(report.error());
    }
    std::optional<double> apFloat, apInt8;
    if (labels) {
        auto fs = modelFaces(*model, 1); // the network alone, in both
        auto is = int8Faces(*int8, 1);
        auto rf = evaluateFaces(*fs, *labels, folder, evalOptions);
        if (!rf)
            return inputError(rf.error());
        auto ri = evaluateFaces(*is, *labels, folder, evalOptions);
        if (!ri)
            return inputError(ri.error());
        apFloat = summarize(*rf).ap;
        apInt8 = summarize(*ri).ap;
    }

    const bool rnnInt = (*int8)->rnnPoolIsInteger();
    if (args.flag("--json")) {
        nlohmann::json out{{"model", model->source}, {"int8", (*int8)->model().source}, {"calibration", (*int8)->model().calibration},
                           {"rnnpool_integer", rnnInt}, {"pictures", report->pictures}, {"threshold", report->threshold},
                           {"float_detections", report->floatDetections}, {"int8_detections", report->int8Detections},
                           {"matched", report->matched}, {"f1", report->f1}, {"head_sqnr_min_db", finite(report->headSqnrMinDb)}};
        out["layers"] = nlohmann::json::array();
        for (const LayerQuantStats& l : report->layers)
            out["layers"].push_back({{"name", l.name}, {"op", l.op}, {"sqnr_db", finite(l.sqnrDb)}, {"scale", l.scale},
                                     {"zero_point", l.zeroPoint}, {"range", {l.rangeLo, l.rangeHi}},
                                     {"float_range", {l.floatLo, l.floatHi}}, {"saturated", l.saturated}});
        if (apFloat) {
            out["ap_float"] = *apFloat;
            out["ap_int8"] = *apInt8;
            out["min_face"] = evalOptions.minFace;
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "float: " << model->source << "\nint8:  " << (*int8)->model().source << " (calibration: " << (*int8)->model().calibration
              << ")\n";
    if (!rnnInt)
        std::cout << "note: RNNPool runs in float inside the int8 network (the Q15 kernel is not merged yet)\n";
    std::cout << report->pictures << " picture(s)\n\n"
              << std::left << std::setw(22) << "layer" << std::setw(19) << "op" << std::right << std::setw(9) << "SQNR dB"
              << std::setw(11) << "scale" << std::setw(5) << "zp" << std::setw(22) << "int8 range" << std::setw(22) << "float range"
              << std::setw(10) << "satur. %" << "\n";
    for (const LayerQuantStats& l : report->layers)
        std::cout << std::left << std::setw(22) << l.name << std::setw(19) << l.op << std::right << std::setw(9) << formatFloat(l.sqnrDb, 1)
                  << std::setw(11) << formatFloat(l.scale, 5) << std::setw(5) << l.zeroPoint << std::setw(22)
                  << (formatFloat(l.rangeLo, 2) + ".." + formatFloat(l.rangeHi, 2)) << std::setw(22)
                  << (formatFloat(l.floatLo, 2) + ".." + formatFloat(l.floatHi, 2)) << std::setw(10) << formatFloat(100.0 * l.saturated, 3)
                  << "\n";
    std::cout << "\nheads: lowest SQNR " << formatFloat(report->headSqnrMinDb, 1) << " dB\n"
              << "detections (score >= " << formatFloat(report->threshold, 2) << "): float " << report->floatDetections << ", int8 "
              << report->int8Detections << ", matched at IoU 0.5 " << report->matched << ", F1 " << formatFloat(report->f1, 3) << "\n";
    if (apFloat)
        std::cout << "AP@0.5 (min face " << formatFloat(evalOptions.minFace, 0) << " px): float " << formatFloat(*apFloat, 4) << ", int8 "
                  << formatFloat(*apInt8, 4) << " (" << formatFloat(*apInt8 - *apFloat, 4) << ")\n";
    return kExitOk;
}

} // namespace rnnpool::cli
