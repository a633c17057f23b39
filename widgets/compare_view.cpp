#include "widgets/compare_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

CompareView::CompareView(QWidget* parent)
    : ChartWidget(parent)
{
    m_scheduleBox = new QComboBox(this);
    m_scheduleBox->addItem(tr("layerwise"), QStringLiteral("layerwise"));
    m_scheduleBox->addItem(tr("paper"), QStringLiteral("paper"));
    m_scheduleBox->setCurrentIndex(1);
    connect(m_scheduleBox, &QComboBox::currentIndexChanged, this, [this] { setSchedule(schedule()); });
    m_archBox = new QComboBox(this);
    auto* addArch = new QPushButton(tr("Add"), this);
    connect(addArch, &QPushButton::clicked, this, [this] {
        if (!m_archBox->currentText().isEmpty())
            emit addArchitectureRequested(m_archBox->currentText());
    });
    auto* addFile = new QPushButton(tr("Add model file…"), this);
    connect(addFile, &QPushButton::clicked, this, &CompareView::addFileRequested);
    auto* remove = new QPushButton(tr("Remove selected"), this);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);

    m_plot->setMinimumHeight(280);
    m_plot->plotLayout()->clear();
    m_timelineRect = new QCPAxisRect(m_plot);
    m_layerRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_timelineRect);
    m_plot->plotLayout()->addElement(0, 1, m_layerRect);
    m_timelineRect->axis(QCPAxis::atBottom)->setLabel(tr("Schedule step"));
    m_timelineRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Live activations")));
    m_layerRect->axis(QCPAxis::atBottom)->setLabel(tr("Layer (node index)"));
    m_layerRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Live while the layer runs")));
    m_barsGroup = new QCPBarsGroup(m_plot);
    m_barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
    m_barsGroup->setSpacing(0);
    m_plot->legend = new QCPLegend;
    m_timelineRect->insetLayout()->addElement(m_plot->legend, Qt::AlignTop | Qt::AlignRight);
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    QCPAxisRect* rects[2] = {m_timelineRect, m_layerRect};
    for (int i = 0; i < 2; ++i)
        m_budgets[i] = addBudgetMarker(m_plot, rects[i]);

    m_model = new CompareTableModel(this);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(CompareTableModel::SortRole);
    m_tableView = new QTableView(this);
    m_tableView->setModel(proxy);
    m_tableView->setSortingEnabled(true);
    m_tableView->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the order they were added
    m_tableView->verticalHeader()->hide();
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(remove, &QPushButton::clicked, this, [this, proxy] {
        const QModelIndex current = m_tableView->currentIndex();
        if (current.isValid())
            emit removeRequested(proxy->mapToSource(current).row());
    });

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Architecture:"), this));
    controls->addWidget(m_archBox);
    controls->addWidget(addArch);
    controls->addWidget(addFile);
    controls->addWidget(remove);
    controls->addSpacing(20);
    controls->addWidget(new QLabel(tr("Schedule for the charts and the fit:"), this));
    controls->addWidget(m_scheduleBox);
    controls->addStretch(1);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_plot);
    splitter->addWidget(m_tableView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
    styleChart(m_plot, palette());
    redraw();
}

QString CompareView::schedule() const
{
    return m_scheduleBox->currentData().toString();
}

QString CompareView::message() const
{
    return m_message->text();
}

void CompareView::setArchitectureChoices(const QStringList& names)
{
    m_archBox->clear();
    m_archBox->addItems(names);
}

void CompareView::setEntries(const std::vector<ArchitectureComparison>& entries)
{
    m_model->setEntries(entries);
    m_model->setBoard(m_board, schedule());
    if (entries.size() < 2)
        showMessage(entries.empty() ? tr("Add two or more architectures or model files to compare them.")
                                    : tr("Add another architecture or model file to compare with."));
    else
        showMessage({});
    redraw();
}

void CompareView::setLatencies(const std::vector<LatencyEstimates>& latencies)
{
    m_model->setLatencies(latencies);
}

void CompareView::setBoard(const Board& board)
{
    m_board = board;
    m_model->setBoard(board, schedule());
    redraw();
}

void CompareView::setSchedule(const QString& scheduleName)
{
    const int index = m_scheduleBox->findData(scheduleName);
    if (index >= 0 && index != m_scheduleBox->currentIndex()) {
        m_scheduleBox->setCurrentIndex(index); // comes back here through the signal
        return;
    }
    m_model->setBoard(m_board, schedule());
    redraw();
}

void CompareView::showMessage(const QString& message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
}

void CompareView::redraw()
{
    m_plot->clearPlottables();
    const std::string scheduleName = schedule().toStdString();
    const auto& entries = m_model->entries();
    double top = toKiB(m_board.sramBytes), steps = 1.0, layers = 1.0;
    const double barWidth = 0.8 / std::max<double>(1.0, static_cast<double>(entries.size()));
    for (size_t e = 0; e < entries.size(); ++e) {
        const ModelProfile& p = entries[e].profileFor(scheduleName);
        const QColor colour = seriesColor(static_cast<int>(e));
        QCPGraph* g = m_plot->addGraph(m_timelineRect->axis(QCPAxis::atBottom), m_timelineRect->axis(QCPAxis::atLeft));
        g->setName(tr("%1: peak %2").arg(QString::fromStdString(entries[e].label), kibText(p.timeline.peakBytes)));
        g->setPen(QPen(colour, 2));
        g->setLineStyle(QCPGraph::lsStepCenter);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 3));
        for (size_t s = 0; s < p.timeline.liveBytes.size(); ++s)
            g->addData(static_cast<double>(s), toKiB(p.timeline.liveBytes[s]));
        auto* bars = new QCPBars(m_layerRect->axis(QCPAxis::atBottom), m_layerRect->axis(QCPAxis::atLeft));
        bars->setName(QString::fromStdString(entries[e].label));
        bars->removeFromLegend();
        bars->setBrush(colour);
        bars->setPen(Qt::NoPen);
        bars->setWidth(barWidth);
        bars->setBarsGroup(m_barsGroup);
        for (size_t l = 0; l < p.liveAtLayer.size(); ++l)
            bars->addData(static_cast<double>(l), toKiB(p.liveAtLayer[l]));
        top = std::max(top, toKiB(p.timeline.peakBytes));
        steps = std::max(steps, static_cast<double>(p.timeline.liveBytes.size()));
        layers = std::max(layers, static_cast<double>(p.liveAtLayer.size()));
    }
    m_timelineRect->axis(QCPAxis::atBottom)->setRange(-0.5, steps - 0.5);
    m_layerRect->axis(QCPAxis::atBottom)->setRange(-0.6, layers - 0.4);
    for (QCPAxisRect* rect : {m_timelineRect, m_layerRect})
        rect->axis(QCPAxis::atLeft)->setRange(0.0, top > 0.0 ? top * 1.2 : 1.0);
    for (const BudgetMarker& budget : m_budgets)
        placeBudgetMarker(budget, m_board.sramBytes, QString::fromStdString(m_board.name));
    m_plot->replot();
}

} // namespace rnnpool::widgets
