// Architecture specs built to hurt (issue 18, classes 2-4): sizes that
// overflow 64-bit products, dimensions, channels and layer counts beyond the
// limits of util/limits.h, detector settings that make no sense, and fields
// of the wrong JSON type. Each is refused with a message naming the spec,
// the layer (or section) and the key; nothing throws out of the core.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/arch_spec.h"
#include "model/network.h"
#include "model/spec_settings.h"
#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json baseSpec()
{
    return json::parse(R"({"name": "t", "input": {"channels": 1, "width": 320, "height": 240},
        "layers": [{"name": "stem", "op": "conv_bn_act", "out": 4, "kernel": 3, "stride": 2, "weights": "conv"},
                   {"name": "head", "op": "conv", "out": 4, "kernel": 3, "pad": 1, "weights": "loc"}]})");
}

// The error of parsing, then building, `doc`; empty when both succeed.
std::string problem(const json& doc)
{
    auto spec = parseArchSpec(doc.dump(), "hostile.json");
    if (!spec)
        return spec.error();
    auto net = Network::build(*spec);
    return net ? std::string() : net.error();
}

TEST(CheckedArithmetic, FlagsEveryOverflowAndNegativeExtent)
{
    EXPECT_EQ(checkedMul(int64_t{1} << 31, int64_t{1} << 31), int64_t{1} << 62);
    EXPECT_FALSE(checkedMul(int64_t{1} << 32, int64_t{1} << 31));
    EXPECT_FALSE(checkedMul(-(int64_t{1} << 62), 4));
    EXPECT_FALSE(checkedAdd(INT64_MAX, 1));
    EXPECT_EQ(checkedAdd(INT64_MAX - 1, 1), INT64_MAX);
    const int64_t kernel3x2p62[] = {1, 1, 3, int64_t{1} << 62};
    EXPECT_FALSE(checkedNumel(kernel3x2p62));
    const int64_t negative[] = {4, -1};
    EXPECT_FALSE(checkedNumel(negative));
    EXPECT_EQ(checkedNumel(std::span<const int64_t>{}), 1);
}

TEST(HostileSpecs, OverflowingSizesAreRefusedByKey)
{
    json input = baseSpec();
    input["input"]["width"] = int64_t{1} << 31;
    input["input"]["height"] = int64_t{1} << 31;
    EXPECT_THAT(problem(input), HasSubstr("input.width must be an integer from 1 to 4096"));

    json kernel = baseSpec();
    kernel["layers"][1]["kernel"] = {3, int64_t{1} << 62};
    EXPECT_THAT(problem(kernel), HasSubstr("layer 'head': 'kernel' must be an integer or [height, width] from 0 to 64"));

    json pad = baseSpec();
    pad["layers"][1]["pad"] = 1000000000;
    EXPECT_THAT(problem(pad), HasSubstr("layer 'head': 'pad' must be an integer from 0 to 64, not 1000000000"));

    json huge = baseSpec();
    huge["layers"][1]["out"] = uint64_t{1} << 63; // beyond int64: must not wrap to a negative count
    EXPECT_THAT(problem(huge), HasSubstr("layer 'head': 'out' must be an integer from 0 to 16384"));
}

TEST(HostileSpecs, ChannelsLayersAndParametersAreBounded)
{
    json wideHead = baseSpec();
    wideHead["layers"][1]["out"] = 1000000;
    EXPECT_THAT(problem(wideHead), HasSubstr("'out' must be an integer from 0 to 16384, not 1000000"));

    // Channels that only appear once blocks expand (a concat of wide layers).
    json concat = baseSpec();
    concat["layers"][1]["out"] = 16384;
    concat["layers"].push_back({{"name", "cat"}, {"op", "concat"}, {"input", {"head", "head"}}});
    EXPECT_THAT(problem(concat), HasSubstr("layer 'cat': node 'cat' has 32768 channels, beyond the limit of 16384"));

    // 16384 x 16384 x 3 x 3 weights: 2.4 G learned values, counted before any is allocated.
    json params = baseSpec();
    params["layers"][0]["out"] = 16384;
    params["layers"][1]["out"] = 16384;
    EXPECT_THAT(problem(params), HasSubstr("layer 'head' takes the network past 134217728 learned values"));

    json many = baseSpec();
    for (int i = 0; i < 100000; ++i)
        many["layers"].push_back({{"name", "l" + std::to_string(i)}, {"op", "add"}, {"input", {"stem", "stem"}}});
    EXPECT_THAT(problem(many), HasSubstr("100002 layers, beyond the limit of 4096 (kMaxSpecLayers"));

    // At the limit the spec builds: names are checked through a set, not pairwise.
    json chain = baseSpec();
    for (int i = 0; i < limits::kMaxSpecLayers - 2; ++i)
        chain["layers"].push_back({{"name", "l" + std::to_string(i)}, {"op", "add"}, {"input", {"stem", "stem"}}});
    EXPECT_EQ(problem(chain), "");
    chain["layers"].back()["name"] = "l7";
    EXPECT_THAT(problem(chain), HasSubstr("layer 'l7': the name is used twice"));
}

// Padding grows a map at every layer; no output may pass kMaxMapSide, so
// multiply-adds of later layers stay far from overflowing.
TEST(HostileSpecs, MapsGrownByPaddingAreBounded)
{
    json grow = baseSpec();
    grow["layers"] = json::array();
    for (int i = 0; i < 70; ++i)
        grow["layers"].push_back({{"name", "g" + std::to_string(i)}, {"op", "conv"}, {"out", 1}, {"kernel", 1}, {"pad", 64},
                                  {"weights", "w" + std::to_string(i)}});
    auto spec = parseArchSpec(grow.dump(), "grow.json");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    // Each layer adds 128 to both sides: 320 + 128 x 62 = 8256 > 8192 at layer g61.
    auto shapes = net->plan({1, 240, 320});
    ASSERT_FALSE(shapes);
    EXPECT_THAT(shapes.error(), HasSubstr("layer 'g61' at input 320x240: output [1,8176,8256] is beyond 8192 a side"));
    grow["layers"].erase(grow["layers"].begin() + 61, grow["layers"].end());
    auto shorter = Network::build(*parseArchSpec(grow.dump(), "grow.json"));
    ASSERT_TRUE(shorter) << shorter.error();
    EXPECT_TRUE(shorter->plan({1, 240, 320}));
}

TEST(HostileSpecs, DetectorSettingsAreValidated)
{
    const auto withDetector = [](const char* key, json value) {
        json doc = baseSpec();
        doc["detector"] = {{"steps", {2}}, {"anchor_sizes", {16}}, {"input_area", {320, 240}}};
        doc["detector"][key] = std::move(value);
        doc["heads"] = {{{"loc", "head"}, {"conf", "head"}}};
        return problem(doc);
    };
    EXPECT_EQ(withDetector("nms_top_k", 100), "");
    EXPECT_THAT(withDetector("steps", {0}), HasSubstr("detector.steps must be a list of at most 64 integers from 1 to 4096"));
    EXPECT_THAT(withDetector("anchor_sizes", {-16}), HasSubstr("detector.anchor_sizes must be"));
    EXPECT_THAT(withDetector("keep_top_k", -1), HasSubstr("detector.keep_top_k must be an integer from 1 to 100000, not -1"));
    EXPECT_THAT(withDetector("nms_threshold", -5), HasSubstr("detector.nms_threshold must be a number from 0 to 1, not -5"));
    EXPECT_THAT(withDetector("confidence_threshold", "high"), HasSubstr("detector.confidence_threshold must be a number"));
    EXPECT_THAT(withDetector("variances", {0.1, -0.2}), HasSubstr("detector.variances must hold 2 numbers above 0"));
    EXPECT_THAT(withDetector("input_area", {320, 0}), HasSubstr("detector.input_area must be"));
    EXPECT_THAT(withDetector("nms_top_k", 1e12), HasSubstr("detector.nms_top_k must be an integer"));
}

TEST(HostileSpecs, WronglyTypedFieldsNameTheLayerAndKey)
{
    struct Case {
        const char* key;
        json value;
        const char* expected;
    };
    const Case cases[] = {
        {"out", "32", "layer 'head': 'out' must be an integer from 0 to 16384, not \"32\""},
        {"bias", "yes", "layer 'head': 'bias' must be true or false, not \"yes\""},
        {"act", 5, "layer 'head': 'act' must be a string, not 5"},
        {"kernel", json::object(), "layer 'head': 'kernel' must be an integer from 0 to 64, not {}"},
        {"input", 3, "layer 'head': 'input' must be a layer name or a list of names, not 3"},
        {"weights", json::array(), "layer 'head': 'weights' must be a string, not []"},
    };
    for (const Case& c : cases) {
        json doc = baseSpec();
        doc["layers"][1][c.key] = c.value;
        EXPECT_THAT(problem(doc), HasSubstr(c.expected)) << c.key;
    }
    json pool = baseSpec();
    pool["layers"].push_back({{"name", "pool"}, {"op", "maxpool"}, {"ceil_mode", 1}});
    EXPECT_THAT(problem(pool), HasSubstr("layer 'pool': 'ceil_mode' must be true or false, not 1"));
    json block = baseSpec();
    block["layers"].push_back({{"name", "ir"}, {"op", "inverted_residual"}, {"out", 4}, {"expand", "six"}, {"weights", "m"}});
    EXPECT_THAT(problem(block), HasSubstr("layer 'ir': 'expand' must be a number from 0 to 16384, not \"six\""));

    json name = baseSpec();
    name["name"] = 5;
    EXPECT_THAT(problem(name), HasSubstr("architecture spec 'hostile.json': 'name' must be a string, not 5"));
    json channels = baseSpec();
    channels["input"]["channels"] = "3";
    EXPECT_THAT(problem(channels), HasSubstr("input.channels must be an integer from 1 to 16384, not \"3\""));
    json heads = baseSpec();
    heads["detector"] = "yes";
    EXPECT_THAT(problem(heads), HasSubstr("'detector' must be an object"));
}

TEST(HostileSpecs, SettingsOnOddLayersDoNotThrow)
{
    json doc = baseSpec();
    doc["layers"].push_back({{"name", 7}, {"op", json::array()}});
    auto spec = parseArchSpec(doc.dump(), "odd.json");
    ASSERT_TRUE(spec) << spec.error();
    EXPECT_TRUE(applySpecSetting(*spec, "head.out=8"));
    EXPECT_THAT(applySpecSetting(*spec, "conv[99999999999999999999].out=8").error(), HasSubstr("is too large"));
    EXPECT_THAT(applySpecSetting(*spec, "nothing.out=8").error(), HasSubstr("has no layer or op 'nothing'"));
    // The settings go through the builder's checks like any spec.
    EXPECT_TRUE(applySpecSetting(*spec, "head.out=99999999"));
    auto net = Network::build(*spec);
    ASSERT_FALSE(net);
    EXPECT_THAT(net.error(), HasSubstr("'out' must be an integer from 0 to 16384"));
}

} // namespace
} // namespace rnnpool
