// EmulatorPanel: the model run as firmware on an emulated Cortex-M4 (QEMU's
// netduinoplus2, an STM32F405), measured. An input-size picker and a Run
// button, and Cancel while it runs (cancelRequested); the result is plain
// data (EmulatorRun): instructions in all and per
// layer, whether the chip's head maps equal the desktop int8 engine's bit for
// bit, flash and SRAM as linked, the stack's high-water mark. QEMU counts
// instructions, not cycles: the panel says so beside every figure from it.
//
//   EmulatorPanel panel;
//   connect(&panel, &EmulatorPanel::runRequested, ...);   // (width, height)
//   panel.setRunning(tr("Building and running the firmware…"));
//   panel.setResult(run);
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace rnnpool::widgets {

struct EmulatorRun {
    QString board;
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
    std::vector<Layer> layers;
    bool identical() const { return ran && headValues > 0 && headMatching == headValues; }
};

class EmulatorPanel final : public QWidget {
    Q_OBJECT

public:
    explicit EmulatorPanel(QWidget* parent = nullptr);

    QString summaryText() const;
    QTableWidget* layerTable() const { return m_layers; }
    QPushButton* cancelButton() const { return m_cancel; }
    bool isRunning() const { return m_running; }
    bool canRun() const;
    // The sizes offered, "WIDTHxHEIGHT"; the first is the default.
    void setSizes(const QStringList& sizes);

public slots:
    // Whether a run is possible now (a detector with an int8 engine, a picture, the tools).
    void setAvailable(bool available, const QString& why);
    void setRunning(const QString& what);
    void setResult(const rnnpool::widgets::EmulatorRun& run);
    void showProblem(const QString& message);
    // Presses Run (for tests and the --m4-run option).
    void run();

signals:
    void runRequested(int width, int height);
    void cancelRequested();

private:
    QComboBox* m_size = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_layers = nullptr;
    bool m_available = false;
    bool m_running = false;
};

} // namespace rnnpool::widgets
