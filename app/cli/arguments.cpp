#include "cli/arguments.h"

#include <algorithm>

namespace rnnpool::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::vector<std::string>& valueOptions,
                     const std::vector<std::string>& flags)
{
    auto isIn = [](const std::vector<std::string>& list, const std::string& s) {
        return std::find(list.begin(), list.end(), s) != list.end();
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 2 || arg.rfind("-", 0) != 0 || arg == "-") {
            m_positionals.push_back(arg);
            continue;
        }
        std::string name = arg, inlineValue;
        bool hasInline = false;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            inlineValue = arg.substr(eq + 1);
            hasInline = true;
        }
        if (isIn(flags, name) && !hasInline) {
            m_flags[name] = true;
        } else if (isIn(valueOptions, name)) {
            if (hasInline) {
                m_values[name].push_back(inlineValue);
            } else if (i + 1 < args.size()) {
                m_values[name].push_back(args[++i]);
            } else if (m_error.empty()) {
                m_error = "option " + name + " needs a value";
            }
        } else if (m_error.empty()) {
            m_error = "unknown option " + name;
        }
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Arguments::values(const std::string& name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

} // namespace rnnpool::cli
