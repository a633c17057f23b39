// The paper's tables beside our figures. The paper's values live in
// resources/paper/rnnpool_tables.json with the table, row and column each
// comes from and the convention its column counts by (classes, input,
// element type, whether a frame buffer is added). comparePaperFigure()
// computes our figure under that convention:
//   params    trainable parameters (BatchNorm affine included), millions
//   madds     multiply-adds of convolutions, RNN matrix-vector products and
//             fully connected layers (profile's count), M or G
//   peak_ram  peak activation bytes of the `paper` schedule (schedule.h),
//             input not counted unless the row says so, in KB/MB of 1024
//   model_size  parameters × bytes per element of the row's element type
// A figure agrees when it is within the tolerance of its quantity (peak RAM
// 1%, parameters 3%, MAdds 10%) plus half a unit of the paper's last printed
// digit (its rounding: "0.38 MB" stands for anything from 0.375 to 0.385).
//
//   auto figures = loadPaperFigures(paperTablesFile());
//   for (const PaperFigure& f : *figures) { auto c = comparePaperFigure(f); c->agrees; }
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "profile/memory_timeline.h"

namespace rnnpool {

struct PaperFigure {
    std::string table, row, column; // where the paper prints it, e.g. "1", "ResNet18", "RNNPool / Peak RAM"
    std::string arch;               // our architecture
    std::string quantity;           // "params", "madds", "peak_ram", "model_size"
    std::string printed;            // the value as printed, e.g. "0.38"
    std::string unit;               // "M", "G", "MB", "KB"
    int64_t classes = 0;            // 0: the spec's own
    Shape input;                    // CHW; empty: the spec's default
    ElementType dtype = ElementType::F32;
    bool countInput = false;
    bool frameBuffer = false;       // the picture's bytes added to the peak (held for the whole run)
    std::string note;               // how the counting conventions differ, if they do
    std::string notReproduced;      // why the figure cannot be reproduced; empty if it can
};

struct PaperComparison {
    double paper = 0.0;     // in the printed unit
    double ours = 0.0;      // in the printed unit
    double tolerance = 0.0; // absolute, in the printed unit
    bool agrees = false;
};

std::filesystem::path paperTablesFile();
Expected<std::vector<PaperFigure>> loadPaperFigures(const std::filesystem::path& path);
Expected<PaperComparison> comparePaperFigure(const PaperFigure& figure);

} // namespace rnnpool
