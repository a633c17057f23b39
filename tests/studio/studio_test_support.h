// Shared pieces of the studio tests: waiting for the runner and the analysis
// controller, frames made from the bundled sample picture, and a video written
// here with OpenCV.
#pragma once

#include <functional>

#include <QString>

#include "video/frame_source.h"

namespace rnnpool::studio {
class ModelRunner;
}

namespace rnnpool::studio::testing {

// Spins the event loop until `done` holds or `timeoutMs` passes; false on timeout.
bool waitUntil(const std::function<bool()>& done, int timeoutMs = 120000);

// Loads `arch` with seeded random weights (empty: the default trained model)
// and waits for it; false (with a test failure) when it did not load.
bool loadModel(ModelRunner& runner, const QString& arch);

// The bundled sample picture as frame `index`.
Frame sampleFrame(int64_t index);

// Writes `frames` frames of the sample picture (640x480, panning) at `fps` to
// an MJPG .avi in a scratch folder and returns its path; empty on failure.
QString writeSampleVideo(int frames, double fps);

} // namespace rnnpool::studio::testing
