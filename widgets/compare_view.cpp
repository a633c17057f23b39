#include "widgets/compare_view.h"

#include <algorithm>
#include <functional>

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
    m_scheduleBox->addItem(tr("rowstream"), QStringLiteral("rowstream"));
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
    m_plot->setMinimumWidth(360); // the legend's width must not set the window's
    m_plot->plotLayout()->clear();
    m_timelineRect = new QCPAxisRect(m_plot);
    m_layerRect = new QCPAxisRect(m_plot);
    // Both charts in one cell of the plot's layout, the legend in the row under it: a legend in a
    // cell of its own under the first chart would widen that column and squeeze the second.
    auto* charts = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, charts);
    charts->addElement(0, 0, m_timelineRect);
    charts->addElement(0, 1, m_layerRect);
    charts->setColumnStretchFactors({3.0, 2.0});
    // The legend gets its own row under both charts: long labels must not push it off the left edge.
    m_timelineRect->axis(QCPAxis::atBottom)->setLabel(tr("Schedule step"));
    m_timelineRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Live activations")));
    m_layerRect->axis(QCPAxis::atBottom)->setLabel(tr("Layer (node index)"));
    m_layerRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Live while the layer runs")));
    m_plot->legend = new QCPLegend;
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    legendRow->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(2); // long labels: two columns at most
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    QCPAxisRect* rects[2] = {m_timelineRect, m_layerRect};
    for (int i = 0; i < 2; ++i)
        m_budgets[i] = addBudgetMarker(m_plot, rects[i]);

    m_model = new CompareTableModel(this);
    auto* proxy = new QSortFilterProxyModel(this);
    m_proxy = proxy;
    proxy->setSourceModel(m_model);
    proxy->setSortRole(CompareTableModel::SortRole);
    m_tableView = new QTableView(this);
    m_tableView->setModel(proxy);
    m_tableView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tableView->setTextElideMode(Qt::ElideMiddle); // a long path must not push the fit and latency columns off-screen
    m_tableView->setSortingEnabled(true);
    m_tableView->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the order they were added
    m_tableView->verticalHeader()->hide();
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tableView->horizontalHeader()->setSectionResizeMode(CompareTableModel::NameColumn, QHeaderView::Interactive);
    m_tableView->horizontalHeader()->setMinimumSectionSize(40);
    connect(remove, &QPushButton::clicked, this, &CompareView::removeSelected);

    // Two rows, and an architecture box sized for a name, not for the longest
    // one: the controls must not set the window's minimum width.
    m_archBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_archBox->setMinimumContentsLength(14);
    auto* controls = new QVBoxLayout;
    auto* adding = new QHBoxLayout;
    adding->addWidget(new QLabel(tr("Architecture:"), this));
    adding->addWidget(m_archBox, 1);
    adding->addWidget(addArch);
    adding->addWidget(addFile);
    adding->addWidget(remove);
    auto* scheduling = new QHBoxLayout;
    scheduling->addWidget(new QLabel(tr("Schedule for the charts and the fit:"), this));
    scheduling->addWidget(m_scheduleBox);
    scheduling->addStretch(1);
    controls->addLayout(adding);
    controls->addLayout(scheduling);
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

void CompareView::removeSelected()
{
    QList<int> rows;
    for (const QModelIndex& index : m_tableView->selectionModel()->selectedRows())
        rows << m_proxy->mapToSource(index).row();
    if (rows.isEmpty() && m_tableView->currentIndex().isValid())
        rows << m_proxy->mapToSource(m_tableView->currentIndex()).row();
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (!rows.isEmpty())
        emit removeRowsRequested(rows);
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
    // The name column: wide enough for a file name, never for a whole path.
    m_tableView->resizeColumnToContents(CompareTableModel::NameColumn);
    m_tableView->setColumnWidth(CompareTableModel::NameColumn,
                                std::min(m_tableView->columnWidth(CompareTableModel::NameColumn), 260));
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

void CompareView::setMeasured(const std::vector<std::optional<MeasuredOnChip>>& measured)
{
    m_model->setMeasured(measured);
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
    for (size_t e = 0; e < entries.size(); ++e) {
        const ModelProfile& p = entries[e].profileFor(scheduleName);
        const QColor colour = seriesColor(static_cast<int>(e));
        QCPGraph* g = m_plot->addGraph(m_timelineRect->axis(QCPAxis::atBottom), m_timelineRect->axis(QCPAxis::atLeft));
        QString label = QString::fromStdString(entries[e].label);
        if (label.size() > 40) // a path: the legend shows its end
            label = QStringLiteral("…") + label.right(39);
        g->setName(tr("%1: peak %2").arg(label, kibText(p.timeline.peakBytes)));
        g->setPen(QPen(colour, 2));
        g->setLineStyle(QCPGraph::lsStepCenter);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 3));
        for (size_t s = 0; s < p.timeline.liveBytes.size(); ++s)
            g->addData(static_cast<double>(s), toKiB(p.timeline.liveBytes[s]));
        // Per layer as opaque step lines, not grouped translucent bars: eight bar
        // series side by side read as a hatch.
        QCPGraph* layer = m_plot->addGraph(m_layerRect->axis(QCPAxis::atBottom), m_layerRect->axis(QCPAxis::atLeft));
        layer->setName(QString::fromStdString(entries[e].label));
        layer->removeFromLegend();
        layer->setPen(QPen(colour, 2));
        layer->setLineStyle(QCPGraph::lsStepCenter);
        for (size_t l = 0; l < p.liveAtLayer.size(); ++l)
            layer->addData(static_cast<double>(l), toKiB(p.liveAtLayer[l]));
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
