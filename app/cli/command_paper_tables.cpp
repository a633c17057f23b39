// rnnpool paper-tables: our figures beside the paper's (profile/paper_tables.h).
#include <algorithm>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "profile/paper_tables.h"

namespace rnnpool::cli {

namespace {

const char* statusOf(const PaperFigure& f, const PaperComparison& c)
{
    if (!f.notReproduced.empty())
        return c.agrees ? "agrees (marked not reproduced)" : "not reproduced";
    return c.agrees ? "agrees" : "DIFFERS";
}

std::string formatLike(double v, const std::string& printed)
{
    const size_t dot = printed.find('.');
    return formatFloat(v, dot == std::string::npos ? 1 : static_cast<int>(printed.size() - dot) + 1);
}

} // namespace

int commandPaperTables(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {}, {"--json"});
    if (!args.ok())
        return usageError("paper-tables", args.error());
    if (!args.positionals().empty())
        return usageError("paper-tables", "unexpected argument '" + args.positionals().front() + "'");
    auto figures = loadPaperFigures(paperTablesFile());
    if (!figures)
        return inputError(figures.error());
    nlohmann::json out = nlohmann::json::array();
    std::string table;
    std::vector<std::string> notes;
    for (const PaperFigure& f : *figures) {
        auto c = comparePaperFigure(f);
        if (!c)
            return inputError("table " + f.table + ", " + f.row + ", " + f.column + ": " + c.error());
        const double deviation = c->paper != 0.0 ? 100.0 * (c->ours - c->paper) / c->paper : 0.0;
        if (args.flag("--json")) {
            out.push_back({{"table", f.table}, {"row", f.row}, {"column", f.column}, {"arch", f.arch}, {"quantity", f.quantity},
                           {"unit", f.unit}, {"paper", c->paper}, {"ours", c->ours}, {"tolerance", c->tolerance},
                           {"agrees", c->agrees}, {"reproduced", f.notReproduced.empty()}, {"note", f.note},
                           {"not_reproduced", f.notReproduced}});
            continue;
        }
        if (f.table != table) {
            table = f.table;
            std::cout << "\nTable " << table << "\n"
                      << std::left << std::setw(22) << "row" << std::setw(34) << "column" << std::right << std::setw(10) << "paper"
                      << std::setw(12) << "ours" << std::setw(9) << "diff" << "  status\n";
        }
        std::string mark;
        for (const std::string& text : {f.note, f.notReproduced})
            if (!text.empty()) {
                auto it = std::find(notes.begin(), notes.end(), text);
                if (it == notes.end())
                    it = notes.insert(notes.end(), text);
                mark += " [" + std::to_string(it - notes.begin() + 1) + "]";
            }
        std::cout << std::left << std::setw(22) << f.row << std::setw(34) << f.column << std::right << std::setw(10)
                  << (f.printed + " " + f.unit) << std::setw(12) << (formatLike(c->ours, f.printed) + " " + f.unit) << std::setw(8)
                  << formatFloat(deviation, 1) << "%  " << statusOf(f, *c) << mark << "\n";
    }
    if (args.flag("--json")) {
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "\nPeak RAM: the paper schedule (Appendix E.2 rules), input not counted, f32 unless noted; MB = 2^20 B.\n"
                 "Agreement: within 1% (peak RAM), 3% (parameters), 10% (MAdds), plus half the paper's last printed digit.\n";
    for (size_t i = 0; i < notes.size(); ++i)
        std::cout << "[" << i + 1 << "] " << notes[i] << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
