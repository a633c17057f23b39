// Which pictures a model was trained on, so that an evaluation can say when
// its labels are not held out. A model file "NAME.safetensors" (or .pth)
// may have "NAME.training.json" beside it: {"train_events": [...]} lists the
// event folders (the first path component of a label's picture) it saw.
//
//   if (auto split = trainingSplitFor(model.source))
//       int seen = countTrainingPictures(*split, labels, 50);
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eval/face_labels.h"

namespace rnnpool {

struct TrainingSplit {
    std::filesystem::path file;
    std::set<std::string> trainEvents;
};

// The split beside `modelFile`, or none (no file, or one that does not read).
std::optional<TrainingSplit> trainingSplitFor(const std::filesystem::path& modelFile);
// Pictures among the first `limit` (all when none) whose event folder was trained on.
int countTrainingPictures(const TrainingSplit& split, const std::vector<LabeledPicture>& labels, std::optional<int> limit);

} // namespace rnnpool
