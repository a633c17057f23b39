#include "widgets/memory_timeline_view.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"
#include "widgets/live_tensor_model.h"
#include "widgets/pyramid_text.h"

namespace rnnpool::widgets {

namespace {

constexpr double kBarWidth = 0.8;

} // namespace

MemoryTimelineView::MemoryTimelineView(QWidget* parent)
    : ChartWidget(parent)
{
    m_scheduleBox = new QComboBox(this);
    m_scheduleBox->addItem(tr("Layer by layer (TFLite)"), QStringLiteral("layerwise"));
    m_scheduleBox->addItem(tr("Paper (RNNPool patch by patch, blocks row by row)"), QStringLiteral("paper"));
    m_scheduleBox->addItem(tr("Row stream (the picture row by row, as a camera delivers it; then as Paper)"),
                           QStringLiteral("rowstream"));
    m_scheduleBox->addItem(tr("Line buffers (every layer a few rows at a time; int8 decodes the heads row by row)"),
                           QStringLiteral("linebuffer"));
    m_dtypeBox = new QComboBox(this);
    for (ElementType t : {ElementType::F32, ElementType::I16, ElementType::I8})
        m_dtypeBox->addItem(QString::fromLatin1(elementTypeName(t)), static_cast<int>(t));
    // Sized for a short name; the long ones show in the open list (a small screen must fit).
    m_scheduleBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_scheduleBox->setMinimumContentsLength(18);
    m_countInputBox = new QCheckBox(tr("Input picture in RAM"), this);
    m_countInputBox->setToolTip(tr("Count the input picture as an activation; otherwise the M4 budget adds an 8-bit frame buffer"));
    for (QComboBox* box : {m_scheduleBox, m_dtypeBox})
        connect(box, &QComboBox::currentIndexChanged, this, &MemoryTimelineView::emitOptions);
    connect(m_countInputBox, &QCheckBox::toggled, this, &MemoryTimelineView::emitOptions);

    m_headline = new QLabel(this);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_headline->setWordWrap(true);
    m_explain = new QLabel(this);
    m_explain->setWordWrap(true);
    m_pyramid = new QLabel(this);
    m_pyramid->setObjectName(QStringLiteral("pyramidCost"));
    m_pyramid->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pyramid->setWordWrap(true);
    m_pyramid->hide();

    buildPlot();

    m_liveModel = new LiveTensorModel(this);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_liveModel);
    proxy->setSortRole(LiveTensorModel::SortRole);
    m_table = new QTableView(this);
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LiveTensorModel::SizeColumn, Qt::DescendingOrder);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Schedule:"), this));
    controls->addWidget(m_scheduleBox);
    controls->addWidget(new QLabel(tr("Element type:"), this));
    controls->addWidget(m_dtypeBox);
    controls->addWidget(m_countInputBox);
    controls->addStretch(1);

    auto* side = new QWidget(this);
    side->setMinimumWidth(160); // not the table's full width: the window must fit a small screen
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_explain);
    sideLayout->addWidget(m_table, 1);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_plot);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_headline);
    layout->addWidget(m_pyramid);
    layout->addWidget(splitter, 1);
    showProblem(tr("No model yet: open a model or pick an architecture."));
}

void MemoryTimelineView::buildPlot()
{
    m_plot->setMinimumSize(240, 300);
    m_plot->yAxis->setLabel(kibAxisLabel(tr("Live activations")));
    m_plot->xAxis->setLabel(tr("Schedule step"));
    m_plot->xAxis->setTickLabelRotation(60);
    m_plot->xAxis->setSubTicks(false);
    m_plot->xAxis->setTickLength(0, 3);

    m_budget = addBudgetMarker(m_plot, m_plot->axisRect());

    m_peakMarker = new QCPItemTracer(m_plot);
    m_peakMarker->setStyle(QCPItemTracer::tsCircle);
    m_peakMarker->setSize(9);
    m_peakMarker->setPen(QPen(budgetColor(), 2));
    m_peakLabel = new QCPItemText(m_plot);
    m_peakLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    m_peakLabel->position->setType(QCPItemPosition::ptAbsolute); // a pixel offset from the marker
    m_peakLabel->position->setParentAnchor(m_peakMarker->position);
    m_peakLabel->position->setCoords(8, -6);

    connect(m_plot, &QCustomPlot::mousePress, this, &MemoryTimelineView::onPlotClicked);
    styleChart(m_plot, palette());
}

QString MemoryTimelineView::message() const
{
    return m_hasProfile ? QString() : m_headline->text();
}

QString MemoryTimelineView::pyramidText() const
{
    return m_pyramid->text();
}

void MemoryTimelineView::setPyramid(const std::vector<PyramidLevelProfile>& levels)
{
    m_pyramid->setText(pyramidCostText(levels, static_cast<ElementType>(m_dtypeBox->currentData().toInt())));
    m_pyramid->setVisible(!m_pyramid->text().isEmpty());
}

void MemoryTimelineView::setProfile(const ModelProfile& profile)
{
    m_profile = profile;
    m_hasProfile = !profile.timeline.steps.empty();
    if (!m_hasProfile) {
        showProblem(tr("The schedule has no steps."));
        return;
    }
    const MemoryTimeline& t = profile.timeline;
    setOptions(QString::fromStdString(t.schedule), t.options.dtype, t.options.countInput);
    m_headline->setText(tr("%1 × %2 input, %3 schedule, %4: peak %5 (%6 bytes) at step %7 (%8); planned arena %9")
                            .arg(profile.input[2]).arg(profile.input[1]).arg(QString::fromStdString(t.schedule))
                            .arg(QString::fromLatin1(elementTypeName(t.options.dtype)), kibText(t.peakBytes))
                            .arg(t.peakBytes).arg(t.peakStep).arg(QString::fromStdString(profile.peakStepName()))
                            .arg(kibText(profile.plan.arenaBytes)));
    rebuildBars();
    const int layerStep = stepOfNode(m_selectedNode);
    showStep(layerStep >= 0 ? layerStep : t.peakStep);
}

int MemoryTimelineView::stepOfNode(int node) const
{
    if (!m_hasProfile || node < 0)
        return -1;
    const auto& units = m_profile.schedule.units;
    for (size_t u = 0; u < units.size(); ++u)
        for (int n : units[u].nodes)
            if (n == node)
                return static_cast<int>(u);
    return -1;
}

bool MemoryTimelineView::showStep(int step)
{
    if (!m_hasProfile || step < 0 || step >= static_cast<int>(m_profile.timeline.steps.size()))
        return false;
    m_selectedStep = step;
    updateSelection();
    return true;
}

void MemoryTimelineView::showProblem(const QString& message)
{
    m_hasProfile = false;
    m_profile = {};
    m_headline->setText(message);
    m_explain->clear();
    setPyramid({});
    m_liveModel->clear();
    m_selectedStep = -1;
    rebuildBars();
}

void MemoryTimelineView::rebuildBars()
{
    m_plot->clearPlottables();
    m_selection = nullptr;
    const MemoryTimeline& t = m_profile.timeline;
    const bool show = m_hasProfile;
    m_peakMarker->setVisible(show);
    m_peakLabel->setVisible(show);
    if (!show) {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_plot->xAxis->setRange(0, 1);
        m_plot->yAxis->setRange(0, 1);
        updateBudget();
        return;
    }
    // Tensors stack in the order they were created, so each keeps its place across steps.
    QCPBars* below = nullptr;
    for (size_t i = 0; i < t.tensors.size(); ++i) {
        const TensorLife& tensor = t.tensors[i];
        if (tensor.bytes <= 0)
            continue;
        auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setName(QString::fromStdString(tensor.name));
        bars->setWidth(kBarWidth);
        const QColor colour = seriesColor(static_cast<int>(i));
        bars->setPen(QPen(colour.darker(130), 0.5));
        bars->setBrush(tensor.scratch ? QBrush(colour, Qt::BDiagPattern) : QBrush(colour));
        for (int s = tensor.firstStep; s <= tensor.lastStep; ++s)
            bars->addData(s, toKiB(tensor.bytes));
        if (below)
            bars->moveAbove(below);
        below = bars;
    }
    m_selection = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_selection->setWidth(kBarWidth + 0.15);
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setPen(QPen(palette().color(QPalette::Highlight), 2.5));
    m_selection->setSelectable(QCP::stNone);

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t s = 0; s < t.steps.size(); ++s)
        ticker->addTick(static_cast<double>(s), QString::fromStdString(t.steps[s]));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.7, static_cast<double>(t.steps.size()) - 0.3);
    // QCustomPlot leaves out a tick label the widget's border would clip; the
    // last labels, rotated to the right, need room on that side.
    const QFontMetrics metrics(m_plot->xAxis->tickLabelFont());
    int widest = 0;
    for (size_t s = t.steps.size() > 3 ? t.steps.size() - 3 : 0; s < t.steps.size(); ++s)
        widest = std::max(widest, metrics.horizontalAdvance(QString::fromStdString(t.steps[s])));
    m_plot->axisRect()->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);
    m_plot->axisRect()->setMargins(QMargins(0, 0, widest / 2 + 12, 0)); // cos 60° of the label's length

    m_peakMarker->position->setCoords(t.peakStep, toKiB(t.peakBytes));
    m_peakLabel->setText(tr("peak %1").arg(kibText(t.peakBytes)));
    m_peakLabel->setColor(palette().color(QPalette::Text));
    updateBudget();
}

void MemoryTimelineView::setBudget(qint64 sramBytes, const QString& boardName)
{
    m_budgetBytes = std::max<qint64>(sramBytes, 0);
    m_boardName = boardName;
    updateBudget();
}

void MemoryTimelineView::updateBudget()
{
    placeBudgetMarker(m_budget, m_budgetBytes, m_boardName);
    double top = std::max(toKiB(m_budgetBytes), m_hasProfile ? toKiB(m_profile.timeline.peakBytes) : 0.0);
    m_plot->yAxis->setRange(0.0, top > 0.0 ? top * 1.15 : 1.0);
    m_plot->replot();
}

void MemoryTimelineView::selectStep(int step)
{
    if (!showStep(step))
        return;
    // The layer this step produces is now the chosen one, also for later profiles.
    const auto& units = m_profile.schedule.units;
    if (static_cast<size_t>(step) < units.size())
        m_selectedNode = units[static_cast<size_t>(step)].output();
    emit stepSelected(step);
}

void MemoryTimelineView::setSelectedLayer(int node)
{
    m_selectedNode = node;
    const int step = stepOfNode(node);
    if (step >= 0)
        showStep(step);
}

void MemoryTimelineView::updateSelection()
{
    const MemoryTimeline& t = m_profile.timeline;
    m_liveModel->setStep(t, m_selectedStep);
    const int64_t live = t.liveBytes[static_cast<size_t>(m_selectedStep)];
    QString text = tr("<b>Step %1, %2</b>: %3 live in %4 tensors")
                       .arg(m_selectedStep)
                       .arg(QString::fromStdString(t.steps[static_cast<size_t>(m_selectedStep)]).toHtmlEscaped(),
                            kibText(live))
                       .arg(m_liveModel->rowCount());
    if (m_selectedStep == t.peakStep)
        text += tr(" (the peak)");
    else
        text += tr(" (%1 of the peak)").arg(QStringLiteral("%1%").arg(std::lround(100.0 * static_cast<double>(live) /
                                                                                  static_cast<double>(std::max<int64_t>(t.peakBytes, 1)))));
    if (m_budgetBytes > 0)
        text += tr("; %1 %2 the board's SRAM").arg(kibText(std::abs(m_budgetBytes - live)),
                                                    live <= m_budgetBytes ? tr("under") : tr("over"));
    m_explain->setText(text);
    if (m_selection) {
        m_selection->data()->clear();
        m_selection->addData(m_selectedStep, toKiB(live));
    }
    m_plot->replot();
}

int MemoryTimelineView::stepAt(double x) const
{
    if (!m_hasProfile)
        return -1;
    const int step = static_cast<int>(std::lround(x));
    if (step < 0 || step >= static_cast<int>(m_profile.timeline.steps.size()) || std::abs(x - step) > kBarWidth / 2)
        return -1;
    return step;
}

void MemoryTimelineView::onPlotClicked(QMouseEvent* event)
{
    const int step = stepAt(m_plot->xAxis->pixelToCoord(event->position().x()));
    if (step >= 0)
        selectStep(step);
}

void MemoryTimelineView::setOptions(const QString& schedule, ElementType dtype, bool countInput)
{
    m_settingOptions = true;
    m_scheduleBox->setCurrentIndex(std::max(0, m_scheduleBox->findData(schedule)));
    m_dtypeBox->setCurrentIndex(std::max(0, m_dtypeBox->findData(static_cast<int>(dtype))));
    m_countInputBox->setChecked(countInput);
    m_settingOptions = false;
}

void MemoryTimelineView::emitOptions()
{
    if (m_settingOptions)
        return;
    emit optionsChanged(m_scheduleBox->currentData().toString(), static_cast<ElementType>(m_dtypeBox->currentData().toInt()),
                        m_countInputBox->isChecked());
}

void MemoryTimelineView::paletteChanged()
{
    if (!m_liveModel)
        return; // still being built
    rebuildBars();
    if (m_selectedStep >= 0 && m_hasProfile)
        updateSelection();
}

} // namespace rnnpool::widgets
