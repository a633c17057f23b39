// The restricted pickle machine on hand-made pickles: the values of every
// protocol, refused globals, malformed input, and the limits.
#include "io/pickle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io_test_support.h"

namespace rnnpool {
namespace {

using iotest::asBytes;
using iotest::PickleWriter;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Expected<PickleDocument> run(const std::string& bytes, const PickleLimits& limits = {})
{
    return unpickle(asBytes(bytes), limits);
}

TEST(PickleMachine, BuildsProtocolTwoValues)
{
    // {'a': [1, -2, 70000, 2**40], 'b': (1.5, True, None), 'c': 'é'} with memo reuse.
    PickleWriter p;
    p.proto(2).emptyDict().binput(0).mark();
    p.text("a").emptyList().binput(1).mark().integer(1).integer(-2).integer(70000).integer(int64_t{1} << 40).appends();
    p.text("b").mark().binfloat(1.5).boolean(true).none().tuple();
    p.text("c").text("\xc3\xa9");
    p.text("again").binget(1);
    p.setitems().stop();
    Expected<PickleDocument> doc = run(p.bytes());
    ASSERT_TRUE(doc) << doc.error();
    const PickleObject* root = doc->root();
    ASSERT_EQ(root->kind, PickleKind::Dict);
    const PickleObject* a = root->find("a");
    ASSERT_TRUE(a && a->is(PickleKind::List));
    ASSERT_EQ(a->items.size(), 4u);
    EXPECT_EQ(a->items[0]->integer, 1);
    EXPECT_EQ(a->items[1]->integer, -2);
    EXPECT_EQ(a->items[2]->integer, 70000);
    EXPECT_EQ(a->items[3]->integer, int64_t{1} << 40);
    const PickleObject* b = root->find("b");
    ASSERT_TRUE(b && b->is(PickleKind::Tuple) && b->items.size() == 3);
    EXPECT_EQ(b->items[0]->real, 1.5);
    EXPECT_TRUE(b->items[1]->is(PickleKind::Bool) && b->items[1]->boolean);
    EXPECT_TRUE(b->items[2]->is(PickleKind::None));
    EXPECT_TRUE(root->find("c")->isString("\xc3\xa9"));
    EXPECT_EQ(root->find("again"), a) << "BINGET must return the memoised object itself";
    EXPECT_EQ(doc->bytesConsumed(), p.bytes().size());
}

TEST(PickleMachine, ReadsIntegersOfEverySize)
{
    // LONG1 with the legacy magic number (80 bits) stays a BigInt; small LONG1s are ints.
    const std::string magic("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e", 15);
    Expected<PickleDocument> big = run(magic);
    ASSERT_TRUE(big) << big.error();
    EXPECT_EQ(big->root()->kind, PickleKind::BigInt);
    EXPECT_EQ(big->root()->text.size(), 10u);

    Expected<PickleDocument> minusOne = run(std::string("\x80\x02\x8a\x01\xff.", 6));
    ASSERT_TRUE(minusOne);
    EXPECT_EQ(minusOne->root()->integer, -1);
    Expected<PickleDocument> nineBytes = run(std::string("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00.", 14));
    ASSERT_TRUE(nineBytes);
    EXPECT_EQ(nineBytes->root()->kind, PickleKind::BigInt) << "2**63 does not fit in int64";
    Expected<PickleDocument> binint = run(std::string("J\xfe\xff\xff\xff.", 6));
    ASSERT_TRUE(binint);
    EXPECT_EQ(binint->root()->integer, -2);
}

TEST(PickleMachine, ReadsProtocolZeroText)
{
    // pickle.dumps([1, -5, 1.5, 'a\nb', 'hi\u00e9', True, 12345678901234], protocol=0)
    const std::string bytes = "(lp0\nI1\naI-5\naF1.5\naS'a\\nb'\np1\naVhi\\u00e9\np2\naI01\naL12345678901234L\na.";
    Expected<PickleDocument> doc = run(bytes);
    ASSERT_TRUE(doc) << doc.error();
    const auto& items = doc->root()->items;
    ASSERT_EQ(items.size(), 7u);
    EXPECT_EQ(items[1]->integer, -5);
    EXPECT_EQ(items[2]->real, 1.5);
    EXPECT_TRUE(items[3]->isString("a\nb"));
    EXPECT_TRUE(items[4]->isString("hi\xc3\xa9"));
    EXPECT_TRUE(items[5]->is(PickleKind::Bool) && items[5]->boolean);
    EXPECT_EQ(items[6]->integer, 12345678901234);
}

TEST(PickleMachine, ReadsProtocolFourFramesAndStackGlobal)
{
    // pickle.dumps(collections.OrderedDict(x=[1]), protocol=4)
    static const char kBody[] = "\x8c\x0b" "collections\x94\x8c\x0b" "OrderedDict\x94\x93\x94)R\x94\x8c\x01" "x\x94]\x94K\x01" "as.";
    const std::string body(kBody, sizeof kBody - 1);
    std::string bytes("\x80\x04\x95", 3);
    for (int i = 0; i < 8; ++i)
        bytes += static_cast<char>(i == 0 ? body.size() : 0);
    bytes += body;
    Expected<PickleDocument> doc = run(bytes);
    ASSERT_TRUE(doc) << doc.error();
    ASSERT_EQ(doc->root()->kind, PickleKind::Dict);
    const PickleObject* x = doc->root()->find("x");
    ASSERT_TRUE(x && x->is(PickleKind::List) && x->items.size() == 1);
    EXPECT_EQ(x->items[0]->integer, 1);
}

TEST(PickleMachine, RecordsCallsAndPersistentIdsWithoutRunningThem)
{
    PickleWriter p;
    p.proto(2).global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().text("storage").global("torch", "FloatStorage").text("0").text("cpu").integer(4).tuple().binpersid();
    p.integer(0).intTuple({2, 2}).intTuple({2, 1}).boolean(false).emptyDict().tuple().reduce().stop();
    Expected<PickleDocument> doc = run(p.bytes());
    ASSERT_TRUE(doc) << doc.error();
    const PickleObject* call = doc->root();
    ASSERT_EQ(call->kind, PickleKind::Call);
    EXPECT_TRUE(call->items[0]->isGlobal("torch._utils._rebuild_tensor_v2"));
    ASSERT_EQ(doc->persistentIds().size(), 1u);
    EXPECT_EQ(call->items[1]->items[0], doc->persistentIds()[0]);
    EXPECT_TRUE(doc->persistentIds()[0]->items[0]->items[1]->isGlobal("torch.FloatStorage"));
}

TEST(PickleMachine, RefusesEveryGlobalOutsideTheStateDictAllowList)
{
    const std::vector<std::pair<std::string, std::string>> refused{{"os", "system"}, {"posix", "system"},
        {"builtins", "eval"}, {"builtins", "exec"}, {"__builtin__", "eval"}, {"subprocess", "Popen"},
        {"torch.nn.modules.conv", "Conv2d"}, {"torch.storage", "_load_from_bytes"}, {"numpy.core.multiarray", "_reconstruct"},
        {"collections", "defaultdict"}, {"torch._utils", "rebuild_tensor_v2"}, {"torch", "load"}};
    for (const auto& [module, name] : refused) {
        EXPECT_FALSE(isAllowedGlobal(module, name)) << module << "." << name;
        PickleWriter p;
        p.proto(2).global(module, name).text("echo hi").tuple1().reduce().stop();
        Expected<PickleDocument> doc = run(p.bytes());
        ASSERT_FALSE(doc) << module << "." << name << " was accepted";
        EXPECT_THAT(doc.error(), HasSubstr("refuses to load '" + module + "." + name + "'"));
        EXPECT_THAT(doc.error(), HasSubstr("may only hold tensors"));
    }
    // STACK_GLOBAL (protocol 4) and INST (protocol 0) are checked the same way.
    static const char kStacked[] = "\x80\x04\x8c\x08" "builtins\x8c\x04" "exec\x93\x8c\x01" "xR.";
    Expected<PickleDocument> stacked = run(std::string(kStacked, sizeof kStacked - 1));
    ASSERT_FALSE(stacked);
    EXPECT_THAT(stacked.error(), HasSubstr("'builtins.exec'"));
    Expected<PickleDocument> inst = run("(S'touch x'\nios\nsystem\n.");
    ASSERT_FALSE(inst);
    EXPECT_THAT(inst.error(), HasSubstr("'os.system'"));
}

TEST(PickleMachine, AllowsExactlyWhatStateDictsUse)
{
    for (const char* storage : {"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
             "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"})
        EXPECT_TRUE(isAllowedGlobal("torch", storage)) << storage;
    EXPECT_TRUE(isAllowedGlobal("collections", "OrderedDict"));
    EXPECT_TRUE(isAllowedGlobal("torch._utils", "_rebuild_tensor_v2"));
    EXPECT_TRUE(isAllowedGlobal("torch._utils", "_rebuild_tensor"));
    EXPECT_TRUE(isAllowedGlobal("torch._utils", "_rebuild_parameter"));
    // Unsupported tensor types are not attacks and say so.
    Expected<PickleDocument> quantized = run(PickleWriter().proto(2).global("torch", "QInt8Storage").stop().bytes());
    ASSERT_FALSE(quantized);
    EXPECT_THAT(quantized.error(), HasSubstr("unsupported storage type 'torch.QInt8Storage'"));
}

TEST(PickleMachine, RejectsMalformedPickles)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {std::string("\x80\x02s.", 4), "stack is empty"},
        {std::string("\x80\x02]K\x01u.", 7), "no MARK"},
        {std::string("\x80\x02h\x05.", 5), "memo entry 5"},
        {std::string("\x80\x02}K\x01" "a.", 7), "APPEND on a dict"},
        {std::string("\x80\x02K\x01(u.", 7), "SETITEMS on a int"},
        {std::string("\x80\x02}(K\x01u.", 7), "odd number"},
        {std::string("\x80\x02K\x01", 4), "without its STOP"},
        {std::string("\x80\x02\xff.", 4), "unknown opcode 0xff"},
        {std::string("\x80\x02X\xff\xff\xff\xff" "abc.", 11), "truncated"},
        {std::string("\x80\x02\x8b\xff\xff\xff\xff.", 8), "negative LONG4"},
        {std::string("\x80\x07N.", 4), "protocol 7"},
        {std::string("\x80\x02K\x01)R.", 6), "not callable"},
        {std::string("\x80\x02\x82\x01.", 5), "extension registry"},
        {std::string("\x80\x05\x97.", 4), "out-of-band"},
        {std::string("\x80\x02(K\x01" "0" "0" "0.", 8), "no MARK"},
        {"I12x\n.", "not an integer"},
        {"S'abc\n.", "not quoted"},
        {"Fnan-ish\n.", "not a number"},
        {"V\\uZZZZ\n.", "bad escape"},
        {"S'a\\q'\n.", "bad escape"},
        {std::string("\x80\x02N\x95\xff\xff\xff\xff\xff\xff\xff\xff.", 13), "truncated"},
        {std::string("\x80\x02K\x01Nb.", 7), "BUILD on a int"},
    };
    for (const auto& [bytes, why] : cases) {
        Expected<PickleDocument> doc = run(bytes);
        ASSERT_FALSE(doc) << "accepted: " << why;
        EXPECT_THAT(doc.error(), HasSubstr(why));
    }
    EXPECT_FALSE(run(""));
}

TEST(PickleMachine, StopsAtItsLimits)
{
    std::string many = "\x80\x02";
    for (int i = 0; i < 1000; ++i)
        many += "N";
    many += ".";
    PickleLimits small;
    small.maxObjects = 100;
    Expected<PickleDocument> doc = run(many, small);
    ASSERT_FALSE(doc);
    EXPECT_THAT(doc.error(), HasSubstr("more than 100 objects"));
    ASSERT_TRUE(run(many)) << "the default limit is far above this";

    const std::string marks = "\x80\x02" + std::string(100000, '(') + "N.";
    Expected<PickleDocument> deep = run(marks);
    ASSERT_FALSE(deep);
    EXPECT_THAT(deep.error(), HasSubstr("MARKs nested deeper"));
}

// Issue 18, class 1: a small file that hands one big list of pairs to
// OrderedDict again and again. The objects stay few; the entries do not.
TEST(PickleMachine, CountsTheWorkAPickleCausesNotOnlyItsObjects)
{
    PickleWriter p;
    p.proto(2).global("collections", "OrderedDict").binput(0);
    p.integer(1).integer(2).tuple2().binput(1); // one pair, reused
    p.emptyList().binput(2);
    for (int chunk = 0; chunk < 100; ++chunk) {
        p.mark();
        for (int i = 0; i < 1000; ++i)
            p.binget(1);
        p.appends();
    }
    // 100,000 pairs (about 200 KB); OrderedDict(pairs) 400 times asks for 8·10^7 entries.
    p.pop();
    for (int call = 0; call < 400; ++call)
        p.binget(0).binget(2).tuple1().reduce().pop();
    p.none().stop();
    PickleLimits limits;
    Expected<PickleDocument> doc = run(p.bytes(), limits);
    ASSERT_FALSE(doc);
    EXPECT_THAT(doc.error(), HasSubstr("more than 33554432 references"));

    // The same file with 10 calls (2·10^6 entries) is within the budget.
    PickleWriter few;
    few.proto(2).global("collections", "OrderedDict").binput(0);
    few.integer(1).integer(2).tuple2().binput(1).emptyList().binput(2);
    for (int chunk = 0; chunk < 100; ++chunk) {
        few.mark();
        for (int i = 0; i < 1000; ++i)
            few.binget(1);
        few.appends();
    }
    few.pop();
    for (int call = 0; call < 10; ++call)
        few.binget(0).binget(2).tuple1().reduce().pop();
    few.none().stop();
    Expected<PickleDocument> ok = run(few.bytes(), limits);
    EXPECT_TRUE(ok) << ok.error();
    limits.maxWork = 1000000;
    Expected<PickleDocument> tight = run(few.bytes(), limits);
    ASSERT_FALSE(tight);
    EXPECT_THAT(tight.error(), HasSubstr("more than 1000000 references"));
}

TEST(PickleMachine, SurvivesCyclesAndKeepsConsumedLength)
{
    // l = []; l.append(l): a list containing itself, then a second pickle.
    const std::string bytes = std::string("\x80\x02]q\x00h\x00" "a.", 9) + std::string("\x80\x02K\x07.", 5);
    Expected<PickleDocument> doc = run(bytes);
    ASSERT_TRUE(doc) << doc.error();
    ASSERT_EQ(doc->root()->items.size(), 1u);
    EXPECT_EQ(doc->root()->items[0], doc->root());
    EXPECT_EQ(doc->bytesConsumed(), 9u);
    Expected<PickleDocument> second = unpickle(asBytes(bytes).subspan(doc->bytesConsumed()));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->root()->integer, 7);
}

} // namespace
} // namespace rnnpool
