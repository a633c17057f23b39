// rnnpool zoo: the built-in architectures; rnnpool compare: several of them
// side by side under the same profile options.
#include <filesystem>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "mcu/board.h"
#include "mcu/fit_json.h"
#include "mcu/latency_model.h"
#include "model/model.h"
#include "profile/comparison.h"
#include "profile/profile_summary.h"

namespace rnnpool::cli {

namespace {

using Summary = ProfileSummary;

// Estimated milliseconds under every cost profile (compare --board), in the
// order of the profiles file.
using LatencyRow = std::vector<std::pair<std::string, double>>;

Expected<LatencyRow> estimateRow(const ArchSpec& spec, const Shape& input, const Board& board)
{
    auto estimates = estimateArchitecture(spec, input, board.clockMHz);
    if (!estimates)
        return std::move(estimates).takeError();
    LatencyRow row;
    for (const auto& [profile, estimate] : *estimates)
        row.emplace_back(profile.name, estimate.milliseconds());
    return row;
}

nlohmann::json toJson(const Summary& s)
{
    return {{"arch", s.arch}, {"task", s.task},
            {"input", {{"width", s.input[2]}, {"height", s.input[1]}, {"channels", s.input[0]}}},
            {"params", s.params}, {"madds", s.madds}, {"peak_bytes", {{"layerwise", s.layerwisePeak}, {"paper", s.paperPeak}}}};
}

// An architecture by name, or the architecture of a model file (.pth, .pt,
// .safetensors) or a spec file (.json), as the studio's Compare tab takes them.
Expected<ArchSpec> compareSpec(const std::string& name)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(name, ec))
        return findArchitecture(name);
    if (std::filesystem::path(name).extension() == ".json")
        return loadArchSpecFile(name);
    auto model = loadModel(name);
    if (!model)
        return std::move(model).takeError();
    ArchSpec spec = model->spec();
    return spec;
}

std::string fitText(const FitReport& f)
{
    if (f.fits)
        return "fits, " + std::to_string(f.sramHeadroom) + " B SRAM free";
    if (f.sramHeadroom < 0)
        return "SRAM over by " + std::to_string(-f.sramHeadroom) + " B";
    if (f.flashHeadroom < 0)
        return "flash over by " + std::to_string(-f.flashHeadroom) + " B";
    return "no region fits";
}

void printTable(const std::vector<Summary>& rows, const ScheduleOptions& options, const std::vector<LatencyRow>& latency,
                const std::optional<Board>& board, const std::vector<FitReport>& fits, const std::string& fitSchedule)
{
    std::cout << "peak activations at " << elementTypeName(options.dtype) << ", input "
              << (options.countInput ? "counted" : "not counted") << "\n";
    std::cout << std::left << std::setw(30) << "architecture" << std::setw(16) << "task" << std::setw(13) << "input" << std::right
              << std::setw(12) << "params" << std::setw(12) << "M MAdds" << std::setw(16) << "layerwise B" << std::setw(14)
              << "paper B";
    if (!latency.empty())
        for (const auto& [profile, ms] : latency.front())
            std::cout << std::setw(21) << ("~ms " + profile);
    if (!fits.empty())
        std::cout << "  fit (" << fitSchedule << ")";
    std::cout << "\n";
    for (size_t i = 0; i < rows.size(); ++i) {
        const Summary& s = rows[i];
        std::cout << std::left << std::setw(30) << s.arch << std::setw(16) << s.task << std::setw(13)
                  << (std::to_string(s.input[2]) + "x" + std::to_string(s.input[1]) + "x" + std::to_string(s.input[0]))
                  << std::right << std::setw(12) << s.params << std::setw(12) << formatFloat(static_cast<double>(s.madds) / 1e6, 1)
                  << std::setw(16) << s.layerwisePeak << std::setw(14) << s.paperPeak;
        if (i < latency.size())
            for (const auto& [profile, ms] : latency[i])
                std::cout << std::setw(21) << formatFloat(ms, 1);
        if (i < fits.size())
            std::cout << "  " << fitText(fits[i]);
        std::cout << "\n";
    }
    for (size_t i = 0; i < fits.size(); ++i)
        if (!fits[i].problem.empty())
            std::cout << rows[i].arch << ": " << fits[i].problem << "\n";
    if (board)
        std::cout << "~ms: estimated latency on " << board->name << " at " << formatFloat(board->clockMHz, 0)
                  << " MHz under each cost profile (estimates from instruction counts of the kernels' inner loops, "
                     "not measurements; resources/mcu/cost_profiles.json)\n";
}

int run(const std::string& command, const std::vector<std::string>& names, const Arguments& args)
{
    ScheduleOptions options;
    if (const auto d = args.value("--dtype"); d && !parseElementType(*d, options.dtype))
        return usageError(command, "--dtype must be f32, i16 or i8, not '" + *d + "'");
    options.countInput = args.flag("--count-input");
    std::optional<SizeSpec> size;
    if (const auto s = args.value("--input")) {
        size = parseSizeSpec(*s);
        if (!size)
            return usageError(command, "--input must be WIDTHxHEIGHT[xCHANNELS], not '" + *s + "'");
    }
    std::optional<Board> board;
    if (const auto b = args.value("--board")) {
        auto found = findBoard(*b);
        if (!found)
            return usageError(command, found.error());
        board = *found;
    }
    const std::string fitSchedule = args.value("--schedule").value_or("paper");
    if (fitSchedule != "paper" && fitSchedule != "layerwise")
        return usageError(command, "--schedule must be layerwise or paper, not '" + fitSchedule + "'");
    std::vector<Summary> rows;
    std::vector<LatencyRow> latency;
    std::vector<FitReport> fits;
    std::vector<nlohmann::json> fitObjects;
    for (const std::string& name : names) {
        auto spec = compareSpec(name);
        if (!spec)
            return inputError(spec.error());
        if (size && size->channels != 0 && size->channels != spec->inputChannels)
            return inputError("architecture '" + spec->name + "' takes " + std::to_string(spec->inputChannels) + " channel(s)");
        const Shape input = size ? Shape{spec->inputChannels, size->height, size->width}
                                 : Shape{spec->inputChannels, spec->defaultHeight, spec->defaultWidth};
        if (board) {
            // The fit needs the plans of both schedules: the comparison the studio's table holds.
            auto comparison = compareArchitecture(*spec, input, options);
            if (!comparison)
                return inputError(comparison.error());
            rows.push_back(comparison->summary);
            fits.push_back(comparison->fitFor(*board, fitSchedule));
            fitObjects.push_back(fitJson(fits.back(), comparison->profileFor(fitSchedule), fitSchedule));
        } else {
            auto summary = summariseArchitecture(*spec, input, options);
            if (!summary)
                return inputError(summary.error());
            rows.push_back(*summary);
        }
        if (std::filesystem::is_regular_file(name))
            rows.back().arch = std::filesystem::path(name).filename().string() + " (" + spec->name + ")";
        if (board) {
            auto row = estimateRow(*spec, input, *board);
            if (!row)
                return inputError(row.error());
            latency.push_back(std::move(*row));
        }
    }
    if (args.flag("--json")) {
        nlohmann::json out = nlohmann::json::array();
        for (size_t i = 0; i < rows.size(); ++i) {
            out.push_back(toJson(rows[i]));
            if (i < latency.size()) {
                out.back()["board"] = board->name;
                for (const auto& [profile, ms] : latency[i])
                    out.back()["latency_ms"][profile] = ms;
            }
            if (i < fitObjects.size())
                out.back()["fit"] = fitObjects[i];
        }
        std::cout << out.dump(2) << "\n";
    } else {
        printTable(rows, options, latency, board, fits, fitSchedule);
    }
    return kExitOk;
}

} // namespace

int commandZoo(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--dtype"}, {"--json", "--count-input"});
    if (!args.ok())
        return usageError("zoo", args.error());
    if (!args.positionals().empty())
        return usageError("zoo", "unexpected argument '" + args.positionals().front() + "'");
    std::vector<std::string> problems;
    std::vector<std::string> names;
    for (const ArchSpec& spec : builtinArchitectures(&problems))
        names.push_back(spec.name);
    for (const std::string& p : problems)
        std::cerr << "rnnpool zoo: skipped a broken spec: " << p << "\n";
    return run("zoo", names, args);
}

int commandCompare(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--dtype", "--input", "--board", "--schedule"}, {"--json", "--count-input"});
    if (!args.ok())
        return usageError("compare", args.error());
    if (args.positionals().size() < 2)
        return usageError("compare", "name two or more architectures or model files: rnnpool compare A B ...");
    return run("compare", args.positionals(), args);
}

} // namespace rnnpool::cli
