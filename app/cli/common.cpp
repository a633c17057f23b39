#include "cli/common.h"

#include <iomanip>
#include <sstream>

#include "engine/image_pyramid.h"
#include "model/default_model.h"

namespace rnnpool::cli {

int usageError(const std::string& command, const std::string& message)
{
    std::cerr << "rnnpool " << command << ": " << message << "\n"
              << "Run 'rnnpool help' for usage.\n";
    return kExitUsage;
}

int inputError(const std::string& message)
{
    std::cerr << "rnnpool: " << message << "\n";
    return kExitBadInput;
}

std::optional<RnnLayout> parseRnnLayout(const std::string& text)
{
    if (text == "auto")
        return RnnLayout::Auto;
    if (text == "current")
        return RnnLayout::Current;
    if (text == "legacy")
        return RnnLayout::Legacy;
    return std::nullopt;
}

Expected<Model> chooseModel(const Arguments& args, bool allowDefault, bool& usageProblem)
{
    usageProblem = false;
    const auto model = args.value("--model");
    const auto arch = args.value("--arch");
    LoadOptions options;
    if (const auto layout = args.value("--rnn-layout")) {
        const auto parsed = parseRnnLayout(*layout);
        if (!parsed) {
            usageProblem = true;
            return makeError("--rnn-layout must be auto, current or legacy, not '" + *layout + "'");
        }
        options.rnnLayout = *parsed;
    }
    if (model && isSpecFile(*model)) {
        // An architecture spec stands for a model with seeded random weights, as in the studio.
        if (arch) {
            usageProblem = true;
            return makeError("--arch does not apply to a spec file given as --model");
        }
        return modelFromSpecFile(*model, kDefaultRandomSeed);
    }
    if (model) {
        options.arch = arch.value_or("");
        return loadModel(*model, options);
    }
    if (arch)
        return randomModel(*arch, kDefaultRandomSeed);
    if (allowDefault)
        return loadDefaultModel();
    usageProblem = true;
    return makeError("give --model FILE or --arch NAME");
}

std::string formatFloat(double v, int precision)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(precision) << v;
    return out.str();
}

Expected<std::optional<int>> pyramidOption(const Arguments& args)
{
    const auto text = args.value("--pyramid");
    if (!text)
        return std::optional<int>{};
    char* end = nullptr;
    const long v = std::strtol(text->c_str(), &end, 10);
    if (end == text->c_str() || *end != '\0' || v < 1 || v > kMaxPyramidLevels)
        return makeError("--pyramid must be a number of levels from 1 (the input only) to " + std::to_string(kMaxPyramidLevels) +
                         ", not '" + *text + "'");
    return std::optional<int>{static_cast<int>(v)};
}

Expected<float> boxVoteOption(const Arguments& args)
{
    const auto text = args.value("--box-vote");
    if (!text)
        return 0.0f;
    char* end = nullptr;
    const float v = std::strtof(text->c_str(), &end);
    if (end == text->c_str() || *end != '\0' || !(v >= 0.0f && v <= 1.0f))
        return makeError("--box-vote must be an IoU between 0 (off: greedy NMS) and 1, not '" + *text + "'");
    return v;
}

} // namespace rnnpool::cli
