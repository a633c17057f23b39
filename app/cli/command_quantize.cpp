// rnnpool quantize: post-training quantisation of a float model into the
// native int8 file (core/quant/quantized_file.h).
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "quant/calibration.h"
#include "quant/quantized_file.h"

namespace rnnpool::cli {

int commandQuantize(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--calibrate", "--limit", "--method", "--percentile", "--rnn-layout", "-o"},
                         {"--no-samples"});
    if (!args.ok())
        return usageError("quantize", args.error());
    if (!args.positionals().empty())
        return usageError("quantize", "unexpected argument '" + args.positionals().front() + "'");
    const auto out = args.value("-o");
    if (!out)
        return usageError("quantize", "give -o OUT.safetensors");
    CalibrationOptions options;
    for (const std::string& dir : args.values("--calibrate"))
        options.folders.emplace_back(dir);
    options.includeSamples = !args.flag("--no-samples");
    if (const auto l = args.value("--limit")) {
        char* end = nullptr;
        const long v = std::strtol(l->c_str(), &end, 10);
        if (end == l->c_str() || *end != '\0' || v <= 0)
            return usageError("quantize", "--limit must be a positive whole number, not '" + *l + "'");
        options.limit = static_cast<int>(v);
    }
    const std::string method = args.value("--method").value_or("mse");
    if (method == "minmax")
        options.method = RangeMethod::MinMax;
    else if (method == "percentile")
        options.method = RangeMethod::Percentile;
    else if (method != "mse")
        return usageError("quantize", "--method must be mse, percentile or minmax, not '" + method + "'");
    if (const auto p = args.value("--percentile")) {
        char* end = nullptr;
        options.percentile = std::strtod(p->c_str(), &end);
        if (end == p->c_str() || *end != '\0' || !(options.percentile > 50.0 && options.percentile <= 100.0))
            return usageError("quantize", "--percentile must be a number above 50 and at most 100, not '" + *p + "'");
    }

    bool usage = false;
    auto model = chooseModel(args, true, usage);
    if (!model)
        return usage ? usageError("quantize", model.error()) : inputError(model.error());
    auto ranges = calibrate(*model, options);
    if (!ranges)
        return inputError(ranges.error());
    auto quantized = quantizeModel(*model, *ranges);
    if (!quantized)
        return inputError(quantized.error());
    if (Status st = saveQuantizedModel(*quantized, *out); !st)
        return inputError(st.error());
    std::cout << "model: " << model->source << " (" << model->spec().name << (model->randomWeights ? ", RANDOM WEIGHTS" : "") << ")\n"
              << "calibration: " << ranges->method << "\n"
              << "wrote " << *out << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
