// rnnpool sweep: vary one RNNPool hyper-parameter (or the input size) and
// report parameters, multiply-adds and peak activations for each value.
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "profile/sweep.h"

namespace rnnpool::cli {

int commandSweep(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--arch", "--model", "--param", "--values", "--dtype", "--input"}, {"--json", "--count-input"});
    if (!args.ok())
        return usageError("sweep", args.error());
    const auto arch = args.value("--arch");
    const auto param = args.value("--param");
    const auto valuesText = args.value("--values");
    const auto modelPath = args.value("--model");
    if ((!arch && !modelPath) || !param || !valuesText)
        return usageError("sweep", "give --arch NAME (or --model FILE) --param KEY --values V1,V2,... (KEY like rnnpool.h1, or input)");
    if (arch && modelPath)
        return usageError("sweep", "give --arch NAME or --model FILE, not both");
    ScheduleOptions options;
    if (const auto d = args.value("--dtype"); d && !parseElementType(*d, options.dtype))
        return usageError("sweep", "--dtype must be f32, i16 or i8, not '" + *d + "'");
    options.countInput = args.flag("--count-input");
    const std::vector<std::string> values = splitSweepValues(*valuesText);
    if (values.empty())
        return usageError("sweep", "--values needs at least one value");
    // A model file (.onnx, .pth, .safetensors, .json) sweeps the architecture it holds.
    Expected<ArchSpec> base = Error{""};
    if (modelPath) {
        auto model = isSpecFile(*modelPath) ? modelFromSpecFile(*modelPath, 1) : loadModel(*modelPath);
        if (!model)
            return inputError(model.error());
        base = model->spec();
    } else {
        base = findArchitecture(*arch);
    }
    if (!base)
        return inputError(base.error());

    nlohmann::json rows = nlohmann::json::array();
    for (const std::string& value : values) {
        if (*param == kSweepInputParam && !parseSizeSpec(value))
            return usageError("sweep", "input values must be WIDTHxHEIGHT, not '" + value + "'");
        auto point = sweepPoint(*base, *param, value, options);
        if (!point)
            return inputError(point.error());
        const ProfileSummary& summary = point->summary;
        rows.push_back({{"value", value}, {"params", summary.params}, {"madds", summary.madds},
                        {"peak_bytes", {{"layerwise", summary.layerwisePeak}, {"paper", summary.paperPeak}}}});
    }
    if (args.flag("--json")) {
        std::cout << nlohmann::json{{"arch", base->name}, {"param", *param}, {"dtype", elementTypeName(options.dtype)},
                                    {"count_input", options.countInput}, {"rows", rows}}.dump(2)
                  << "\n";
        return kExitOk;
    }
    std::cout << base->name << ", sweeping " << *param << " (" << elementTypeName(options.dtype) << ")\n"
              << std::left << std::setw(12) << "value" << std::right << std::setw(12) << "params" << std::setw(12) << "M MAdds"
              << std::setw(16) << "layerwise B" << std::setw(14) << "paper B" << "\n";
    for (const auto& r : rows)
        std::cout << std::left << std::setw(12) << r["value"].get<std::string>() << std::right << std::setw(12)
                  << r["params"].get<int64_t>() << std::setw(12) << formatFloat(r["madds"].get<double>() / 1e6, 1) << std::setw(16)
                  << r["peak_bytes"]["layerwise"].get<int64_t>() << std::setw(14) << r["peak_bytes"]["paper"].get<int64_t>() << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
