// EmulatorPanel: the model run as firmware on an emulated Cortex-M4 (QEMU's
// netduinoplus2, an STM32F405), measured. An input-size picker and a Run
// button, and Cancel while it runs (cancelRequested); the result is plain
// data (EmulatorRun): instructions in all and per layer (a table and bars,
// beside what the rnnpool-int8 cost profile predicts), whether the chip's
// head maps equal the desktop int8 engine's bit for bit, flash and SRAM per
// region as planned and as linked/measured (bars against each region's size),
// and the faces the chip found drawn over the frame beside the desktop's.
// QEMU counts instructions, not cycles: the panel says so beside every figure
// from it.
//
//   EmulatorPanel panel;
//   connect(&panel, &EmulatorPanel::runRequested, ...);   // (width, height, schedule)
//   panel.setRunning(tr("Building and running the firmware…"));
//   panel.setResult(run);
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <QImage>
#include <QRectF>
#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace rnnpool::widgets {

struct EmulatorRun {
    QString board;
    QString schedule = QStringLiteral("layerwise"); // layerwise, paper, rowstream or linebuffer (rnnpool m4 run --schedule)
    int64_t width = 0, height = 0;
    bool ran = false;                 // false: built and sized only (a board QEMU does not emulate)
    uint64_t instructions = 0;
    double clockHz = 0.0;
    int64_t headValues = 0, headMatching = 0;
    uint64_t flashBytes = 0;
    std::vector<std::pair<QString, uint64_t>> ramBytes; // region ("SRAM", "CCM") -> bytes used
    uint64_t stackHighWaterBytes = 0;
    double emulatorSeconds = 0.0;
    struct Layer {
        QString name;
        uint64_t instructions = 0;
        QString opClass;          // the latency model's class, e.g. "pointwise_conv"
        double predicted = 0.0;   // instructions the rnnpool-int8 cost profile predicts (0: none)
    };
    std::vector<Layer> layers;  // the input's level
    // An image pyramid run on the chip, every level (the input first); empty: the input alone.
    struct Level {
        int64_t width = 0, height = 0;
        uint64_t instructions = 0;       // the level's network
        uint64_t halveInstructions = 0;  // making the next level's picture
    };
    std::vector<Level> levels;
    // Per memory region (FLASH, SRAM, CCM): its size, what the firmware
    // generator planned before compiling (FLASH: weights and parameters; SRAM:
    // arena and kernel scratch; CCM: a pyramid's level picture, else nothing) and what the ELF and the run
    // measured (sections as linked; CCM with the stack's high-water mark).
    struct Region {
        QString name;
        uint64_t capacity = 0, planned = 0, measured = 0;
    };
    std::vector<Region> memory;
    // Faces as fractions of the frame, from the desktop int8 engine's head
    // maps and from the chip's, each through the same decoding and NMS.
    struct Face {
        float score = 0.0f;
        QRectF box; // x, y, width, height in [0, 1]
    };
    std::vector<Face> desktopFaces, chipFaces;
    QImage frame;          // the picture the firmware ran on, for drawing the faces
    QString architecture;  // the model's architecture name (Compare matches rows by it)
    bool identical() const { return ran && headValues > 0 && headMatching == headValues; }
};

class EmulatorLayerChart;
class EmulatorMemoryChart;

class EmulatorPanel final : public QWidget {
    Q_OBJECT

public:
    explicit EmulatorPanel(QWidget* parent = nullptr);

    QString summaryText() const;
    QTableWidget* layerTable() const { return m_layers; }
    EmulatorLayerChart* layerChart() const { return m_layerChart; }
    EmulatorMemoryChart* memoryChart() const { return m_memoryChart; }
    QTabWidget* views() const { return m_views; }
    // The frames with the desktop's and the chip's faces drawn (null before a run).
    QImage desktopFacesImage() const { return m_desktopImage; }
    QImage chipFacesImage() const { return m_chipImage; }
    QString facesText() const;
    static QString facesText(const EmulatorRun& run);
    // The last result shown (also what Compare's measured columns read).
    const std::optional<EmulatorRun>& lastRun() const { return m_last; }
    QPushButton* cancelButton() const { return m_cancel; }
    bool isRunning() const { return m_running; }
    bool canRun() const;
    // The sizes offered, "WIDTHxHEIGHT"; the first is the default.
    void setSizes(const QStringList& sizes);
    QComboBox* sizeBox() const { return m_size; }
    QComboBox* scheduleBox() const { return m_schedule; }

public slots:
    // Whether a run is possible now (a detector with an int8 engine, a picture, the tools).
    void setAvailable(bool available, const QString& why);
    void setRunning(const QString& what);
    void setResult(const rnnpool::widgets::EmulatorRun& run);
    void showProblem(const QString& message);
    // Faces scoring below this are not drawn (all are compared).
    void setFaceThreshold(float threshold);
    // The image pyramid the studio's detector runs at width x height (levels, and
    // its multiply-adds over the input's): the firmware runs one level, and the
    // summary of a run at that size says so (levels < 2: nothing said).
    void setDetectorPyramid(int levels, double maddsRatio, int width, int height);
    // Presses Run (for tests and the --m4-run option).
    void run();

signals:
    void runRequested(int width, int height, const QString& schedule);
    void cancelRequested();

private:
    void drawFaces();

    QComboBox* m_size = nullptr;
    QComboBox* m_schedule = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_layers = nullptr;
    QTabWidget* m_views = nullptr;
    EmulatorLayerChart* m_layerChart = nullptr;
    EmulatorMemoryChart* m_memoryChart = nullptr;
    QLabel* m_desktopFaces = nullptr;
    QLabel* m_chipFaces = nullptr;
    QLabel* m_facesCaption = nullptr;
    QImage m_desktopImage, m_chipImage;
    std::optional<EmulatorRun> m_last;
    float m_faceThreshold = 0.5f;
    static QString pyramidText(const EmulatorRun& r);
    QString m_pyramidNote;
    int m_pyramidWidth = 0, m_pyramidHeight = 0;
    bool m_available = false;
    bool m_running = false;
};

} // namespace rnnpool::widgets
