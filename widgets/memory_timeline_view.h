// MemoryTimelineView: the activation memory of one model under one schedule
// and element type, step by step. Each step's bar is stacked from the tensors
// alive at it (one colour per tensor; scratch is hatched), with the board's
// SRAM as a line and the peak marked. Clicking a bar (the peak is selected to
// begin with) lists the tensors alive there, largest first: "explain the peak".
// When the detector runs an image pyramid, a line under the headline gives
// each level's peak and multiply-adds (setPyramid).
//
//   MemoryTimelineView view;
//   view.setProfile(*profileNetwork(net, {3, 240, 320}, "paper", options));
//   view.setBudget(256 * 1024, QStringLiteral("stm32f439zi"));
//   connect(&view, &MemoryTimelineView::optionsChanged, controller, ...); // recompute
#pragma once

#include "profile/model_profile.h"
#include "profile/pyramid_profile.h"
#include "widgets/chart_widget.h"

class QCPBars;
class QCPItemText;
class QCPItemTracer;
class QCheckBox;
class QComboBox;
class QLabel;
class QMouseEvent;
class QTableView;

namespace rnnpool::widgets {

class LiveTensorModel;

class MemoryTimelineView final : public ChartWidget {
    Q_OBJECT

public:
    explicit MemoryTimelineView(QWidget* parent = nullptr);

    const ModelProfile* profile() const { return m_hasProfile ? &m_profile : nullptr; }
    int selectedStep() const { return m_selectedStep; }
    LiveTensorModel* liveTensors() const { return m_liveModel; }
    QString message() const;
    // The pyramid line's text; empty when the model runs the input alone.
    QString pyramidText() const;
    // The step the bars show at x = step; -1 outside.
    int stepAt(double x) const;

public slots:
    void setProfile(const rnnpool::ModelProfile& profile);
    // States why there is no timeline (bad size, failed spec) and clears the chart.
    void showProblem(const QString& message);
    void setBudget(qint64 sramBytes, const QString& boardName);
    // The levels the detector runs at this profile's input, schedule and element
    // type (profilePyramid); fewer than two hide the line.
    void setPyramid(const std::vector<rnnpool::PyramidLevelProfile>& levels);
    // Selects a step as the user does: emits stepSelected.
    void selectStep(int step);
    // Shows the step that runs this node (kept across new profiles); does not
    // emit stepSelected, so a selection made elsewhere is not echoed back.
    void setSelectedLayer(int node);
    // Sets the controls without emitting optionsChanged.
    void setOptions(const QString& schedule, rnnpool::ElementType dtype, bool countInput);

signals:
    // The user chose another schedule ("layerwise", "paper"), element type or input counting.
    void optionsChanged(const QString& schedule, rnnpool::ElementType dtype, bool countInput);
    // The user picked a step (a click, or selectStep()).
    void stepSelected(int step);

protected:
    void paletteChanged() override;

private:
    int stepOfNode(int node) const; // -1: no profile or no such node
    bool showStep(int step);        // selects and shows, without emitting; false: no such step
    void buildPlot();
    void rebuildBars();
    void updateBudget();
    void updateSelection();
    void onPlotClicked(QMouseEvent* event);
    void emitOptions();

    QComboBox* m_scheduleBox = nullptr;
    QComboBox* m_dtypeBox = nullptr;
    QCheckBox* m_countInputBox = nullptr;
    QLabel* m_headline = nullptr;
    QLabel* m_pyramid = nullptr;
    QLabel* m_explain = nullptr;
    BudgetMarker m_budget;
    QCPItemTracer* m_peakMarker = nullptr;
    QCPItemText* m_peakLabel = nullptr;
    QCPBars* m_selection = nullptr;
    QTableView* m_table = nullptr;
    LiveTensorModel* m_liveModel = nullptr;

    ModelProfile m_profile;
    bool m_hasProfile = false;
    int m_selectedStep = -1;
    int m_selectedNode = -1;      // the layer chosen elsewhere, if any
    int64_t m_budgetBytes = 0;
    QString m_boardName;
    bool m_settingOptions = false;
};

} // namespace rnnpool::widgets
