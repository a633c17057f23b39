// LiveCharts: the cost of each live frame as it arrives. The upper chart shows
// the frame's total latency and the latency of each group of layers (ms); the
// lower one the peak RAM measured in the metered arena (KiB) against the
// chosen board's SRAM, drawn as a line. Only the last `window` frames are kept
// and shown; pausing freezes the charts (frames that arrive meanwhile are
// counted but not kept). Export writes the kept frames as PNG, PDF or CSV.
//
//   LiveCharts charts;
//   charts.setBudget(256 * 1024, QStringLiteral("stm32f439zi"));
//   charts.addFrame(makeFrameRecord(net, run.layerSeconds, run.totalSeconds, arena.highWaterBytes));
//   charts.exportCsv(QStringLiteral("frames.csv"), &error);
#pragma once

#include <deque>

#include <QStringList>

#include "widgets/chart_widget.h"

#include "profile/frame_record.h"

class QCPAxisRect;
class QLabel;
class QSpinBox;
class QToolButton;

namespace rnnpool::widgets {

class LiveCharts final : public ChartWidget {
    Q_OBJECT

public:
    struct Frame {
        qint64 number = 0;  // counts every frame offered, shown or not
        FrameRecord record;
    };

    explicit LiveCharts(QWidget* parent = nullptr);

    const std::deque<Frame>& frames() const { return m_frames; }
    // Every group of layers seen so far, in order of first appearance.
    const QStringList& groups() const { return m_groups; }
    int window() const { return m_window; }
    bool isPaused() const { return m_paused; }
    int64_t budgetBytes() const { return m_budgetBytes; }

    // Columns: frame, total_ms, one <group>_ms per group, measured_peak_bytes
    // (empty when not measured); one row per kept frame.
    QString csvText() const;
    bool exportCsv(const QString& path, QString* error) const;

public slots:
    void addFrame(const rnnpool::FrameRecord& record);
    // The SRAM line; 0 hides it.
    void setBudget(qint64 sramBytes, const QString& boardName);
    void setWindow(int frames);
    void setPaused(bool paused);
    void clear();

signals:
    void exportFailed(const QString& message);

protected:
    void paletteChanged() override;

private:
    void buildControls();
    void redraw();
    void chooseExport(const QString& filter, const QString& suffix);

    QCPAxisRect* m_latencyRect = nullptr;
    QCPAxisRect* m_memoryRect = nullptr;
    BudgetMarker m_budget;
    QSpinBox* m_windowBox = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QLabel* m_summary = nullptr;

    std::deque<Frame> m_frames;
    QStringList m_groups;
    qint64 m_offered = 0;
    int m_window = 200;
    bool m_paused = false;
    int64_t m_budgetBytes = 0;
    QString m_boardName;
};

} // namespace rnnpool::widgets
