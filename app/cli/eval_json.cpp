#include "cli/eval_json.h"

#include <cmath>
#include <iostream>

#include "cli/common.h"

namespace rnnpool::cli {

nlohmann::json evaluationJson(const EvaluatedSource& source, const EvaluationResult& r, float minFace)
{
    nlohmann::json out{{"detector", source.name}, {"model", source.file}, {"random_weights", source.randomWeights},
                       {"min_face", minFace}, {"ap", r.ap}, {"num_faces", r.numFaces},
                       {"num_images", r.numImages}, {"num_detections", r.numDetections},
                       {"curve_points", r.precision.size()}};
    nlohmann::json precision = nlohmann::json::array(), recall = nlohmann::json::array(), scores = nlohmann::json::array();
    for (size_t i : thinCurve(r.recall, kCurvePoints)) {
        precision.push_back(r.precision[i]);
        recall.push_back(r.recall[i]);
        scores.push_back(r.scores[i]);
    }
    out["precision"] = std::move(precision);
    out["recall"] = std::move(recall);
    out["scores"] = std::move(scores);
    out["buckets"] = nlohmann::json::array();
    for (const SizeBucket& b : r.buckets)
        out["buckets"].push_back({{"min_height", b.minHeight},
                                  {"max_height", std::isinf(b.maxHeight) ? nlohmann::json(nullptr) : nlohmann::json(b.maxHeight)},
                                  {"faces", b.faces}, {"found", b.found}, {"recall", b.recall()}});
    return out;
}

void printEvaluation(const EvaluatedSource& source, const EvaluationResult& r, float minFace)
{
    std::cout << source.name << " on " << r.numImages << " picture(s), " << r.numFaces << " face(s) of at least "
              << formatFloat(minFace, 0) << " px in the network's input\n"
              << "  AP@0.5 " << formatFloat(r.ap, 4) << " (" << r.numDetections << " detections)\n";
    for (const SizeBucket& b : r.buckets)
        std::cout << "  faces " << formatFloat(b.minHeight, 0) << "-" << (std::isinf(b.maxHeight) ? std::string("") : formatFloat(b.maxHeight, 0))
                  << " px: recall " << formatFloat(b.recall(), 3) << " (" << b.found << " of " << b.faces << ")\n";
    if (source.randomWeights)
        std::cout << "  note: the model has random weights\n";
}

nlohmann::json partJson(const EvaluationPart& part)
{
    nlohmann::json buckets = nlohmann::json::array();
    for (const SizeBucket& b : part.buckets)
        buckets.push_back({{"min_height", b.minHeight},
                           {"max_height", std::isinf(b.maxHeight) ? nlohmann::json(nullptr) : nlohmann::json(b.maxHeight)},
                           {"faces", b.faces}, {"found", b.found}});
    nlohmann::json score = nlohmann::json::array(), hit = nlohmann::json::array(), picture = nlohmann::json::array();
    for (const ScoredOutcome& s : part.scored) {
        score.push_back(static_cast<double>(s.score));
        hit.push_back(s.hit ? 1 : 0);
        picture.push_back(s.picture);
    }
    return {{"min_face", part.minFace}, {"iou", part.iou}, {"faces", part.faces}, {"images", part.images},
            {"buckets", std::move(buckets)}, {"pictures", part.pictures},
            {"scored", {{"score", std::move(score)}, {"hit", std::move(hit)}, {"picture", std::move(picture)}}}};
}

Expected<EvaluationPart> partFromJson(const nlohmann::json& j, const std::string& origin)
{
    try {
        EvaluationPart part;
        part.minFace = j.at("min_face").get<float>();
        part.iou = j.at("iou").get<float>();
        part.faces = j.at("faces").get<int>();
        part.images = j.at("images").get<int>();
        for (const auto& b : j.at("buckets")) {
            const auto& max = b.at("max_height");
            part.buckets.push_back({b.at("min_height").get<float>(),
                                    max.is_null() ? std::numeric_limits<float>::infinity() : max.get<float>(),
                                    b.at("faces").get<int>(), b.at("found").get<int>()});
        }
        part.pictures = j.at("pictures").get<std::vector<int>>();
        const auto& scored = j.at("scored");
        const auto& score = scored.at("score");
        const auto& hit = scored.at("hit");
        const auto& picture = scored.at("picture");
        if (score.size() != hit.size() || score.size() != picture.size())
            return makeError(origin + ": the scored lists differ in length");
        for (size_t i = 0; i < score.size(); ++i)
            part.scored.push_back({static_cast<float>(score[i].get<double>()), hit[i].get<int>() != 0, picture[i].get<int>()});
        if (static_cast<int>(part.pictures.size()) != part.images)
            return makeError(origin + ": 'images' does not match the list of pictures");
        return part;
    } catch (const nlohmann::json::exception& e) {
        return makeError(origin + ": not an evaluation part (" + std::string(e.what()) + ")");
    }
}

} // namespace rnnpool::cli
