// MainWindow: the analysis tabs (live charts, memory, compare, sweep, M4
// budget) and what feeds them: the model of the frames shown, each analysed
// frame's timings and measured arena peak, and the layer selection.
#include <algorithm>

#include "profile/frame_record.h"
#include "studio/analysis_tabs.h"
#include "studio/main_window.h"
#include "widgets/live_charts.h"
#include "widgets/emulator_panel.h"
#include "widgets/message_bar.h"

namespace rnnpool::studio {

void MainWindow::createAnalysisTabs()
{
    m_analysis = new AnalysisTabs(this);
    static const char* const kNames[] = {"charts", "memory", "compare", "sweep", "m4", "diff"};
    const auto& tabs = m_analysis->tabs();
    for (qsizetype i = 0; i < tabs.size(); ++i) {
        const QString name = i < static_cast<qsizetype>(std::size(kNames)) ? QString::fromLatin1(kNames[i])
                                                                           : tabs[i].title.toLower();
        addTab(name, tabs[i].title, tabs[i].widget);
    }
    if (m_threshold)
        m_analysis->emulatorPanel()->setFaceThreshold(threshold());
    connect(m_analysis, &AnalysisTabs::problem, this, &MainWindow::showError);
    connect(m_analysis, &AnalysisTabs::layerSelected, this, [this](int node) {
        if (m_outcome && node >= 0 && static_cast<size_t>(node) < m_outcome->layers.size())
            selectLayer(QString::fromStdString(m_outcome->layers[static_cast<size_t>(node)].name));
    });
    connect(this, &MainWindow::layerSelected, m_analysis, [this](int layer, const QString&) {
        m_analysis->setSelectedLayer(layer);
    });
}

bool MainWindow::analysisBusy() const
{
    return m_analysis && (m_analysis->controller().isBusy() || m_analysis->emulatorBusy() || m_analysis->diffBusy());
}

void MainWindow::feedAnalysis(const DetectionOutcome& outcome)
{
    if (!outcome.detector)
        return;
    const Model& model = outcome.detector->model();
    // A new model resets the analysis tabs; a frame of another size only
    // changes what the input bar offers (they describe the deployment input).
    if (outcome.detector.get() != m_analysedDetector) {
        m_analysedDetector = outcome.detector.get();
        m_analysedInput = outcome.input;
        const QString label = model.randomWeights ? QString::fromStdString(model.spec().name)
                                                  : QString::fromStdString(model.source);
        m_analysis->setModel(model.spec(), outcome.input, label, outcome.detector);
    } else if (outcome.input != m_analysedInput) {
        m_analysedInput = outcome.input;
        m_analysis->setFrameInput(outcome.input);
    }
    if (!outcome.frame.empty())
        m_analysis->setPictures({outcome.frame});
    m_analysis->addFrameRecord(
        makeFrameRecord(*model.network, outcome.layerSeconds, outcome.totalSeconds, outcome.measuredPeakBytes, outcome.measuredInt8),
        outcome.frameIndex + 1);
}

} // namespace rnnpool::studio
