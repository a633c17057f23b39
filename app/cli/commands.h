// The `rnnpool` subcommands; each takes the arguments after its name and
// returns the exit status (0 success, 1 bad input, 2 bad usage).
#pragma once

#include <string>
#include <vector>

namespace rnnpool::cli {

int commandRun(const std::vector<std::string>& args);
int commandInfo(const std::vector<std::string>& args);
int commandConvert(const std::vector<std::string>& args);
int commandBench(const std::vector<std::string>& args);
int commandProfile(const std::vector<std::string>& args);
int commandZoo(const std::vector<std::string>& args);
int commandCompare(const std::vector<std::string>& args);
int commandDiff(const std::vector<std::string>& args);
int commandSweep(const std::vector<std::string>& args);
int commandEval(const std::vector<std::string>& args);
int commandEvalMerge(const std::vector<std::string>& args);
int commandPaperTables(const std::vector<std::string>& args);
int commandCheckQ15(const std::vector<std::string>& args);
int commandM4(const std::vector<std::string>& args);
int commandDeploy(const std::vector<std::string>& args);
int commandQuantize(const std::vector<std::string>& args);
int commandQuantReport(const std::vector<std::string>& args);

} // namespace rnnpool::cli
