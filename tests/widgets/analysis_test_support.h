// Shared pieces of the analysis view tests: the numbers of the `rnnpool`
// command line (the independent reference the views must agree with) and
// profiles of built-in architectures computed by the core.
#pragma once

#include <string>

#include <QString>

#include <nlohmann/json.hpp>

#include "profile/comparison.h"

namespace rnnpool::widgets::testing {

// Runs the built `rnnpool` with `arguments` (whitespace-separated) and parses
// its standard output as JSON; a failed run or bad JSON fails the test and
// gives null.
nlohmann::json cliJson(const std::string& arguments);

// The core's profile of a built-in architecture at its default input size.
ModelProfile builtinProfile(const std::string& arch, const std::string& schedule, ElementType dtype,
                            bool countInput = false);
ArchitectureComparison builtinComparison(const std::string& arch, ElementType dtype);

// A scratch folder for exported files, removed at exit.
QString scratchPath(const QString& fileName);

} // namespace rnnpool::widgets::testing
