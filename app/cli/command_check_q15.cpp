// rnnpool check-q15 DIR [--dump OUTDIR] [--json]: our integer RNNPool
// (core/integer) on a folder of EdgeML integer-RNNPool goldens, in the format
// of ../shared/reference/edgeml-q15; counts the outputs equal to the folder's.
// Exit 0 when every case matches bit for bit, 1 on bad input or a mismatch.
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "io/npy.h"
#include "quant/edgeml_q15_folder.h"

namespace rnnpool::cli {

int commandCheckQ15(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--dump"}, {"--json"});
    if (!args.ok())
        return usageError("check-q15", args.error());
    if (args.positionals().size() != 1)
        return usageError("check-q15", "give one folder: rnnpool check-q15 DIR [--dump OUTDIR] [--json]");
    const std::filesystem::path dir = args.positionals()[0];
    Expected<EdgemlQ15Folder> folder = loadEdgemlQ15Folder(dir);
    if (!folder)
        return inputError(folder.error());

    std::optional<std::filesystem::path> dumpDir;
    if (const auto d = args.value("--dump")) {
        std::error_code ec;
        std::filesystem::create_directories(*d, ec);
        if (ec || !std::filesystem::is_directory(*d))
            return inputError("check-q15: cannot create the dump folder '" + *d + "': " + ec.message());
        dumpDir = *d;
    }

    nlohmann::json cases = nlohmann::json::array();
    int mismatchedCases = 0;
    for (const EdgemlQ15Case& c : folder->cases) {
        Expected<EdgemlQ15Run> run = runEdgemlQ15Case(*folder, c);
        if (!run)
            return inputError(run.error());
        const bool all = run->matchedValues == run->totalValues && run->firstMismatch.empty();
        mismatchedCases += all ? 0 : 1;
        nlohmann::json row{{"case", c.name()}, {"input_type", c.inputType}, {"scale_mode", c.scaleMode},
                           {"patches", c.n}, {"matched_patches", run->matchedPatches},
                           {"matched_values", run->matchedValues}, {"values", run->totalValues},
                           {"first_mismatch", run->firstMismatch}, {"bit_exact", all}};
        if (dumpDir) {
            const std::filesystem::path out = *dumpDir / (c.name() + "_output.npy");
            if (Status s = writeNpyInt16(out, {c.n, 4 * folder->hidden2}, run->output); !s)
                return inputError(s.error());
            row["dumped"] = out.string();
        }
        cases.push_back(row);
    }
    nlohmann::json oneStep = nlohmann::json::object();
    if (!folder->oneStepInput.empty())
        for (const char* mode : {"div", "shift"}) {
            const std::vector<int16_t> h = runEdgemlQ15OneStep(*folder, mode);
            const auto& want = folder->oneStepExpected[static_cast<size_t>(EdgemlQ15Folder::modeIndex(mode))];
            int64_t equal = 0;
            for (size_t i = 0; i < h.size() && i < want.size(); ++i)
                equal += h[i] == want[i] ? 1 : 0;
            oneStep[mode] = {{"matched", equal}, {"values", static_cast<int64_t>(want.size())}, {"h", h}};
            mismatchedCases += equal == static_cast<int64_t>(want.size()) ? 0 : 1;
        }

    if (args.flag("--json")) {
        std::cout << nlohmann::json{{"dir", dir.string()}, {"patch", folder->patch}, {"channels", folder->channels},
                                    {"hidden1", folder->hidden1}, {"hidden2", folder->hidden2}, {"cases", cases},
                                    {"fastgrnn_one_step", oneStep}, {"all_bit_exact", mismatchedCases == 0}}.dump(2)
                  << "\n";
    } else {
        std::cout << "check-q15 " << dir.string() << ": " << folder->patch << "x" << folder->patch << " patches, "
                  << folder->channels << " channels, h1 " << folder->hidden1 << ", h2 " << folder->hidden2 << "\n"
                  << std::left << std::setw(12) << "case" << std::right << std::setw(12) << "patches" << std::setw(14)
                  << "values" << "  first difference\n";
        for (const auto& r : cases) {
            const std::string patches = std::to_string(r["matched_patches"].get<int64_t>()) + "/" +
                                        std::to_string(r["patches"].get<int64_t>());
            const std::string values = std::to_string(r["matched_values"].get<int64_t>()) + "/" +
                                       std::to_string(r["values"].get<int64_t>());
            const std::string first = r["first_mismatch"].get<std::string>();
            std::cout << std::left << std::setw(12) << r["case"].get<std::string>() << std::right << std::setw(12)
                      << patches << std::setw(14) << values << "  " << (first.empty() ? "-" : first) << "\n";
        }
        for (const auto& [mode, r] : oneStep.items())
            std::cout << "fastgrnn one step (" << mode << "): " << r["matched"].get<int64_t>() << "/"
                      << r["values"].get<int64_t>() << " values\n";
        if (dumpDir)
            std::cout << "outputs written to " << dumpDir->string() << "\n";
        std::cout << (mismatchedCases == 0 ? "all bit-exact\n" : "MISMATCH\n");
    }
    if (mismatchedCases != 0) {
        std::cerr << "check-q15: " << mismatchedCases << " check(s) differ from the folder's outputs\n";
        return kExitBadInput;
    }
    return kExitOk;
}

} // namespace rnnpool::cli
