#include "eval/training_split.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace rnnpool {

std::optional<TrainingSplit> trainingSplitFor(const std::filesystem::path& modelFile)
{
    std::filesystem::path file = modelFile;
    file.replace_extension(".training.json");
    std::ifstream in(file);
    if (!in)
        return std::nullopt;
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("train_events") || !j["train_events"].is_array())
        return std::nullopt;
    TrainingSplit split;
    split.file = file;
    for (const auto& e : j["train_events"])
        if (e.is_string())
            split.trainEvents.insert(e.get<std::string>());
    return split;
}

int countTrainingPictures(const TrainingSplit& split, const std::vector<LabeledPicture>& labels, std::optional<int> limit)
{
    int count = 0;
    const size_t n = limit ? std::min(labels.size(), static_cast<size_t>(std::max(*limit, 0))) : labels.size();
    for (size_t i = 0; i < n; ++i) {
        const std::string& path = labels[i].path;
        const auto slash = path.find('/');
        if (slash != std::string::npos && split.trainEvents.count(path.substr(0, slash)))
            ++count;
    }
    return count;
}

} // namespace rnnpool
