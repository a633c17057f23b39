// rnnpool run: detection on a picture or a prepared tensor.
#include <filesystem>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "engine/annotate.h"
#include "cli/int8_common.h"
#include "cli/run_graph.h"
#include "engine/face_detector.h"
#include "quant/int8_detector.h"
#include "io/npy.h"
#include "util/limits.h"

namespace rnnpool::cli {

namespace {

Tensor withBatch(const Tensor& t)
{
    Tensor out = t;
    Shape s{1};
    s.insert(s.end(), t.shape().begin(), t.shape().end());
    out.reshape(s);
    return out;
}

Status dumpOutputs(const std::filesystem::path& dir, const FrameResult& frame, const Network& net, bool layers)
{
    std::error_code ec;
    std::filesystem::create_directories(dir / (layers ? "layers" : ""), ec);
    if (ec)
        return makeError("cannot create dump folder '" + dir.string() + "': " + ec.message());
    const auto n = static_cast<int64_t>(frame.heads.loc.size());
    if (Status st = writeNpy(dir / "loc.npy", Tensor({1, n}, frame.heads.loc)); !st)
        return st;
    if (Status st = writeNpy(dir / "conf.npy", Tensor({1, static_cast<int64_t>(frame.heads.conf.size())}, frame.heads.conf)); !st)
        return st;
    std::vector<float> rows;
    for (const Detection& d : frame.detections)
        rows.insert(rows.end(), {d.score, d.x1, d.y1, d.x2, d.y2});
    if (Status st = writeNpy(dir / "detections.npy", Tensor({static_cast<int64_t>(frame.detections.size()), 5}, rows)); !st)
        return st;
    if (!layers)
        return Status::ok();
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Tensor& out = frame.run.outputs[i];
        if (out.empty())
            continue;
        if (Status st = writeNpy(dir / "layers" / (net.nodes()[i].name + ".npy"), withBatch(out)); !st)
            return st;
    }
    return Status::ok();
}

} // namespace

int commandRun(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--image", "--tensor", "--size", "--dump", "--threshold", "--rnn-layout", "--annotate", "--dtype", "--pyramid", "--box-vote",
                          "--mean", "--std", "--scale", "--order"},
                         {"--dump-layers", "--json"});
    if (!args.ok())
        return usageError("run", args.error());
    if (!args.positionals().empty())
        return usageError("run", "unexpected argument '" + args.positionals().front() + "'");
    const auto image = args.value("--image");
    const auto tensorPath = args.value("--tensor");
    if (image.has_value() == tensorPath.has_value())
        return usageError("run", "give exactly one of --image IMG or --tensor X.npy");
    if (tensorPath && args.value("--size"))
        return usageError("run", "--size applies to --image only; a tensor has its own size");
    if (args.value("--annotate") && !image)
        return usageError("run", "--annotate draws on a picture; give --image");
    if (args.flag("--dump-layers") && !args.value("--dump"))
        return usageError("run", "--dump-layers needs --dump DIR");

    DetectOptions options;
    if (const auto t = args.value("--threshold")) {
        char* end = nullptr;
        const float v = std::strtof(t->c_str(), &end);
        if (end == t->c_str() || *end != '\0' || !(v >= 0.0f && v <= 1.0f))
            return usageError("run", "--threshold must be a number between 0 and 1, not '" + *t + "'");
        options.scoreThreshold = v;
    }
    if (const auto s = args.value("--size")) {
        const auto size = parseSizeSpec(*s);
        if (!size || size->channels != 0)
            return usageError("run", "--size must be WIDTHxHEIGHT, e.g. 320x240, not '" + *s + "'");
        if (Status st = limits::checkInputSize(size->width, size->height); !st)
            return usageError("run", "--size " + *s + ": " + st.error());
        options.size = Size2{size->width, size->height};
    }
    options.keepLayerOutputs = args.flag("--dump-layers");
    const auto pyramid = pyramidOption(args);
    if (!pyramid)
        return usageError("run", pyramid.error());
    options.pyramidLevels = *pyramid;
    const auto boxVote = boxVoteOption(args);
    if (!boxVote)
        return usageError("run", boxVote.error());
    options.boxVote = *boxVote;

    const auto dtype = parseRunDtype(args);
    if (!dtype)
        return usageError("run", "--dtype must be f32 or i8, not '" + *args.value("--dtype") + "'");

    // The float model, or the int8 network (whose QuantizedModel carries the graph).
    bool usage = false;
    Expected<Model> model = Error{""};
    std::function<Expected<FrameResult>(const cv::Mat&)> detectPicture;
    std::function<Expected<FrameResult>(Tensor)> detectTensor;
    if (*dtype == "i8") {
        auto net = chooseInt8Network(args, usage);
        if (!net)
            return usage ? usageError("run", net.error()) : inputError(net.error());
        Model m;
        m.network = net->get()->model().network;
        m.source = net->get()->model().source + " (int8" + (net->get()->rnnPoolIsInteger() ? "" : "; RNNPool in float until the Q15 kernel is merged") + ")";
        model = std::move(m);
        const auto detector = std::make_shared<Int8Detector>(*net);
        detectPicture = [detector, &options](const cv::Mat& p) { return detector->detect(p, options); };
        detectTensor = [detector, &options](Tensor t) { return detector->detectTensor(std::move(t), options); };
    } else {
        model = chooseModel(args, true, usage);
        if (!model)
            return usage ? usageError("run", model.error()) : inputError(model.error());
        // Classifiers and imported graphs: their outputs by name, no detection.
        if (!model->spec().detector)
            return runGraphModel(args, *model);
        for (const char* graphOnly : {"--mean", "--std", "--scale", "--order"})
            if (args.value(graphOnly))
                return usageError("run", std::string(graphOnly) + " applies to models without a detector; " + model->spec().name +
                                             " uses its own preprocessing (EdgeML's)");
        const auto detector = std::make_shared<FaceDetector>(*model);
        detectPicture = [detector, &options](const cv::Mat& p) { return detector->detect(p, options); };
        detectTensor = [detector, &options](Tensor t) { return detector->detectTensor(std::move(t), options); };
    }

    Expected<FrameResult> frame = Error{""};
    if (image) {
        auto picture = loadPicture(*image);
        if (!picture)
            return inputError(picture.error());
        // One untimed warm-up run first: the first run pays one-time costs
        // (allocation, page faults) that `bench` leaves out too; "ms" is warm.
        (void)detectPicture(*picture);
        frame = detectPicture(*picture);
        if (!frame)
            return inputError("picture '" + *image + "': " + frame.error());
        if (const auto out = args.value("--annotate")) {
            if (Status st = writePicture(*out, drawDetections(*picture, frame->faces)); !st)
                return inputError(st.error());
        }
    } else {
        auto tensor = readNpy(*tensorPath);
        if (!tensor)
            return inputError(tensor.error());
        Tensor t = std::move(*tensor);
        if (t.rank() == 4 && t.dim(0) == 1)
            t.reshape(Shape(t.shape().begin() + 1, t.shape().end()));
        if (t.rank() != 3)
            return inputError("tensor '" + *tensorPath + "': shape " + shapeToString(t.shape()) + " is not (1,C,H,W) or (C,H,W)");
        (void)detectTensor(t); // warm-up, as for a picture
        frame = detectTensor(std::move(t));
        if (!frame)
            return inputError("tensor '" + *tensorPath + "': " + frame.error());
    }

    if (const auto dir = args.value("--dump")) {
        if (Status st = dumpOutputs(*dir, *frame, *model->network, args.flag("--dump-layers")); !st)
            return inputError(st.error());
    }

    const ArchSpec& spec = model->spec();
    if (args.flag("--json")) {
        nlohmann::json out;
        out["model"] = model->source;
        out["dtype"] = *dtype;
        out["arch"] = spec.name;
        out["random_weights"] = model->randomWeights;
        out["notes"] = model->notes;
        out["input"] = {{"width", frame->input.dim(2)}, {"height", frame->input.dim(1)}, {"channels", frame->input.dim(0)}};
        out["original"] = {{"width", frame->original.width}, {"height", frame->original.height}};
        out["threshold"] = options.scoreThreshold;
        out["ms"] = frame->seconds * 1000.0;
        out["pyramid"] = nlohmann::json::array();
        for (const Size2& level : frame->pyramid)
            out["pyramid"].push_back({{"width", level.width}, {"height", level.height}});
        out["detections"] = nlohmann::json::array();
        for (const PixelBox& b : frame->faces)
            out["detections"].push_back({{"score", b.score}, {"x1", b.x1}, {"y1", b.y1}, {"x2", b.x2}, {"y2", b.y2}});
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "model: " << model->source << " (" << spec.name << (model->randomWeights ? ", RANDOM WEIGHTS: boxes are meaningless" : "") << ")\n";
    for (const std::string& note : model->notes)
        std::cout << "note: " << note << "\n";
    std::cout << "input: " << frame->input.dim(2) << "x" << frame->input.dim(1) << "x" << frame->input.dim(0)
              << " from " << frame->original.width << "x" << frame->original.height << ", "
              << formatFloat(frame->seconds * 1000.0, 2) << " ms (after a warm-up run)";
    if (frame->pyramid.size() > 1) {
        std::cout << " (pyramid of " << frame->pyramid.size() << " levels:";
        for (const Size2& level : frame->pyramid)
            std::cout << " " << level.width << "x" << level.height;
        std::cout << ")";
    }
    std::cout << "\n";
    std::cout << frame->faces.size() << " face(s) with score >= " << formatFloat(options.scoreThreshold, 2)
              << " (of " << frame->detections.size() << " after NMS)\n";
    if (!frame->faces.empty())
        std::cout << "  score      x1      y1      x2      y2\n";
    for (const PixelBox& b : frame->faces)
        std::cout << "  " << formatFloat(b.score, 3) << "  " << formatFloat(b.x1, 1) << "  " << formatFloat(b.y1, 1) << "  "
                  << formatFloat(b.x2, 1) << "  " << formatFloat(b.y2, 1) << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
