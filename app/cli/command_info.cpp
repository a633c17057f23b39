// rnnpool info: the layers of a model or architecture, with output shapes,
// parameters and multiply-adds, and the totals.
#include <algorithm>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"

namespace rnnpool::cli {

int commandInfo(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--input", "--rnn-layout"}, {"--json"});
    if (!args.ok())
        return usageError("info", args.error());
    if (!args.positionals().empty())
        return usageError("info", "unexpected argument '" + args.positionals().front() + "'");
    bool usage = false;
    auto model = chooseModel(args, true, usage);
    if (!model)
        return usage ? usageError("info", model.error()) : inputError(model.error());
    const ArchSpec& spec = model->spec();
    Shape input{spec.inputChannels, spec.defaultHeight, spec.defaultWidth};
    if (const auto s = args.value("--input")) {
        const auto size = parseSizeSpec(*s);
        if (!size)
            return usageError("info", "--input must be WIDTHxHEIGHT or WIDTHxHEIGHTxCHANNELS, not '" + *s + "'");
        if (size->channels != 0 && size->channels != spec.inputChannels)
            return inputError("architecture '" + spec.name + "' takes " + std::to_string(spec.inputChannels) +
                              " channel(s), not " + std::to_string(size->channels));
        input = {spec.inputChannels, size->height, size->width};
    }
    auto layers = model->network->describe(input);
    if (!layers)
        return inputError(layers.error());
    int64_t params = 0, madds = 0;
    for (const LayerInfo& l : *layers) {
        params += l.params;
        madds += l.madds;
    }

    if (args.flag("--json")) {
        nlohmann::json out;
        out["arch"] = spec.name;
        out["model"] = model->source;
        out["input"] = {{"width", input[2]}, {"height", input[1]}, {"channels", input[0]}};
        out["params"] = params;
        out["madds"] = madds;
        out["layers"] = nlohmann::json::array();
        for (const LayerInfo& l : *layers)
            out["layers"].push_back({{"name", l.name}, {"group", l.group}, {"op", l.op}, {"output_shape", l.outputShape},
                                     {"params", l.params}, {"madds", l.madds}});
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << spec.name << " — " << spec.description << "\n"
              << "weights: " << model->source << "\n"
              << "input: " << input[2] << "x" << input[1] << "x" << input[0] << "\n\n";
    // The name column fits the longest name (ONNX imports have long module paths).
    int nameWidth = 22;
    for (const LayerInfo& l : *layers)
        nameWidth = std::max(nameWidth, static_cast<int>(l.name.size()) + 2);
    std::cout << std::left << std::setw(nameWidth) << "layer" << std::setw(20) << "op" << std::setw(18) << "output (CxHxW)"
              << std::right << std::setw(10) << "params" << std::setw(14) << "MAdds" << "\n";
    for (const LayerInfo& l : *layers) {
        const std::string shape = std::to_string(l.outputShape[0]) + "x" + std::to_string(l.outputShape[1]) + "x" +
                                  std::to_string(l.outputShape[2]);
        std::cout << std::left << std::setw(nameWidth) << l.name << std::setw(20) << l.op << std::setw(18) << shape << std::right
                  << std::setw(10) << l.params << std::setw(14) << l.madds << "\n";
    }
    std::cout << "\ntotal: " << params << " parameters, " << formatFloat(static_cast<double>(madds) / 1e6, 2)
              << " M multiply-adds\n";
    return kExitOk;
}

} // namespace rnnpool::cli
