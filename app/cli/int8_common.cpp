#include "cli/int8_common.h"

#include "cli/common.h"
#include "quant/int8_detector.h"
#include "quant/quantized_file.h"

namespace rnnpool::cli {

std::optional<std::string> parseRunDtype(const Arguments& args)
{
    const std::string d = args.value("--dtype").value_or("f32");
    if (d == "f32" || d == "i8")
        return d;
    return std::nullopt;
}

Expected<std::shared_ptr<const Int8Network>> chooseInt8Network(const Arguments& args, bool& usageProblem)
{
    usageProblem = false;
    if (const auto m = args.value("--model"); m && isQuantizedModelFile(*m))
        return int8NetworkFromFile(*m);
    auto model = chooseModel(args, true, usageProblem);
    if (!model)
        return std::move(model).takeError();
    return int8NetworkFor(*model);
}

} // namespace rnnpool::cli
