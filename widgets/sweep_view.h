// SweepView: one RNNPool hyper-parameter (or the input size) varied, and what
// it does: peak RAM under both schedules against the board's SRAM, multiply-
// adds and parameters, the same numbers `rnnpool sweep` prints. When the
// controller also ran a model with weights on pictures at each point (input
// sizes only: other settings change the weights' shapes), the detection count
// and mean score are plotted too. Points arrive one at a time with progress.
//
//   SweepView view;
//   connect(&view, &SweepView::sweepRequested, controller, ...);
//   view.startSweep(QStringLiteral("RPool_Face_M4"), QStringLiteral("rnnpool.h1"), 4);
//   view.addPoint(*sweepPoint(spec, "rnnpool.h1", "8", options));  // then more
//   view.setDetection(0, 12, 0.81);
//   view.finishSweep(QString());                                  // or a problem
#pragma once

#include <optional>
#include <vector>

#include "profile/sweep.h"
#include "widgets/chart_widget.h"

class QCPAxisRect;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace rnnpool::widgets {

struct SweepDetection {
    int faces = 0;           // detections above the threshold, over all pictures
    double meanScore = 0.0;  // their mean score
};

class SweepView final : public ChartWidget {
    Q_OBJECT

public:
    explicit SweepView(QWidget* parent = nullptr);

    const std::vector<SweepPoint>& points() const { return m_points; }
    const std::vector<std::optional<SweepDetection>>& detections() const { return m_detections; }
    QString param() const;
    // The setting of the sweep shown (started or finished); empty before the first.
    QString sweptParam() const { return m_sweptParam; }
    QStringList values() const;
    QString message() const;
    bool isRunning() const { return m_running; }
    // The x position of a value: the number itself when every value is a
    // number, else its index (input sizes such as "320x240").
    double positionOf(size_t index) const;

public slots:
    void setRequest(const QString& param, const QString& values, rnnpool::ElementType dtype);
    void setBudget(qint64 sramBytes, const QString& boardName);
    void startSweep(const QString& architecture, const QString& param, int valueCount);
    void addPoint(const rnnpool::SweepPoint& point);
    void setDetection(int index, const rnnpool::widgets::SweepDetection& detection);
    void setProgress(int done, int total);
    // An empty problem: finished normally.
    void finishSweep(const QString& problem);
    void showMessage(const QString& message);
    // What the Sweep button does: asks for the sweep the controls describe (or says what is missing).
    void requestSweep();

signals:
    void sweepRequested(const QString& param, const QStringList& values, rnnpool::ElementType dtype);
    void cancelRequested();

protected:
    void paletteChanged() override;

private:
    void redraw();
    QCPAxisRect* addRect(int row, int column, const QString& yLabel);

    QComboBox* m_paramBox = nullptr;
    QLineEdit* m_valuesEdit = nullptr;
    QComboBox* m_dtypeBox = nullptr;
    QPushButton* m_runButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_message = nullptr;
    QCPAxisRect* m_peakRect = nullptr;
    QCPAxisRect* m_maddsRect = nullptr;
    QCPAxisRect* m_paramsRect = nullptr;
    QCPAxisRect* m_detectRect = nullptr;
    BudgetMarker m_budget;

    QString m_architecture;
    QString m_sweptParam;
    std::vector<SweepPoint> m_points;
    std::vector<std::optional<SweepDetection>> m_detections;
    int64_t m_budgetBytes = 0;
    QString m_boardName;
    bool m_running = false;
};

} // namespace rnnpool::widgets
