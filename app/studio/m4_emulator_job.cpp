#include "studio/m4_emulator_job.h"

#include "engine/preprocess.h"
#include "mcu/latency_check.h"
#include "mcu/model_firmware.h"
#include "quant/int8_detector.h"
#include "widgets/image_conversion.h"

namespace rnnpool::studio {

QString emulatorUnavailableReason(const Model& model)
{
    if (!model.spec().detector)
        return QObject::tr("%1 is not a face detector: the firmware runs the int8 face detectors "
                           "(rnnpool m4 run).").arg(QString::fromStdString(model.spec().name));
    return {};
}

EmulatorOutcome runOnEmulatedM4(const Model& model, const cv::Mat& picture, int width, int height, const QString& schedule,
                                int pyramidLevels, const std::atomic<bool>* cancel, std::function<void(const QString&)> progress)
{
    EmulatorOutcome out;
    if (const QString why = emulatorUnavailableReason(model); !why.isEmpty()) {
        out.error = why;
        return out;
    }
    auto net = int8NetworkFor(model);
    if (!net) {
        out.error = QString::fromStdString(net.error());
        return out;
    }
    const ArchSpec& spec = model.spec();
    auto prepared = prepareInput(picture, spec.inputChannels, {spec.detector->areaWidth, spec.detector->areaHeight},
                                 Size2{width, height});
    if (!prepared) {
        out.error = QString::fromStdString(prepared.error());
        return out;
    }
    ModelFirmwareOptions options;
    options.schedule = schedule.toStdString();
    options.pyramidLevels = pyramidLevels;
    options.cancel = cancel;
    if (progress)
        options.progress = [progress](const std::string& stage) { progress(QString::fromStdString(stage)); };
    auto chip = runModelOnChip(**net, prepared->tensor, options);
    if (!chip) {
        out.cancelled = chip.error() == kCancelledMessage;
        out.error = out.cancelled ? QObject::tr("Cancelled: the firmware run was stopped before it finished.")
                                  : QString::fromStdString(chip.error());
        return out;
    }
    widgets::EmulatorRun r;
    r.board = QString::fromStdString(chip->board);
    r.schedule = schedule;
    r.width = width;
    r.height = height;
    r.ran = chip->ran;
    r.instructions = chip->instructions;
    r.clockHz = chip->coreClockHz;
    r.headValues = chip->headValues;
    r.headMatching = chip->headMatching;
    r.stackHighWaterBytes = chip->stackHighWaterBytes;
    r.emulatorSeconds = chip->emulatorSeconds;
    r.architecture = QString::fromStdString(spec.name);
    for (const RegionUsage& region : chip->build.regions) {
        const bool ccm = region.region == "CCM";
        const uint64_t measured = region.usedBytes + (ccm ? chip->stackHighWaterBytes : 0);
        if (region.region == "FLASH")
            r.flashBytes = region.usedBytes;
        else
            r.ramBytes.push_back({QString::fromStdString(region.region), measured});
        // What the generator planned before compiling, per region.
        uint64_t planned = 0;
        if (region.region == "FLASH")
            planned = chip->plan.weightBytes;
        else if (region.region == "SRAM")
            planned = chip->plan.arenaBytes + chip->plan.scratchBytes;
        else if (ccm)
            planned = chip->plan.levelBufferBytes; // a pyramid's coarser levels' picture
        r.memory.push_back({QString::fromStdString(region.region), region.capacityBytes, planned, measured});
    }
    for (const PyramidLevelOnChip& l : chip->levels)
        r.levels.push_back({l.input[2], l.input[1], l.instructions, l.halveInstructions});
    // The faces of both head maps (every level's, merged, with a pyramid), decoded and filtered as `rnnpool m4 run` does.
    if (chip->ran) {
        const auto faces = [&](bool desktop) {
            std::vector<widgets::EmulatorRun::Face> found;
            for (const Detection& d : onChipDetections(**net, *chip, desktop))
                found.push_back({d.score, QRectF(d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1)});
            return found;
        };
        r.desktopFaces = faces(true);
        r.chipFaces = faces(false);
        r.frame = widgets::imageFromMat(picture);
    }
    // Beside each layer: its op class and what the rnnpool-int8 profile predicts.
    LatencyCheck latency;
    auto work = architectureWork(spec, prepared->tensor.shape());
    auto profile = findCostProfile("rnnpool-int8");
    if (work && profile)
        latency = compareWithMeasured(*work, chip->layerInstructions, {*profile});
    for (const auto& [name, count] : chip->layerInstructions) {
        widgets::EmulatorRun::Layer layer{QString::fromStdString(name), count, {}, 0.0};
        for (const LayerLatencyCheck& l : latency.layers)
            if (l.work.name == name) {
                layer.opClass = QString::fromUtf8(opClassKey(l.work.opClass).data(),
                                                  static_cast<qsizetype>(opClassKey(l.work.opClass).size()));
                layer.predicted = l.predicted.empty() ? 0.0 : l.predicted.front().second;
            }
        r.layers.push_back(std::move(layer));
    }
    out.run = std::move(r);
    return out;
}

} // namespace rnnpool::studio
