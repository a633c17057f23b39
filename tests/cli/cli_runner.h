// Running the built `rnnpool` from a CLI test: its exit status and what it
// printed.
//
//   const clitest::Outcome o = clitest::runCli("info --json");
//   ASSERT_EQ(o.status, 0) << o.output;
#pragma once

#include <filesystem>
#include <string>

namespace rnnpool::clitest {

struct Outcome {
    int status = -1;    // the exit status, -1 when the program did not exit normally
    std::string output; // stdout, and stderr too unless left out
};

// `rnnpool ARGS` through the shell (ARGS may quote paths with q()).
Outcome runCli(const std::string& args, bool withStderr = true);

// A fresh, empty folder in the temporary directory, unique to this process.
std::filesystem::path tempDir(const std::string& name);

// The path in single quotes, for a command line.
std::string q(const std::filesystem::path& p);

} // namespace rnnpool::clitest
