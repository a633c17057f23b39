// BoardPanel: does the model fit the chosen microcontroller? A board picker,
// SRAM and flash as stacked bars (activations, frame buffer, runtime;
// weights, code) against each memory's size, the verdict with the margin,
// and the estimated latency per cost profile when a latency model gives one.
// When the detector runs an image pyramid, a line gives each level's cost and
// the latency table a column for the whole pyramid beside the input alone.
//
//   BoardPanel panel;
//   panel.setBoards(builtinBoards());
//   panel.setFit(fitOnBoard(board, profile),
//                QStringLiteral("paper schedule, i8"));
//   panel.setLatencies({{"cmsis-nn", 812.0}});
//   connect(&panel, &BoardPanel::boardChosen, ...);  // "stm32f439zi" or "custom:sram=..."
#pragma once

#include <vector>

#include "mcu/fit_report.h"
#include "profile/pyramid_profile.h"
#include "widgets/chart_widget.h"
#include "widgets/latency_estimate.h"

class QCPAxisRect;
class QComboBox;
class QLabel;
class QTableWidget;

namespace rnnpool::widgets {

class BoardPanel final : public ChartWidget {
    Q_OBJECT

public:
    explicit BoardPanel(QWidget* parent = nullptr);

    QString boardName() const;
    QString verdict() const;
    QString placementText() const;
    QString pyramidText() const;
    bool hasFit() const { return m_hasFit; }
    const FitReport& fit() const { return m_fit; }
    QTableWidget* latencyTable() const { return m_latency; }

public slots:
    void setBoards(const std::vector<rnnpool::Board>& boards);
    // Selects the board in the picker without emitting boardChosen.
    void selectBoard(const QString& name);
    void setFit(const rnnpool::FitReport& fit, const QString& context);
    // `pyramid`: the same profiles' estimates summed over the pyramid's levels
    // (empty: the model runs the input alone, one column).
    void setLatencies(const rnnpool::widgets::LatencyEstimates& latencies,
                      const rnnpool::widgets::LatencyEstimates& pyramid = {});
    // The levels the detector runs (fewer than two hide the line), profiled in `dtype`.
    void setPyramid(const std::vector<rnnpool::PyramidLevelProfile>& levels, rnnpool::ElementType dtype);
    void showProblem(const QString& message);

signals:
    void boardChosen(const QString& name);

private:
    void redraw();
    QCPAxisRect* addRow(int row, const QString& label);

    QComboBox* m_boardBox = nullptr;
    QLabel* m_description = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_placement = nullptr;
    QLabel* m_pyramid = nullptr;
    QCPAxisRect* m_sramRect = nullptr;
    QCPAxisRect* m_flashRect = nullptr;
    QTableWidget* m_latency = nullptr;
    FitReport m_fit;
    QString m_context;
    bool m_hasFit = false;
    bool m_selecting = false;
};

} // namespace rnnpool::widgets
