#include "analysis_test_support.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <gtest/gtest.h>

namespace rnnpool::widgets::testing {

nlohmann::json cliJson(const std::string& arguments)
{
    QProcess cli;
    cli.start(QStringLiteral(RNNPOOL_CLI), QString::fromStdString(arguments).split(QLatin1Char(' '), Qt::SkipEmptyParts));
    if (!cli.waitForFinished(300000) || cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        ADD_FAILURE() << "rnnpool " << arguments << " failed: " << cli.readAllStandardError().toStdString();
        return nullptr;
    }
    try {
        return nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
    } catch (const std::exception& e) {
        ADD_FAILURE() << "rnnpool " << arguments << " printed no JSON: " << e.what();
        return nullptr;
    }
}

ModelProfile builtinProfile(const std::string& arch, const std::string& schedule, ElementType dtype, bool countInput)
{
    auto spec = findArchitecture(arch);
    EXPECT_TRUE(spec) << spec.error();
    if (!spec)
        return {};
    auto net = Network::build(*spec);
    EXPECT_TRUE(net) << net.error();
    if (!net)
        return {};
    ScheduleOptions options;
    options.dtype = dtype;
    options.countInput = countInput;
    auto profile = profileNetwork(*net, {spec->inputChannels, spec->defaultHeight, spec->defaultWidth}, schedule, options);
    EXPECT_TRUE(profile) << profile.error();
    return profile ? *profile : ModelProfile{};
}

ArchitectureComparison builtinComparison(const std::string& arch, ElementType dtype)
{
    auto spec = findArchitecture(arch);
    EXPECT_TRUE(spec) << spec.error();
    if (!spec)
        return {};
    ScheduleOptions options;
    options.dtype = dtype;
    auto c = compareArchitecture(*spec, {spec->inputChannels, spec->defaultHeight, spec->defaultWidth}, options);
    EXPECT_TRUE(c) << c.error();
    return c ? *c : ArchitectureComparison{};
}

QString scratchPath(const QString& fileName)
{
    static QTemporaryDir dir;
    return dir.filePath(fileName);
}

} // namespace rnnpool::widgets::testing
