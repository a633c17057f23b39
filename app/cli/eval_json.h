// The JSON of `rnnpool eval --json` and of its parts (`--shard I/N`), which
// `rnnpool eval-merge` reads back: one object per detector.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "eval/average_precision.h"

namespace rnnpool::cli {

// What was evaluated, beside the numbers.
struct EvaluatedSource {
    std::string detector;   // "model" or "haar"
    std::string name;       // what the source calls itself
    std::string file;       // model file, or where the cascade comes from
    bool randomWeights = false;
};

// Points of the precision/recall curve written; the AP uses every point.
constexpr size_t kCurvePoints = 300;

// The result: AP, counts, buckets and the curve thinned to kCurvePoints
// ("curve_points" says how many points the full curve has).
nlohmann::json evaluationJson(const EvaluatedSource& source, const EvaluationResult& result, float minFace);

void printEvaluation(const EvaluatedSource& source, const EvaluationResult& result, float minFace);

// A part as JSON (exact: scores are written as doubles, which read back to the same floats).
nlohmann::json partJson(const EvaluationPart& part);
Expected<EvaluationPart> partFromJson(const nlohmann::json& j, const std::string& origin);

} // namespace rnnpool::cli
