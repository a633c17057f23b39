#include "cli/cli_runner.h"

#include <array>
#include <cstdio>

#include <sys/wait.h>
#include <unistd.h>

namespace rnnpool::clitest {

Outcome runCli(const std::string& args, bool withStderr)
{
    const std::string command = std::string(RNNPOOL_CLI) + " " + args + (withStderr ? " 2>&1" : " 2>/dev/null");
    Outcome o;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return o;
    std::array<char, 4096> buf{};
    while (size_t n = fread(buf.data(), 1, buf.size(), pipe))
        o.output.append(buf.data(), n);
    const int raw = pclose(pipe);
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return o;
}

std::filesystem::path tempDir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() / ("rnnpool_cli_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + string + "'".
std::string q(const std::filesystem::path& p)
{
    std::string quoted(1, '\'');
    quoted += p.string();
    quoted += '\'';
    return quoted;
}

} // namespace rnnpool::clitest
