// rnnpool eval-merge: the parts written by `rnnpool eval --shard I/N --json`
// merged into the result one run over every picture gives, exactly.
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/eval_json.h"

namespace rnnpool::cli {

namespace {

// One detector's entry of a part file.
struct PartEntry {
    std::string file;
    nlohmann::json header; // everything but the part, to check the files belong together
    EvaluationPart part;
};

Expected<std::vector<nlohmann::json>> readPartFile(const std::string& file)
{
    std::ifstream in(file);
    if (!in)
        return makeError("part '" + file + "': cannot open the file");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        return makeError("part '" + file + "': not JSON (" + std::string(e.what()) + ")");
    }
    std::vector<nlohmann::json> entries;
    if (j.is_array())
        entries.assign(j.begin(), j.end());
    else
        entries.push_back(j);
    for (const nlohmann::json& e : entries)
        if (!e.is_object() || !e.contains("part") || !e.contains("shard"))
            return makeError("part '" + file + "': not written by 'rnnpool eval --shard I/N --json'");
    return entries;
}

} // namespace

int commandEvalMerge(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {}, {"--json"});
    if (!args.ok())
        return usageError("eval-merge", args.error());
    if (args.positionals().empty())
        return usageError("eval-merge", "give the part files written by 'rnnpool eval --shard I/N --json'");

    // entries[d][f]: detector d of file f.
    std::vector<std::vector<PartEntry>> entries;
    std::set<int> shards;
    int count = 0;
    for (const std::string& file : args.positionals()) {
        auto read = readPartFile(file);
        if (!read)
            return inputError(read.error());
        if (!entries.empty() && read->size() != entries.size())
            return inputError("part '" + file + "': " + std::to_string(read->size()) + " detector(s), the first part has " +
                              std::to_string(entries.size()));
        entries.resize(read->size());
        for (size_t d = 0; d < read->size(); ++d) {
            nlohmann::json& j = (*read)[d];
            auto part = partFromJson(j["part"], "part '" + file + "'");
            if (!part)
                return inputError(part.error());
            const int index = j["shard"].value("index", 0), n = j["shard"].value("count", 0);
            if (d == 0) {
                if (count != 0 && n != count)
                    return inputError("part '" + file + "': shard " + std::to_string(index) + "/" + std::to_string(n) +
                                      " does not belong with shards of " + std::to_string(count));
                count = n;
                if (!shards.insert(index).second)
                    return inputError("part '" + file + "': shard " + std::to_string(index) + "/" + std::to_string(n) + " given twice");
            }
            nlohmann::json header{{"detector", j.value("detector", "")}, {"model", j.value("model", "")},
                                  {"min_face", j.value("min_face", 0.0)}, {"labels", j.value("labels", "")},
                                  {"labelled_pictures", j.value("labelled_pictures", 0)}};
            if (!entries[d].empty() && header != entries[d].front().header)
                return inputError("part '" + file + "' was evaluated differently from '" + entries[d].front().file +
                                  "' (detector, model, labels or minimum face size): " + header.dump() + " vs " +
                                  entries[d].front().header.dump());
            entries[d].push_back({file, std::move(header), std::move(*part)});
        }
    }
    if (static_cast<int>(shards.size()) != count)
        return inputError("got " + std::to_string(shards.size()) + " of the " + std::to_string(count) +
                          " shards; give every part file once");

    nlohmann::json list = nlohmann::json::array();
    for (size_t d = 0; d < entries.size(); ++d) {
        const std::vector<PartEntry>& detector = entries[d];
        std::vector<EvaluationPart> parts;
        for (const PartEntry& e : detector)
            parts.push_back(e.part);
        auto merged = mergeEvaluationParts(parts);
        if (!merged)
            return inputError(merged.error());
        if (static_cast<int>(merged->pictures.size()) != detector.front().header["labelled_pictures"].get<int>())
            return inputError("the parts hold " + std::to_string(merged->pictures.size()) + " pictures, the labels " +
                              detector.front().header["labelled_pictures"].dump());
        const nlohmann::json& first = detector.front().header;
        auto original = readPartFile(detector.front().file);
        const bool randomWeights = original && (*original)[d].value("random_weights", false);
        const EvaluatedSource source{"", first["detector"].get<std::string>(), first["model"].get<std::string>(), randomWeights};
        const EvaluationResult result = summarize(*merged);
        // The training-split warning is counted over every labelled picture, so
        // each part carries the whole run's; the merge keeps it as it is.
        const nlohmann::json* entry = original ? &(*original)[d] : nullptr;
        const bool warned = entry && entry->contains("warning") && entry->contains("training_pictures");
        if (args.flag("--json")) {
            nlohmann::json j = evaluationJson(source, result, first["min_face"].get<float>());
            if (warned) {
                j["training_pictures"] = (*entry)["training_pictures"];
                j["warning"] = (*entry)["warning"];
            }
            list.push_back(std::move(j));
        } else {
            if (warned && d == 0)
                std::cerr << "rnnpool eval-merge: warning: " << (*entry)["warning"].get<std::string>() << "\n";
            printEvaluation(source, result, first["min_face"].get<float>());
        }
    }
    if (args.flag("--json"))
        std::cout << (list.size() == 1 ? list.front() : list).dump() << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
