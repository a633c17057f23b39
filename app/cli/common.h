// Pieces several `rnnpool` subcommands share: choosing a model from
// --model/--arch, parsing sizes, and printing.
#pragma once

#include <iostream>
#include <optional>
#include <string>

#include "cli/arguments.h"
#include "model/model.h"
#include "engine/preprocess.h"

namespace rnnpool::cli {

// Result of a subcommand: exit status, with the reason already printed.
struct Failure {
    int status;
};

int usageError(const std::string& command, const std::string& message);
int inputError(const std::string& message);

// --model FILE [--arch NAME] [--rnn-layout L]; or --arch NAME alone (random
// weights, seeded); or neither when `allowDefault` (the default model).
Expected<Model> chooseModel(const Arguments& args, bool allowDefault, bool& usageProblem);

std::optional<RnnLayout> parseRnnLayout(const std::string& text);

std::string formatFloat(double v, int precision);

// --pyramid LEVELS (1 to kMaxPyramidLevels, see core/engine/image_pyramid.h):
// nullopt when absent (the model's default); an error message when malformed.
Expected<std::optional<int>> pyramidOption(const Arguments& args);

// --box-vote IOU (0 to 1, DetectOptions::boxVote): 0 when absent (EdgeML's
// greedy NMS); an error message when malformed.
Expected<float> boxVoteOption(const Arguments& args);

} // namespace rnnpool::cli
