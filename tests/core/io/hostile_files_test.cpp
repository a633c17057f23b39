// Model files that try to run code. Each pickle below would, under Python's
// pickle.load or an old torch.load, run a shell command that creates a
// marker file. The reader must refuse it, name the global, and run nothing.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/checkpoint.h"
#include "io/pth_reader.h"
#include "io_test_support.h"

namespace rnnpool {
namespace {

using iotest::FakeTensor;
using iotest::floatBytes;
using iotest::PickleWriter;
using iotest::PidStyle;
using iotest::TempDir;
using iotest::writeBytes;
using ::testing::HasSubstr;

// What `pickle.dumps(Evil())` gives for a class whose __reduce__ returns
// (posix.system, ('touch <marker>',)), protocol 2, as a byte literal plus the
// command, whose length goes into the BINUNICODE header.
std::string systemCallPickle(const std::string& module, const std::filesystem::path& marker)
{
    const std::string command = "touch '" + marker.string() + "'";
    std::string bytes("\x80\x02" "c", 3);
    bytes += module + "\nsystem\n";
    bytes += std::string("q\x00X", 3);
    for (int i = 0; i < 4; ++i)
        bytes += static_cast<char>((command.size() >> (8 * i)) & 0xff);
    bytes += command;
    bytes += std::string("q\x01\x85q\x02Rq\x03.", 9);
    return bytes;
}

// The legacy container around any main pickle: magic, protocol, sys_info,
// the pickle, then an empty storage list.
std::string legacyAround(const std::string& mainPickle) { return iotest::legacyCheckpoint(mainPickle, {}); }

class HostileFiles : public ::testing::TestWithParam<const char*> {
protected:
    void expectRefused(const std::filesystem::path& file, const std::string& global)
    {
        for (const Expected<Checkpoint>& result : {readCheckpoint(file), readPth(file)}) {
            ASSERT_FALSE(result) << file << " was accepted";
            EXPECT_THAT(result.error(), HasSubstr("checkpoint '" + file.string() + "'"));
            EXPECT_THAT(result.error(), HasSubstr("refuses to load '" + global + "'"));
            EXPECT_THAT(result.error(), HasSubstr("wants to run code"));
        }
        EXPECT_FALSE(std::filesystem::exists(m_marker)) << "the command in " << file << " ran";
    }

    TempDir m_dir;
    std::filesystem::path m_marker = m_dir / "marker-created-by-evil-pickle";
};

TEST_P(HostileFiles, RefusesASystemCallAsABarePickle)
{
    const std::string module = GetParam();
    const auto file = m_dir / "evil.pth";
    writeBytes(file, systemCallPickle(module, m_marker));
    expectRefused(file, module + ".system");
}

TEST_P(HostileFiles, RefusesASystemCallInALegacyCheckpoint)
{
    const std::string module = GetParam();
    const auto file = m_dir / "evil-legacy.pth";
    writeBytes(file, legacyAround(systemCallPickle(module, m_marker)));
    expectRefused(file, module + ".system");
}

TEST_P(HostileFiles, RefusesASystemCallInAZipCheckpoint)
{
    const std::string module = GetParam();
    const auto file = m_dir / "evil-zip.pth";
    writeBytes(file, iotest::zipCheckpoint(systemCallPickle(module, m_marker), {}, "evil"));
    expectRefused(file, module + ".system");
}

TEST_P(HostileFiles, RefusesACallHiddenAmongRealTensors)
{
    // {'w': <a real tensor>, 'x': posix.system('touch marker')} - the reader
    // must stop at the global, not skip the entry as "not a tensor".
    const std::string module = GetParam();
    const FakeTensor w{"w", "FloatStorage", "0", 1, 0, {1}, {1}};
    std::string pkl = iotest::stateDictPickle({w}, PidStyle::Zip);
    pkl.resize(pkl.size() - 2); // drop SETITEMS and STOP, keep the mark open
    PickleWriter tail;
    tail.text("x").global(module, "system").text("touch '" + m_marker.string() + "'").tuple1().reduce().setitems().stop();
    const auto file = m_dir / "mixed.pth";
    writeBytes(file, iotest::zipCheckpoint(pkl + tail.bytes(), {{"0", floatBytes({1.0f})}}));
    expectRefused(file, module + ".system");
}

INSTANTIATE_TEST_SUITE_P(SystemModules, HostileFiles, ::testing::Values("os", "posix", "nt"));

TEST(HostileGlobals, RefusesOtherWaysToRunCode)
{
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> globals{{"builtins", "eval"}, {"builtins", "exec"},
        {"subprocess", "Popen"}, {"torch.storage", "_load_from_bytes"}, {"torch.nn.modules.conv", "Conv2d"},
        {"runpy", "_run_code"}, {"webbrowser", "open"}};
    for (const auto& [module, name] : globals) {
        PickleWriter p;
        p.proto(2).global(module, name).text("__import__('os').system('true')").tuple1().reduce().stop();
        const auto file = dir / "evil.pth";
        writeBytes(file, iotest::zipCheckpoint(p.bytes(), {}));
        Expected<Checkpoint> c = readCheckpoint(file);
        ASSERT_FALSE(c) << module << "." << name;
        EXPECT_THAT(c.error(), HasSubstr("refuses to load '" + module + "." + name + "'"));
        EXPECT_THAT(c.error(), HasSubstr("a model file may only hold tensors"));
    }
}

} // namespace
} // namespace rnnpool
