// LiveCharts: the cost of each live frame as it arrives. The upper chart shows
// the frame's total latency and the latency of each group of layers (ms); the
// lower one the peak RAM measured in the metered arena (KiB: float32, or int8
// for frames the int8 twin ran, at the frame's own input size, on this
// computer) against the chosen board's SRAM,
// drawn as a line, and the int8 deployment peak the M4 tab judges the fit by,
// so the two are not mistaken for one another. The frame axis counts the
// source's frames (from 1) and has integer ticks; a new source clears the
// charts (startSource). Only the last `window` frames are kept
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

    // The plain-words note under the RAM chart (what the curve and the lines are).
    QString ramNote() const;
    // The RAM chart's axis title: names the arena(s) that measured the frames shown.
    QString memoryAxisLabel() const;
    int64_t deploymentPeakBytes() const { return m_deploymentBytes; }
    // Whether a replot waits for the charts to be shown.
    bool replotPending() const { return m_replotPending; }

    // Columns: frame, total_ms, one <group>_ms per group, measured_peak_bytes
    // and measured_arena (f32 or i8; both empty when not measured); one row
    // per kept frame.
    QString csvText() const;
    bool exportCsv(const QString& path, QString* error) const;

public slots:
    // `frameNumber`: the source's frame number (from 1); 0 counts the frames offered.
    void addFrame(const rnnpool::FrameRecord& record, qint64 frameNumber = 0);
    // A new source (or model): forget the frames, start counting again.
    void startSource(const QString& description);
    // The int8 peak of the deployment (the M4 tab's), drawn as a second line; 0 hides it.
    void setDeploymentPeak(qint64 bytes, const QString& description);
    // The SRAM line; 0 hides it.
    void setBudget(qint64 sramBytes, const QString& boardName);
    void setWindow(int frames);
    void setPaused(bool paused);
    void clear();

signals:
    void exportFailed(const QString& message);

protected:
    void paletteChanged() override;
    void showEvent(QShowEvent* event) override;

private:
    void buildControls();
    void redraw();
    void chooseExport(const QString& filter, const QString& suffix);

    QCPAxisRect* m_latencyRect = nullptr;
    QCPAxisRect* m_memoryRect = nullptr;
    BudgetMarker m_budget;
    BudgetMarker m_deployment;
    QLabel* m_ramNote = nullptr;
    int64_t m_deploymentBytes = 0;
    QString m_deploymentText;
    QString m_source;
    QSpinBox* m_windowBox = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QLabel* m_summary = nullptr;

    std::deque<Frame> m_frames;
    QStringList m_groups;
    qint64 m_offered = 0;
    qint64 m_sincePause = 0;
    bool m_replotPending = false;
    int m_window = 200;
    bool m_paused = false;
    int64_t m_budgetBytes = 0;
    QString m_boardName;
};

} // namespace rnnpool::widgets
