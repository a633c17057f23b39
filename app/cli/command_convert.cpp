// rnnpool convert: a PyTorch checkpoint to the native .safetensors model file.
#include "cli/commands.h"
#include "cli/common.h"

namespace rnnpool::cli {

int commandConvert(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--arch", "-o", "--output", "--rnn-layout"}, {});
    if (!args.ok())
        return usageError("convert", args.error());
    if (args.positionals().size() != 1)
        return usageError("convert", "give one input checkpoint: rnnpool convert IN.pth [--arch NAME] -o OUT.safetensors");
    const auto output = args.value("-o") ? args.value("-o") : args.value("--output");
    if (!output)
        return usageError("convert", "give the output file with -o OUT.safetensors");
    LoadOptions options;
    options.arch = args.value("--arch").value_or("");
    if (const auto layout = args.value("--rnn-layout")) {
        const auto parsed = parseRnnLayout(*layout);
        if (!parsed)
            return usageError("convert", "--rnn-layout must be auto, current or legacy");
        options.rnnLayout = *parsed;
    }
    const std::string input = args.positionals().front();
    std::error_code ec;
    if (std::filesystem::equivalent(input, *output, ec))
        return usageError("convert", "the output would overwrite the input '" + input + "'");
    auto model = loadModel(input, options);
    if (!model)
        return inputError(model.error());
    if (Status st = saveModel(*model, *output); !st)
        return inputError(st.error());
    std::cout << "wrote " << *output << ": " << model->spec().name << ", " << model->network->paramCount()
              << " parameters, from " << input << " (" << model->format << ")\n";
    for (const std::string& note : model->notes)
        std::cout << "note: " << note << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
