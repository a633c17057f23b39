#include "profile/paper_tables.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "model/spec_settings.h"
#include "profile/schedule.h"
#include "util/resource_dir.h"

namespace rnnpool {

namespace {
using nlohmann::json;

double unitScale(const std::string& unit)
{
    if (unit == "M")
        return 1e6;
    if (unit == "G")
        return 1e9;
    if (unit == "KB")
        return 1024.0;
    if (unit == "MB")
        return 1024.0 * 1024.0;
    return 0.0;
}

double relativeTolerance(const std::string& quantity)
{
    if (quantity == "peak_ram" || quantity == "model_size")
        return 0.01;
    if (quantity == "params")
        return 0.03;
    return 0.10; // madds
}

// Half a unit of the last printed digit: "0.38" -> 0.005, "569" -> 0.5.
double halfLastDigit(const std::string& printed)
{
    const size_t dot = printed.find('.');
    return 0.5 * (dot == std::string::npos ? 1.0 : std::pow(10.0, -static_cast<double>(printed.size() - dot - 1)));
}

Expected<PaperFigure> parseFigure(const json& table, const json& row, const std::string& origin)
{
    PaperFigure f;
    try {
        f.table = table.at("table").get<std::string>();
        f.row = row.at("row").get<std::string>();
        f.column = row.at("column").get<std::string>();
        f.arch = row.value("arch", table.value("arch", std::string()));
        f.quantity = row.at("quantity").get<std::string>();
        f.printed = row.at("value").get<std::string>();
        f.unit = row.at("unit").get<std::string>();
        f.classes = row.value("classes", table.value("classes", int64_t{0}));
        const auto input = row.value("input", table.value("input", std::vector<int64_t>{}));
        if (!input.empty() && input.size() != 3)
            return makeError(origin + ": input must be [channels, height, width]");
        f.input = input;
        const std::string dtype = row.value("dtype", table.value("dtype", std::string("f32")));
        if (!parseElementType(dtype, f.dtype))
            return makeError(origin + ": unknown dtype '" + dtype + "'");
        f.countInput = row.value("count_input", false);
        f.frameBuffer = row.value("frame_buffer", false);
        f.note = row.value("note", std::string());
        f.notReproduced = row.value("not_reproduced", std::string());
    } catch (const json::exception& e) {
        return makeError(origin + ": " + e.what());
    }
    if (unitScale(f.unit) == 0.0)
        return makeError(origin + ": unknown unit '" + f.unit + "' (M, G, KB, MB)");
    if (f.quantity != "params" && f.quantity != "madds" && f.quantity != "peak_ram" && f.quantity != "model_size")
        return makeError(origin + ": unknown quantity '" + f.quantity + "'");
    char* end = nullptr;
    std::strtod(f.printed.c_str(), &end);
    if (f.printed.empty() || *end != '\0')
        return makeError(origin + ": value '" + f.printed + "' is not a number");
    return f;
}
} // namespace

std::filesystem::path paperTablesFile()
{
    return resourceDir() / "paper" / "rnnpool_tables.json";
}

Expected<std::vector<PaperFigure>> loadPaperFigures(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("paper tables '" + path.string() + "': cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    const json doc = json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("tables") || !doc["tables"].is_array())
        return makeError("paper tables '" + path.string() + "': not a JSON object with a 'tables' list");
    std::vector<PaperFigure> figures;
    for (const json& table : doc["tables"]) {
        if (!table.is_object() || !table.contains("rows") || !table["rows"].is_array())
            return makeError("paper tables '" + path.string() + "': every table needs a 'rows' list");
        for (size_t i = 0; i < table["rows"].size(); ++i) {
            const std::string origin = "paper tables '" + path.string() + "', table " + table.value("table", std::string("?")) +
                                       ", row " + std::to_string(i + 1);
            auto f = parseFigure(table, table["rows"][i], origin);
            if (!f)
                return std::move(f).takeError();
            figures.push_back(std::move(*f));
        }
    }
    return figures;
}

Expected<PaperComparison> comparePaperFigure(const PaperFigure& f)
{
    auto spec = findArchitecture(f.arch);
    if (!spec)
        return std::move(spec).takeError();
    if (f.classes > 0)
        if (Status st = applySpecSetting(*spec, "classifier.out=" + std::to_string(f.classes)); !st)
            return makeError(st.error());
    auto net = Network::build(*spec);
    if (!net)
        return std::move(net).takeError();
    const Shape input = f.input.empty() ? Shape{spec->inputChannels, spec->defaultHeight, spec->defaultWidth} : f.input;
    double ours = 0.0;
    if (f.quantity == "peak_ram") {
        ScheduleOptions options;
        options.dtype = f.dtype;
        options.countInput = f.countInput;
        options.paperAccounting = true; // the paper's own arithmetic
        auto timeline = buildTimeline(*net, paperSchedule(*net), input, options);
        if (!timeline)
            return std::move(timeline).takeError();
        ours = static_cast<double>(timeline->peakBytes + (f.frameBuffer ? shapeNumel(input) * elementBytes(f.dtype) : 0));
    } else if (f.quantity == "params" || f.quantity == "model_size") {
        ours = static_cast<double>(net->paramCount() * (f.quantity == "model_size" ? elementBytes(f.dtype) : 1));
    } else {
        auto layers = net->describe(input);
        if (!layers)
            return std::move(layers).takeError();
        for (const LayerInfo& l : *layers)
            ours += static_cast<double>(l.madds);
    }
    PaperComparison c;
    c.paper = std::strtod(f.printed.c_str(), nullptr);
    c.ours = ours / unitScale(f.unit);
    c.tolerance = relativeTolerance(f.quantity) * c.paper + halfLastDigit(f.printed);
    c.agrees = std::abs(c.ours - c.paper) <= c.tolerance;
    return c;
}

} // namespace rnnpool
