// The int8 engine end to end: the default model quantised (calibrated on the
// bundled samples) against the float engine, head by head, with SQNR floors;
// the int8 file's round trip and its refusal of bad scales.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/preprocess.h"
#include "model/default_model.h"
#include "quant/calibration.h"
#include "quant/int8_arena.h"
#include "integer/requantize.h"
#include "integer/rnnpool_q15.h"
#include "quant/int8_network.h"
#include "quant/int8_prepared.h"
#include "quant/int8_trace.h"
#include "quant/quantized_file.h"

namespace rnnpool {
namespace {

struct Fixture {
    Model model;
    std::shared_ptr<const QuantizedModel> quantized;
    std::unique_ptr<Int8Network> int8;
};

const Fixture& fixture()
{
    static Fixture f = [] {
        Fixture x;
        auto m = loadDefaultModel();
        EXPECT_TRUE(m) << m.error();
        x.model = *m;
        CalibrationOptions options; // resources/samples, the default method
        auto ranges = calibrate(x.model, options);
        EXPECT_TRUE(ranges) << ranges.error();
        auto q = quantizeModel(x.model, *ranges);
        EXPECT_TRUE(q) << q.error();
        x.quantized = std::make_shared<const QuantizedModel>(std::move(*q));
        auto net = Int8Network::create(x.quantized);
        EXPECT_TRUE(net) << net.error();
        x.int8 = std::make_unique<Int8Network>(std::move(*net));
        return x;
    }();
    return f;
}

Tensor samplePicture()
{
    auto picture = loadPicture(samplesDir() / "grace_hopper.jpg");
    EXPECT_TRUE(picture) << picture.error();
    auto in = prepareInput(*picture, 1, {320, 240}, Size2{320, 240});
    EXPECT_TRUE(in) << in.error();
    return in->tensor;
}

double sqnrDb(const Tensor& reference, const Tensor& test)
{
    double s = 0.0, n = 0.0;
    for (int64_t i = 0; i < reference.numel(); ++i) {
        const double e = static_cast<double>(test.data()[i]) - reference.data()[i];
        s += static_cast<double>(reference.data()[i]) * reference.data()[i];
        n += e * e;
    }
    return 10.0 * std::log10(s / n);
}

// The stem (one grey channel, 3x3: nine weights an output) is rounded against
// its input patches' covariance, not to the nearest level: each weight moves at
// most one level, no other layer changes, and the stem's output on the sample
// picture is markedly closer to float (`rnnpool quant-report`, the shipped
// twin on the two samples: stem 35.5 dB with nearest rounding, 38.8 dB now).
TEST(Int8Network, TheStemsWeightsAreRoundedAgainstItsInputPatches)
{
    const Fixture& f = fixture();
    const Network& net = *f.model.network;
    CalibrationOptions options;
    auto ranges = calibrate(f.model, options);
    ASSERT_TRUE(ranges) << ranges.error();
    const int stem = net.findLayer("stem");
    ASSERT_GE(stem, 0);
    ASSERT_EQ(ranges->patchCovariance[static_cast<size_t>(stem)].size(), 81u);
    ActivationRanges nearestRanges = *ranges;
    nearestRanges.patchCovariance.clear();
    auto nearest = quantizeModel(f.model, nearestRanges);
    ASSERT_TRUE(nearest) << nearest.error();
    int moved = 0;
    for (size_t n = 0; n < net.nodes().size(); ++n) {
        const auto& a = f.quantized->nodes[n].weight;
        const auto& b = nearest->nodes[n].weight;
        ASSERT_EQ(a.size(), b.size());
        for (size_t k = 0; k < a.size(); ++k) {
            if (static_cast<int>(n) != stem) {
                ASSERT_EQ(a[k], b[k]) << net.nodes()[n].name << " weight " << k;
                continue;
            }
            EXPECT_LE(std::abs(int{a[k]} - int{b[k]}), 1) << "stem weight " << k;
            moved += a[k] != b[k];
        }
    }
    EXPECT_GT(moved, 0);
    auto nearestNet = Int8Network::create(std::make_shared<const QuantizedModel>(std::move(*nearest)));
    ASSERT_TRUE(nearestNet) << nearestNet.error();
    const Tensor input = samplePicture();
    RunOptions opts;
    opts.keepAllOutputs = true;
    auto ref = net.run(input, opts);
    ASSERT_TRUE(ref) << ref.error();
    auto run = f.int8->run(input);
    auto runNearest = nearestNet->run(input);
    ASSERT_TRUE(run && runNearest);
    const Tensor& floatStem = ref->outputs[static_cast<size_t>(stem)];
    const double covariance = sqnrDb(floatStem, f.int8->dequantize(*run, stem));
    const double nearestDb = sqnrDb(floatStem, nearestNet->dequantize(*runNearest, stem));
    EXPECT_GT(covariance, nearestDb + 2.0) << "covariance rounding " << covariance << " dB, nearest " << nearestDb << " dB";
}

// RNNPool's 64 outputs sit at 0.5-0.7 with spreads of about 0.03: each channel
// is quantised on its own calibrated range, not widened to 0 (which made its
// step several times coarser, and its rounding the largest error block0 saw).
TEST(Int8Network, RnnPoolsChannelsKeepTheirOwnRanges)
{
    const Fixture& f = fixture();
    const int pool = f.model.network->findLayer("rnnpool");
    const NodeQuant& nq = f.quantized->nodes[static_cast<size_t>(pool)];
    ASSERT_EQ(nq.channelScale.size(), 64u);
    int outsideInt8 = 0;
    for (size_t c = 0; c < nq.channelScale.size(); ++c) {
        outsideInt8 += nq.channelZeroPoint[c] < -128 || nq.channelZeroPoint[c] > 127;
        EXPECT_LT(nq.channelScale[c], 0.45f / 255.0f) << "channel " << c; // every channel spans less than 0.45
    }
    EXPECT_GT(outsideInt8, 48);
    // What it buys (RNNPool's and block0.expand's SQNR) is held by EveryHeadIsCloseToTheFloatEngine.
}

TEST(Int8Network, RunsRnnPoolInIntegers)
{
    EXPECT_TRUE(fixture().int8->rnnPoolIsInteger());
}

// Floors: what `rnnpool quant-report --images <this picture alone>` measures
// for a samples-calibrated model (RNNPool 61.1 dB, loc heads 25.9-29.2 dB,
// conf heads 34.1-38.8 dB) less about 2 dB, except the loc heads' floor, which
// is the goal of 25 dB (README, "Accuracy, float32 vs int8").
TEST(Int8Network, EveryHeadIsCloseToTheFloatEngine)
{
    const Fixture& f = fixture();
    const Tensor input = samplePicture();
    RunOptions opts;
    opts.keepAllOutputs = true;
    auto ref = f.model.network->run(input, opts);
    ASSERT_TRUE(ref) << ref.error();
    auto run = f.int8->run(input);
    ASSERT_TRUE(run) << run.error();
    const Network& net = *f.model.network;
    // With RNNPool's channel ranges widened to 0 these were 56.3 and 31.5 dB (the shipped twin, quant-report).
    const int pool = net.findLayer("rnnpool"), expand = net.findLayer("block0.expand");
    EXPECT_GT(sqnrDb(ref->outputs[static_cast<size_t>(pool)], f.int8->dequantize(*run, pool)), 59.0);       // 61.1 measured
    EXPECT_GT(sqnrDb(ref->outputs[static_cast<size_t>(expand)], f.int8->dequantize(*run, expand)), 33.0);   // 34.4 measured
    for (const auto& [loc, conf] : net.heads()) {
        const double sLoc = sqnrDb(ref->outputs[static_cast<size_t>(loc)], f.int8->dequantize(*run, loc));
        const double sConf = sqnrDb(ref->outputs[static_cast<size_t>(conf)], f.int8->dequantize(*run, conf));
        EXPECT_GT(sLoc, 25.0) << net.nodes()[static_cast<size_t>(loc)].name; // the goal; lowest measured 25.9
        EXPECT_GT(sConf, 32.0) << net.nodes()[static_cast<size_t>(conf)].name;
    }
    // The heads come out in EdgeML's H,W,C order, as collectHeads gives float's.
    const HeadOutputs a = collectHeads(net, *ref), b = f.int8->heads(*run);
    ASSERT_EQ(a.loc.size(), b.loc.size());
    ASSERT_EQ(a.conf.size(), b.conf.size());
    EXPECT_EQ(a.featureMaps, b.featureMaps);
    double s = 0.0, n = 0.0;
    for (size_t i = 0; i < a.conf.size(); ++i) {
        s += double(a.conf[i]) * a.conf[i];
        n += double(a.conf[i] - b.conf[i]) * (a.conf[i] - b.conf[i]);
    }
    EXPECT_GT(10.0 * std::log10(s / n), 25.0);
}

TEST(Int8Network, QuantisedFileRoundTripsBitForBit)
{
    const Fixture& f = fixture();
    const auto path = std::filesystem::temp_directory_path() / ("int8_roundtrip_" + std::to_string(::getpid()) + ".safetensors");
    ASSERT_TRUE(saveQuantizedModel(*f.quantized, path));
    EXPECT_TRUE(isQuantizedModelFile(path));
    auto back = loadQuantizedModel(path);
    ASSERT_TRUE(back) << back.error();
    for (size_t i = 0; i < back->nodes.size(); ++i) {
        EXPECT_EQ(back->nodes[i].weight, f.quantized->nodes[i].weight);
        EXPECT_EQ(back->nodes[i].bias, f.quantized->nodes[i].bias);
        EXPECT_EQ(back->nodes[i].output.scale, f.quantized->nodes[i].output.scale);
        EXPECT_EQ(back->nodes[i].output.zeroPoint, f.quantized->nodes[i].output.zeroPoint);
    }
    auto net = Int8Network::create(std::make_shared<const QuantizedModel>(std::move(*back)));
    ASSERT_TRUE(net) << net.error();
    const Tensor input = samplePicture();
    auto a = f.int8->run(input), b = net->run(input);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->maps, b->maps);
    std::filesystem::remove(path);
}

// Rewrites the first value of one F32 (or I32) tensor of a saved file in place.
template <typename T>
void patchScale(const std::filesystem::path& path, const std::string& key, T value)
{
    static_assert(sizeof(T) == 4);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    uint64_t length = 0;
    file.read(reinterpret_cast<char*>(&length), 8);
    std::string header(length, ' ');
    file.read(header.data(), static_cast<std::streamsize>(length));
    const auto json = nlohmann::json::parse(header);
    const auto offset = json.at(key).at("data_offsets")[0].get<uint64_t>();
    file.seekp(static_cast<std::streamoff>(8 + length + offset));
    file.write(reinterpret_cast<const char*>(&value), 4);
}

TEST(Int8Network, BadScalesAreRefusedByFileAndField)
{
    const Fixture& f = fixture();
    const auto dir = std::filesystem::temp_directory_path() / ("int8_bad_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto good = dir / "good.safetensors";
    ASSERT_TRUE(saveQuantizedModel(*f.quantized, good));
    const std::vector<std::pair<std::string, float>> cases{
        {"stem.scale", 0.0f}, {"block0.expand.weight_scale", -1.0f}, {"head0.loc.scale", std::nanf("")}, {"input.scale", INFINITY}};
    for (const auto& [key, value] : cases) {
        const auto bad = dir / "bad.safetensors";
        std::filesystem::copy_file(good, bad, std::filesystem::copy_options::overwrite_existing);
        patchScale(bad, key, value);
        auto loaded = loadQuantizedModel(bad);
        ASSERT_FALSE(loaded) << key;
        EXPECT_NE(loaded.error().find("bad.safetensors"), std::string::npos) << loaded.error();
        EXPECT_NE(loaded.error().find(key), std::string::npos) << loaded.error();
    }
    // RNNPool's per-channel zero points may leave int8 (its channels lie far from 0), not +-32767.
    {
        const auto bad = dir / "bad.safetensors";
        std::filesystem::copy_file(good, bad, std::filesystem::copy_options::overwrite_existing);
        patchScale(bad, "rnnpool.channel_zero_point", int32_t{-40000});
        auto loaded = loadQuantizedModel(bad);
        ASSERT_FALSE(loaded);
        EXPECT_NE(loaded.error().find("rnnpool.channel_zero_point"), std::string::npos) << loaded.error();
        EXPECT_NE(loaded.error().find("-40000"), std::string::npos) << loaded.error();
    }
    // A float model file is not an int8 model.
    auto notInt8 = loadQuantizedModel(defaultModelPath());
    ASSERT_FALSE(notInt8);
    EXPECT_NE(notInt8.error().find("not an int8 model"), std::string::npos) << notInt8.error();
    std::filesystem::remove_all(dir);
}

TEST(Int8Network, MissingFieldIsNamed)
{
    const Fixture& f = fixture();
    QuantizedModel copy = *f.quantized;
    const auto path = std::filesystem::temp_directory_path() / ("int8_missing_" + std::to_string(::getpid()) + ".safetensors");
    ASSERT_TRUE(saveQuantizedModel(copy, path));
    // Drop "source1.gamma" by renaming its key in the header (same length keeps offsets valid).
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    uint64_t length = 0;
    file.read(reinterpret_cast<char*>(&length), 8);
    std::string header(length, ' ');
    file.read(header.data(), static_cast<std::streamsize>(length));
    const size_t at = header.find("\"source1.gamma\"");
    ASSERT_NE(at, std::string::npos);
    header.replace(at, 15, "\"source1.gammx\"");
    file.seekp(8);
    file.write(header.data(), static_cast<std::streamsize>(header.size()));
    file.close();
    auto loaded = loadQuantizedModel(path);
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("missing field 'source1.gamma'"), std::string::npos) << loaded.error();
    std::filesystem::remove(path);
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// The int8 engine in a metered arena (profile --execute --dtype i8): under
// each schedule (layerwise layers; paper and rowstream with the streaming
// integer kernels, the picture in a ring of rows under rowstream) the bytes
// in use peak exactly where the plan says, with and without the picture
// counted, and the heads computed there equal the plain engine's bit for bit
// (the arena is poisoned, buffers overlap as planned); under linebuffer every
// unit a row at a time from line buffers.
TEST(Int8Arena, MeasuredPeakEqualsThePlanAndTheHeadsEqualThePlainEngine)
{
    const Fixture& f = fixture();
    const Tensor picture = samplePicture();
    const std::vector<int8_t> inputHwc = quantizeInputHwc(picture, f.quantized->input);
    auto plain = f.int8->run(picture);
    ASSERT_TRUE(plain) << plain.error();
    const Network& net = *f.quantized->network;
    std::map<std::string, int64_t> peaks;
    for (const char* name : {"layerwise", "paper", "rowstream", "linebuffer"})
        for (const bool countInput : {false, true}) {
            auto schedule = scheduleByName(net, name);
            ASSERT_TRUE(schedule) << schedule.error();
            auto timeline = buildTimeline(net, *schedule, picture.shape(), {ElementType::I8, countInput});
            ASSERT_TRUE(timeline) << timeline.error();
            const MemoryPlan plan = planGreedyBySize(bufferRequests(*timeline));
            auto run = runInt8InArena(*f.int8, *schedule, *timeline, plan, inputHwc, picture.shape());
            ASSERT_TRUE(run) << name << ": " << run.error();
            EXPECT_TRUE(run->violations.empty()) << run->violations.front();
            EXPECT_EQ(run->highWaterBytes, timeline->peakBytes) << name << ", count input " << countInput;
            EXPECT_LE(run->highestByte, plan.arenaBytes);
            peaks[std::string(name) + (countInput ? "+input" : "")] = run->highWaterBytes;
            int heads = 0;
            for (const auto& [loc, conf] : net.heads())
                for (int node : {loc, conf}) {
                    ASSERT_FALSE(run->maps[static_cast<size_t>(node)].empty()) << net.nodes()[static_cast<size_t>(node)].name;
                    EXPECT_EQ(run->maps[static_cast<size_t>(node)], plain->maps[static_cast<size_t>(node)])
                        << name << " " << net.nodes()[static_cast<size_t>(node)].name;
                    ++heads;
                }
            EXPECT_EQ(heads, 8);
        }
    // The goal: RNNPool-Face-M4 in int8 under rowstream, picture counted, at most 120 KiB.
    EXPECT_LE(peaks["rowstream+input"], 120 * 1024);
    EXPECT_LT(peaks["rowstream+input"], peaks["paper+input"]);
    // Every unit line-buffered: below rowstream (only the heads' maps whole);
    // the moonshot, 64 KiB with every stage line-buffered.
    EXPECT_LT(peaks["linebuffer+input"], peaks["rowstream+input"]);
    EXPECT_LE(peaks["linebuffer+input"], 64 * 1024);
    EXPECT_LT(peaks["paper"], peaks["layerwise"]);
}

// A unit with no int8 streaming kernel is refused with the reason, not run as layers.
TEST(Int8Arena, RefusesUnitsWithoutAnIntegerStreamingKernel)
{
    const Fixture& f = fixture();
    const Network& net = *f.quantized->network;
    Schedule schedule = paperSchedule(net);
    schedule.units.back().kind = ScheduleUnit::Kind::PointwisePool; // as a classifier's 1x1 + global pool would be
    auto timeline = buildTimeline(net, layerwiseSchedule(net), {1, 240, 320}, {ElementType::I8, false});
    ASSERT_TRUE(timeline) << timeline.error();
    auto refused = runInt8InArena(*f.int8, schedule, *timeline, planGreedyBySize(bufferRequests(*timeline)),
                                  std::vector<int8_t>(240 * 320), {1, 240, 320});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("no int8 streaming kernel"), std::string::npos) << refused.error();
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// The Q15 trace of a patch ends in the very values the int8 engine wrote for
// that patch (its final RNN2 states, requantised as the map kernel does), and
// stays near the float RNNPool run on the same (dequantised int8) input.
TEST(Int8Trace, TheQ15StatesEndInTheEnginesOutputAndStayNearTheFloatOnes)
{
    const Int8Network& net = *fixture().int8;
    const Network& graph = *net.model().network;
    const int node = graph.findLayer("rnnpool");
    ASSERT_GE(node, 0);
    auto run = net.run(samplePicture());
    ASSERT_TRUE(run) << run.error();
    const int source = graph.nodes()[static_cast<size_t>(node)].inputs.front();
    const Tensor input = net.dequantize(*run, source);
    const Shape& out = run->shapes[static_cast<size_t>(node)];
    const auto* op = dynamic_cast<const RnnPool*>(graph.nodes()[static_cast<size_t>(node)].op.get());
    ASSERT_NE(op, nullptr);
    const rp_rnnpool_s8q15_config& cfg = net.prepared(static_cast<size_t>(node)).rnnpool.config();
    const RnnPoolInt8& pool = net.prepared(static_cast<size_t>(node)).rnnpool;
    const int64_t gh = (input.dim(1) - cfg.patch) / cfg.stride + 1, gw = (input.dim(2) - cfg.patch) / cfg.stride + 1;
    float worst = 0.0f;
    for (const auto& [row, col] : {std::pair<int64_t, int64_t>{0, 0}, {gh / 2, gw / 3}, {gh - 1, gw - 1}}) {
        auto q15 = traceRnnPoolPatchInt8(net, node, input, row, col);
        ASSERT_TRUE(q15) << q15.error();
        const int64_t outs = 4 * cfg.rnn2_forward.hidden_dims;
        for (int64_t o = 0; o < outs; ++o) {
            const int32_t frac = (o / cfg.rnn2_forward.hidden_dims) % 2 ? cfg.rnn2_backward.h_frac_bits : cfg.rnn2_forward.h_frac_bits;
            const auto v = static_cast<int16_t>(std::lround(std::ldexp(q15->output.data()[o], frac)));
            const int8_t expected = run->maps[static_cast<size_t>(node)][static_cast<size_t>((row * out[2] + col) * outs + o)];
            const int8_t requant = pool.channelMultiplier().empty()
                                       ? rp_rnnpool_s8q15_requant(&cfg, v)
                                       : rp_output_s8(v, pool.channelMultiplier()[static_cast<size_t>(o)],
                                                      pool.channelShift()[static_cast<size_t>(o)],
                                                      pool.channelZeroPoint()[static_cast<size_t>(o)], -128, 127);
            ASSERT_EQ(requant, expected) << "patch (" << row << ", " << col << "), output " << o;
        }
        auto f32 = op->trace(input, row, col);
        ASSERT_TRUE(f32) << f32.error();
        auto diff = traceDifference(*q15, *f32);
        ASSERT_TRUE(diff) << diff.error();
        for (const Tensor* t : {&diff->rowSweeps, &diff->colSweeps, &diff->rowsForward, &diff->colsBackward, &diff->output})
            for (int64_t i = 0; i < t->numel(); ++i)
                worst = std::max(worst, std::abs(t->data()[i]));
    }
    // Q15 cells with integer sigmoid and tanh: hidden states (in -1..1) within
    // 0.005 of float on the same input (measured on this picture: 0.00031).
    EXPECT_LT(worst, 0.005f);
    EXPECT_GT(worst, 0.0f) << "a difference of exactly zero means the float path ran twice";
    auto a = traceRnnPoolPatchInt8(net, node, input, 0, 0), b = traceRnnPoolPatchInt8(net, node, input, 0, 1);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(traceDifference(*a, *b)) << "traces of two patches are not subtracted";
    EXPECT_FALSE(traceRnnPoolPatchInt8(net, node, input, gh, 0)) << "a patch outside the grid is refused";
    EXPECT_FALSE(traceRnnPoolPatchInt8(net, 0, input, 0, 0)) << "the stem is not an RNNPool";
}

} // namespace
} // namespace rnnpool
