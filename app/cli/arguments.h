// A small command-line parser for the `rnnpool` subcommands: named options
// (--name VALUE or --name=VALUE), flags, repeatable options and positionals.
// Problems are collected as messages for a usage error (exit status 2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rnnpool::cli {

class Arguments {
public:
    // `valueOptions` take a value, `flags` do not; anything else is an error.
    Arguments(const std::vector<std::string>& args, const std::vector<std::string>& valueOptions,
              const std::vector<std::string>& flags);

    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }

    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return m_positionals; }

private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::map<std::string, bool> m_flags;
    std::vector<std::string> m_positionals;
    std::string m_error;
};

// Exit statuses, as the README documents them.
constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

} // namespace rnnpool::cli
