#include "quant/calibration.h"

#include <algorithm>
#include <cmath>

#include "engine/preprocess.h"
#include "ops/conv2d.h"
#include "video/frame_source.h"

namespace rnnpool {

namespace {

constexpr size_t kMaxSamples = size_t{1} << 20; // per tensor, over all pictures

// A strided sample of every value a tensor takes, plus its exact extremes.
struct TensorStats {
    float lo = INFINITY, hi = -INFINITY;
    std::vector<float> samples;
    std::vector<double> channelSum;
    std::vector<float> channelLo, channelHi;
    int64_t channelCount = 0;
    void add(const Tensor& t, int64_t stride)
    {
        const float* d = t.data();
        const int64_t plane = t.dim(1) * t.dim(2);
        channelSum.resize(static_cast<size_t>(t.dim(0)), 0.0);
        channelLo.resize(static_cast<size_t>(t.dim(0)), INFINITY);
        channelHi.resize(static_cast<size_t>(t.dim(0)), -INFINITY);
        for (int64_t c = 0; c < t.dim(0); ++c)
            for (int64_t i = 0; i < plane; ++i) {
                const float v = d[c * plane + i];
                channelSum[static_cast<size_t>(c)] += static_cast<double>(v);
                channelLo[static_cast<size_t>(c)] = std::min(channelLo[static_cast<size_t>(c)], v);
                channelHi[static_cast<size_t>(c)] = std::max(channelHi[static_cast<size_t>(c)], v);
            }
        channelCount += plane;
        for (int64_t i = 0; i < t.numel(); ++i) {
            lo = std::min(lo, d[i]);
            hi = std::max(hi, d[i]);
        }
        for (int64_t i = 0; i < t.numel() && samples.size() < kMaxSamples; i += stride)
            samples.push_back(d[i]);
    }
    std::pair<float, float> range(RangeMethod method, double percentile)
    {
        if (method == RangeMethod::MinMax || samples.empty())
            return {lo, hi};
        if (method == RangeMethod::Mse)
            return mseRange();
        const auto at = [&](double p) {
            const auto k = static_cast<size_t>(std::llround(p / 100.0 * static_cast<double>(samples.size() - 1)));
            std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end());
            return samples[k];
        };
        return {at(100.0 - percentile), at(percentile)};
    }
    std::vector<float> means() const
    {
        std::vector<float> m;
        for (double v : channelSum)
            m.push_back(static_cast<float>(v / static_cast<double>(std::max<int64_t>(1, channelCount))));
        return m;
    }
    std::pair<float, float> mseRange() const
    {
        double bestError = INFINITY;
        std::pair<float, float> best{lo, hi};
        for (int k = 50; k >= 1; --k) {
            const float f = static_cast<float>(k) / 50.0f;
            const ActivationQuant q = activationQuant(lo * f, hi * f);
            double error = 0.0;
            const size_t step = std::max<size_t>(1, samples.size() / 262144);
            for (size_t i = 0; i < samples.size(); i += step) {
                const float v = samples[i];
                const double e = static_cast<double>(q.dequantize(q.quantize(v)) - v);
                error += e * e;
            }
            if (error < bestError) {
                bestError = error;
                best = {lo * f, hi * f};
            }
        }
        return best;
    }
};

// The input patches of a small plain convolution (its weights' layout: input
// channel, then kernel row and column; zero padding), summed and multiplied out.
struct PatchStats {
    const Conv2dParams* conv = nullptr;
    int64_t count = 0;
    std::vector<double> sum, outer; // n sums, n x n products (upper triangle)
    int64_t fanIn() const { return conv->inChannels * conv->kernelH * conv->kernelW; }
    void add(const Tensor& in)
    {
        const Conv2dParams& c = *conv;
        const int64_t n = fanIn();
        sum.resize(static_cast<size_t>(n), 0.0);
        outer.resize(static_cast<size_t>(n * n), 0.0);
        const int64_t h = in.dim(1), w = in.dim(2);
        const int64_t outH = (h + 2 * c.padH - c.kernelH) / c.strideH + 1, outW = (w + 2 * c.padW - c.kernelW) / c.strideW + 1;
        std::vector<double> patch(static_cast<size_t>(n));
        for (int64_t oy = 0; oy < outH; ++oy)
            for (int64_t ox = 0; ox < outW; ++ox) {
                size_t k = 0;
                for (int64_t ch = 0; ch < c.inChannels; ++ch)
                    for (int64_t ky = 0; ky < c.kernelH; ++ky)
                        for (int64_t kx = 0; kx < c.kernelW; ++kx, ++k) {
                            const int64_t y = oy * c.strideH - c.padH + ky, x = ox * c.strideW - c.padW + kx;
                            patch[k] = y < 0 || y >= h || x < 0 || x >= w ? 0.0 : static_cast<double>(in.at(ch, y, x));
                        }
                for (int64_t a = 0; a < n; ++a) {
                    const double pa = patch[static_cast<size_t>(a)];
                    sum[static_cast<size_t>(a)] += pa;
                    for (int64_t b = a; b < n; ++b)
                        outer[static_cast<size_t>(a * n + b)] += pa * patch[static_cast<size_t>(b)];
                }
            }
        count += outH * outW;
    }
    std::vector<double> covariance() const
    {
        if (count == 0)
            return {};
        const int64_t n = fanIn();
        const auto m = static_cast<double>(count);
        std::vector<double> cov(static_cast<size_t>(n * n));
        for (int64_t a = 0; a < n; ++a)
            for (int64_t b = 0; b < n; ++b)
                cov[static_cast<size_t>(a * n + b)] = outer[static_cast<size_t>(std::min(a, b) * n + std::max(a, b))] / m -
                                                      (sum[static_cast<size_t>(a)] / m) * (sum[static_cast<size_t>(b)] / m);
        return cov;
    }
};

void collectPictures(const std::filesystem::path& dir, std::vector<std::filesystem::path>& out)
{
    std::vector<std::filesystem::path> subfolders;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.is_directory(ec))
            subfolders.push_back(entry.path());
    for (const auto& p : picturesInFolder(dir))
        out.push_back(p);
    std::sort(subfolders.begin(), subfolders.end());
    for (const auto& sub : subfolders)
        collectPictures(sub, out);
}

} // namespace

std::filesystem::path samplesDir()
{
    return std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples";
}

Expected<std::vector<std::filesystem::path>> calibrationPictures(const CalibrationOptions& options)
{
    std::vector<std::filesystem::path> pictures;
    if (options.includeSamples)
        collectPictures(samplesDir(), pictures);
    for (const auto& folder : options.folders) {
        std::error_code ec;
        if (!std::filesystem::is_directory(folder, ec))
            return makeError("calibration folder '" + folder.string() + "': no such folder");
        const size_t before = pictures.size();
        collectPictures(folder, pictures);
        if (pictures.size() == before)
            return makeError("calibration folder '" + folder.string() + "': it holds no picture (.png, .jpg, ...)");
    }
    if (options.limit && static_cast<size_t>(*options.limit) < pictures.size())
        pictures.resize(static_cast<size_t>(*options.limit));
    if (pictures.empty())
        return makeError("calibration: no pictures to calibrate on");
    return pictures;
}

Expected<ActivationRanges> calibrate(const Model& model, const CalibrationOptions& options)
{
    auto pictures = calibrationPictures(options);
    if (!pictures)
        return std::move(pictures).takeError();
    const ArchSpec& spec = model.spec();
    Size2 area{spec.defaultWidth, spec.defaultHeight};
    if (spec.detector)
        area = {spec.detector->areaWidth, spec.detector->areaHeight};
    const Network& net = *model.network;
    std::vector<TensorStats> stats(net.nodes().size() + 1); // [0]: the input
    std::vector<PatchStats> patches(net.nodes().size());
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        if (node.op->kind() != "conv2d")
            continue;
        const Conv2dParams& c = static_cast<const Conv2d&>(*node.op).params();
        if (c.groups == 1 && c.plainGeometry() && c.inChannels * c.kernelH * c.kernelW <= kMaxRoundedFanIn)
            patches[i].conv = &c;
    }
    int used = 0;
    std::vector<std::string> unreadable;
    const auto perTensorStride = [&](int64_t numel) {
        const auto total = static_cast<double>(numel) * static_cast<double>(pictures->size());
        return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(total / static_cast<double>(kMaxSamples))));
    };
    for (const auto& path : *pictures) {
        auto picture = loadPicture(path);
        if (!picture) {
            unreadable.push_back(path.string());
            continue;
        }
        auto input = prepareInput(*picture, spec.inputChannels, area, std::nullopt);
        if (!input)
            return makeError("calibration picture '" + path.string() + "': " + input.error());
        RunOptions run;
        run.keepAllOutputs = true;
        auto result = net.run(input->tensor, run);
        if (!result)
            return makeError("calibration picture '" + path.string() + "': " + result.error());
        stats[0].add(input->tensor, perTensorStride(input->tensor.numel()));
        for (size_t i = 0; i < net.nodes().size(); ++i) {
            stats[i + 1].add(result->outputs[i], perTensorStride(result->outputs[i].numel()));
            if (patches[i].conv) {
                const int src = net.nodes()[i].inputs[0];
                patches[i].add(src == kNetworkInput ? input->tensor : result->outputs[static_cast<size_t>(src)]);
            }
        }
        ++used;
    }
    if (used == 0)
        return makeError("calibration: none of the " + std::to_string(pictures->size()) + " picture(s) could be read (first: '" +
                         unreadable.front() + "')");
    ActivationRanges r;
    r.pictures = used;
    std::tie(r.inputLo, r.inputHi) = stats[0].range(options.method, options.percentile);
    r.inputChannelMean = stats[0].means();
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const auto [lo, hi] = stats[i + 1].range(options.method, options.percentile);
        r.lo.push_back(lo);
        r.hi.push_back(hi);
        r.channelMean.push_back(stats[i + 1].means());
        r.channelLo.push_back(stats[i + 1].channelLo);
        r.channelHi.push_back(stats[i + 1].channelHi);
        r.patchCovariance.push_back(patches[i].conv ? patches[i].covariance() : std::vector<double>{});
    }
    char pct[32];
    std::snprintf(pct, sizeof pct, "%g", options.percentile);
    const std::string name = options.method == RangeMethod::MinMax ? std::string("min/max")
                           : options.method == RangeMethod::Mse    ? std::string("least squared error clip of min/max")
                                                                   : "percentile " + std::string(pct);
    r.method = name + " over " +
               std::to_string(used) + " picture(s)";
    return r;
}

} // namespace rnnpool
