// The studio's "Run on emulated Cortex-M4": the model's int8 twin (or its
// on-the-fly quantisation) built as firmware and run in QEMU on one picture,
// as `rnnpool m4 run --image P --size WxH --pyramid N` does. Runs on a worker thread.
#pragma once

#include <atomic>
#include <functional>
#include <optional>

#include <QString>
#include <opencv2/core.hpp>

#include "model/model.h"
#include "widgets/emulator_panel.h"

namespace rnnpool::studio {

struct EmulatorOutcome {
    std::optional<widgets::EmulatorRun> run;
    QString error;          // set when run is empty
    bool cancelled = false; // stopped by the user
};

// Why the model cannot run on the emulated chip (empty when it can).
QString emulatorUnavailableReason(const Model& model);

// `pyramidLevels` > 1 runs the detector's image pyramid, every level on the chip
// (`rnnpool m4 run --pyramid`); fewer levels where a side would go below 32 px.
// `cancel` stops the build or QEMU when it becomes true (outcome: cancelled);
// `progress` is told each stage as it starts, on the worker thread.
EmulatorOutcome runOnEmulatedM4(const Model& model, const cv::Mat& picture, int width, int height,
                                const QString& schedule, int pyramidLevels,
                                const std::atomic<bool>* cancel = nullptr,
                                std::function<void(const QString&)> progress = {});

} // namespace rnnpool::studio
