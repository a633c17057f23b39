// The default model with its default settings (the image pyramid) where a
// webcam user sits: the bundled portraits give one box per face, close to a
// box drawn by hand, and a recorded video of a face moving toward and away
// from the camera has the face found in at least 95% of its frames. Both in
// float32 and with the shipped int8 twin (its pyramid halved in int8).
#include <cmath>
#include <functional>
#include <string>
#include <iostream>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "engine/face_detector.h"
#include "engine/image_pyramid.h"
#include "model/default_model.h"
#include "quant/int8_detector.h"
#include "quant/quantized_file.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

struct Portrait {
    const char* file;
    Detection face; // drawn by hand in the picture's pixels: brow (or hat brim) to chin, cheek to cheek
};

// Boxes read off the pictures enlarged 2-2.5 times under a 10-pixel grid. Grace Hopper's brow is
// hidden by her cap; her box starts at its brim.
const Portrait kGraceHopper{"grace_hopper.jpg", {1.0f, 165, 140, 355, 328}};
const Portrait kAstronaut{"astronaut.png", {1.0f, 177, 74, 269, 180}};

std::filesystem::path sample(const char* file) { return std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / file; }

Detection toDetection(const PixelBox& b) { return {b.score, b.x1, b.y1, b.x2, b.y2}; }

FaceDetector defaultDetector()
{
    auto model = loadDefaultModel();
    EXPECT_TRUE(model) << model.error();
    EXPECT_FALSE(model->randomWeights) << "resources/models/rnnpool_face_m4.safetensors is missing";
    return FaceDetector(std::move(*model));
}

TEST(WebcamDetection, TheDefaultModelRunsThePyramidAndEdgeMlCheckpointsDoNot)
{
    const FaceDetector detector = defaultDetector();
    EXPECT_EQ(defaultPyramidLevels(detector.model()), kWebcamPyramidLevels);
    auto random = randomModel(kDefaultArchitecture, 1);
    ASSERT_TRUE(random);
    EXPECT_EQ(defaultPyramidLevels(*random), 1);
    auto picture = loadPicture(sample(kGraceHopper.file));
    ASSERT_TRUE(picture);
    auto frame = detector.detect(*picture, {});
    ASSERT_TRUE(frame) << frame.error();
    ASSERT_EQ(frame->pyramid.size(), 3u);
    EXPECT_EQ(frame->pyramid[1].width, frame->pyramid[0].width / 2);
    EXPECT_GT(frame->seconds, frame->run.totalSeconds);
}

// The default pyramid a model declares once saved to `file` and loaded back
// (float or int8: `save` and `load` are that type's file functions).
template <typename M, typename Save, typename Load>
Expected<int> levelsAfterSaving(const M& model, const std::filesystem::path& file, Save save, Load load)
{
    if (Status saved = save(model, file); !saved)
        return makeError(saved.error());
    auto back = load(file);
    if (!back)
        return makeError(back.error());
    return defaultPyramidLevels(*back);
}

const auto saveFloat = [](const Model& m, const std::filesystem::path& f) { return saveModel(m, f); };
const auto loadFloat = [](const std::filesystem::path& f) { return loadModel(f); };
const auto saveInt8 = [](const QuantizedModel& m, const std::filesystem::path& f) { return saveQuantizedModel(m, f); };
const auto loadInt8 = [](const std::filesystem::path& f) { return loadQuantizedModel(f); };

// The default pyramid is the model file's own declaration (metadata
// rnnpool.pyramid_levels), not a property of where the file lies.
TEST(WebcamDetection, ThePyramidTravelsWithTheModelFile)
{
    const auto dir = std::filesystem::temp_directory_path() / ("rnnpool_pyramid_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto copy = dir / "my_face_model.safetensors";
    std::filesystem::copy_file(defaultModelPath(), copy, std::filesystem::copy_options::overwrite_existing);
    auto model = loadModel(copy);
    ASSERT_TRUE(model) << model.error();
    EXPECT_EQ(defaultPyramidLevels(*model), kWebcamPyramidLevels); // a copy runs as the original

    // `rnnpool convert` (saveModel) keeps the declaration, and writes a changed one.
    auto converted = levelsAfterSaving(*model, dir / "converted.safetensors", saveFloat, loadFloat);
    ASSERT_TRUE(converted) << converted.error();
    EXPECT_EQ(*converted, kWebcamPyramidLevels);
    model->pyramidLevels = 1;
    auto one = levelsAfterSaving(*model, dir / "one.safetensors", saveFloat, loadFloat);
    ASSERT_TRUE(one) << one.error();
    EXPECT_EQ(*one, 1);
    // A declaration the engine cannot run is refused at load, naming the file and the field.
    for (int bad : {0, 5}) {
        model->pyramidLevels = bad;
        const auto path = dir / ("bad" + std::to_string(bad) + ".safetensors");
        ASSERT_TRUE(saveModel(*model, path));
        auto refused = loadModel(path);
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().find(path.string()), std::string::npos) << refused.error();
        EXPECT_NE(refused.error().find("rnnpool.pyramid_levels"), std::string::npos) << refused.error();
    }
    std::filesystem::remove_all(dir);

    // EdgeML's own checkpoints declare nothing: the input alone, as their eval.py runs them.
    RNNPOOL_REQUIRE_SHARED();
    auto edgeml = loadModel(testing::authorsDir() / "rpool_face_checkpoint_2020-04-24.pth");
    ASSERT_TRUE(edgeml) << edgeml.error();
    EXPECT_EQ(defaultPyramidLevels(*edgeml), 1);
}

TEST(WebcamDetection, TheInt8TwinDeclaresThePyramidAndQuantizingKeepsIt)
{
    auto twin = loadQuantizedModel(defaultInt8ModelPath());
    ASSERT_TRUE(twin) << twin.error();
    EXPECT_EQ(defaultPyramidLevels(*twin), kWebcamPyramidLevels);
    const auto dir = std::filesystem::temp_directory_path() / ("rnnpool_pyramid_i8_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto copy = levelsAfterSaving(*twin, dir / "copy.int8.safetensors", saveInt8, loadInt8);
    ASSERT_TRUE(copy) << copy.error();
    EXPECT_EQ(*copy, kWebcamPyramidLevels);
    twin->pyramidLevels = 7;
    ASSERT_TRUE(saveQuantizedModel(*twin, dir / "bad.int8.safetensors"));
    auto refused = loadQuantizedModel(dir / "bad.int8.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("rnnpool.pyramid_levels"), std::string::npos) << refused.error();
    // The default model quantised here (a copy elsewhere, so not the shipped twin: calibrated on the
    // bundled samples, as `rnnpool quantize` and `run --dtype i8` do) keeps its declaration.
    std::filesystem::copy_file(defaultModelPath(), dir / "copy.safetensors");
    auto floatCopy = loadModel(dir / "copy.safetensors");
    ASSERT_TRUE(floatCopy) << floatCopy.error();
    auto quantized = int8NetworkFor(*floatCopy);
    ASSERT_TRUE(quantized) << quantized.error();
    EXPECT_NE((*quantized)->model().source, defaultInt8ModelPath().string());
    EXPECT_EQ(defaultPyramidLevels((*quantized)->model()), kWebcamPyramidLevels);
    std::filesystem::remove_all(dir);
    auto random = randomModel(kDefaultArchitecture, 1);
    ASSERT_TRUE(random);
    auto randomInt8 = int8NetworkFor(*random);
    ASSERT_TRUE(randomInt8) << randomInt8.error();
    EXPECT_EQ(defaultPyramidLevels((*randomInt8)->model()), 1);
}

using Detect = std::function<Expected<FrameResult>(const cv::Mat&, const DetectOptions&)>;

struct Engine {
    const char* name;
    Detect detect;
};

// The float detector and the shipped int8 twin's, each with its own default settings.
std::vector<Engine> engines()
{
    auto floatDetector = std::make_shared<FaceDetector>(defaultDetector());
    auto twin = int8NetworkFromFile(defaultInt8ModelPath());
    EXPECT_TRUE(twin) << twin.error();
    std::vector<Engine> out{{"float32", [floatDetector](const cv::Mat& m, const DetectOptions& o) { return floatDetector->detect(m, o); }}};
    if (twin) {
        auto int8 = std::make_shared<Int8Detector>(*twin);
        out.push_back({"int8", [int8](const cv::Mat& m, const DetectOptions& o) { return int8->detect(m, o); }});
    }
    return out;
}

TEST(WebcamDetection, TheInt8TwinRunsThePyramidToo)
{
    auto twin = int8NetworkFromFile(defaultInt8ModelPath());
    ASSERT_TRUE(twin) << twin.error();
    EXPECT_EQ(defaultPyramidLevels((*twin)->model()), kWebcamPyramidLevels);
    auto picture = loadPicture(sample(kGraceHopper.file));
    ASSERT_TRUE(picture);
    const Int8Detector int8(*twin);
    auto frame = int8.detect(*picture, {});
    ASSERT_TRUE(frame) << frame.error();
    ASSERT_EQ(frame->pyramid.size(), 3u);
    EXPECT_EQ(frame->pyramid[2].height, frame->pyramid[0].height / 4);
    EXPECT_GT(frame->seconds, frame->run.totalSeconds);
    DetectOptions one;
    one.pyramidLevels = 1;
    auto alone = int8.detect(*picture, one);
    ASSERT_TRUE(alone);
    EXPECT_EQ(alone->pyramid.size(), 1u);
    // The same first level: the pyramid only adds boxes of coarser levels (and the NMS between them).
    EXPECT_EQ(frame->heads.loc, alone->heads.loc);
    EXPECT_EQ(frame->heads.conf, alone->heads.conf);
    EXPECT_GE(frame->detections.size(), alone->detections.size());
}

TEST(WebcamDetection, EachBundledPortraitGivesOneBoxOnTheFace)
{
    for (const Engine& engine : engines())
        for (const Portrait& p : {kGraceHopper, kAstronaut}) {
            auto picture = loadPicture(sample(p.file));
            ASSERT_TRUE(picture) << picture.error();
            auto frame = engine.detect(*picture, {}); // default threshold and pyramid
            ASSERT_TRUE(frame) << frame.error();
            // Every box that touches the face: there must be exactly one, and it must fit.
            std::vector<PixelBox> onFace;
            for (const PixelBox& b : frame->faces)
                if (intersectionOverUnion(toDetection(b), p.face) > 0.0f)
                    onFace.push_back(b);
            ASSERT_EQ(onFace.size(), 1u) << engine.name << ", " << p.file;
            const float iou = intersectionOverUnion(toDetection(onFace[0]), p.face);
            EXPECT_GE(iou, 0.7f) << engine.name << ", " << p.file << ": box " << onFace[0].x1 << "," << onFace[0].y1 << " - "
                                 << onFace[0].x2 << "," << onFace[0].y2;
            // Grace Hopper's portrait has no other box. (The astronaut's has one false alarm, score 0.52, on
            // the helmet in her lap: the model's, with or without the pyramid; README-webcam says so.)
            if (std::string(p.file) == kGraceHopper.file) {
                EXPECT_EQ(frame->faces.size(), 1u) << engine.name;
            }
        }
}

// A 640x480 frame of the portrait scaled by `zoom` about the face's centre,
// which lands at (cx, cy); the edges of the portrait are stretched outwards.
cv::Mat cameraFrame(const cv::Mat& portrait, const Detection& face, double zoom, double cx, double cy, Detection& moved)
{
    const double fx = 0.5 * (face.x1 + face.x2), fy = 0.5 * (face.y1 + face.y2);
    const cv::Mat m = (cv::Mat_<double>(2, 3) << zoom, 0, cx - zoom * fx, 0, zoom, cy - zoom * fy);
    cv::Mat out;
    cv::warpAffine(portrait, out, m, cv::Size(640, 480), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    moved = {1.0f, static_cast<float>(cx + zoom * (face.x1 - fx)), static_cast<float>(cy + zoom * (face.y1 - fy)),
             static_cast<float>(cx + zoom * (face.x2 - fx)), static_cast<float>(cy + zoom * (face.y2 - fy))};
    return out;
}

TEST(WebcamDetection, AFaceMovingTowardAndAwayIsFoundInNearlyEveryFrame)
{
    const std::vector<Engine> all = engines();
    auto portrait = loadPicture(sample(kGraceHopper.file));
    ASSERT_TRUE(portrait);
    const auto video = std::filesystem::temp_directory_path() / ("rnnpool_webcam_" + std::to_string(::getpid()) + ".avi");
    constexpr int kFrames = 60;
    std::vector<Detection> truth;
    {
        cv::VideoWriter writer(video.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 15.0, cv::Size(640, 480));
        ASSERT_TRUE(writer.isOpened()) << video;
        for (int i = 0; i < kFrames; ++i) {
            // Two approaches: the face grows from 20% to 60% of the frame's height and back, while it
            // drifts left and right and bobs up and down.
            const double t = static_cast<double>(i) / kFrames;
            const double height = 480.0 * (0.40 - 0.20 * std::cos(4.0 * M_PI * t));
            const double zoom = height / static_cast<double>(kGraceHopper.face.y2 - kGraceHopper.face.y1);
            Detection moved;
            writer.write(cameraFrame(*portrait, kGraceHopper.face, zoom, 320.0 + 120.0 * std::sin(2.0 * M_PI * t),
                                     240.0 + 30.0 * std::sin(6.0 * M_PI * t), moved));
            truth.push_back(moved);
        }
    }
    cv::VideoCapture capture(video.string());
    ASSERT_TRUE(capture.isOpened()) << video;
    int frames = 0;
    std::vector<int> found(all.size()), foundAlone(all.size());
    cv::Mat frame;
    DetectOptions inputAlone;
    inputAlone.pyramidLevels = 1;
    while (capture.read(frame)) {
        ASSERT_LT(frames, kFrames);
        for (size_t e = 0; e < all.size(); ++e)
            for (const bool pyramid : {true, false}) {
                auto result = all[e].detect(frame, pyramid ? DetectOptions{} : inputAlone);
                ASSERT_TRUE(result) << result.error();
                bool hit = false;
                for (const PixelBox& b : result->faces)
                    hit = hit || intersectionOverUnion(toDetection(b), truth[static_cast<size_t>(frames)]) >= 0.5f;
                (pyramid ? found : foundAlone)[e] += hit ? 1 : 0;
            }
        ++frames;
    }
    std::filesystem::remove(video);
    EXPECT_EQ(frames, kFrames);
    ASSERT_EQ(all.size(), 2u);
    for (size_t e = 0; e < all.size(); ++e) {
        EXPECT_GE(found[e], static_cast<int>(std::ceil(0.95 * kFrames))) << all[e].name << ": " << found[e] << " of " << frames << " frames";
        // The input alone misses the face when it is large: the video does test the pyramid.
        EXPECT_LT(foundAlone[e], found[e]) << all[e].name;
        std::cout << all[e].name << ": face found in " << found[e] << " of " << frames << " frames with the pyramid, "
                  << foundAlone[e] << " with the input alone\n";
    }
}

} // namespace
} // namespace rnnpool
