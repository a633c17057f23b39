#include "widgets/board_panel.h"

#include <algorithm>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"
#include "widgets/pyramid_text.h"

namespace rnnpool::widgets {

namespace {

struct Part {
    QString name;
    int64_t bytes;
};

// One horizontal bar of stacked parts against a capacity line, in `rect`.
void drawUsage(QCustomPlot* plot, QCPAxisRect* rect, const std::vector<Part>& parts, int firstColour, int64_t capacity,
               const QString& capacityText)
{
    QCPAxis* keys = rect->axis(QCPAxis::atLeft);
    QCPAxis* values = rect->axis(QCPAxis::atBottom);
    QCPBars* below = nullptr;
    int64_t used = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        auto* bars = new QCPBars(keys, values);
        const QColor colour = seriesColor(firstColour + static_cast<int>(i));
        bars->setName(QStringLiteral("%1 %2").arg(parts[i].name, kibText(parts[i].bytes)));
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(140)));
        bars->setWidth(0.6);
        bars->addData(0.0, toKiB(parts[i].bytes));
        if (below)
            bars->moveAbove(below);
        below = bars;
        used += parts[i].bytes;
    }
    auto* line = new QCPItemStraightLine(plot);
    line->setClipAxisRect(rect);
    line->setPen(QPen(budgetColor(), 2, Qt::DashLine));
    for (QCPItemPosition* p : {line->point1, line->point2}) {
        p->setAxes(values, keys);
        p->setAxisRect(rect);
    }
    line->point1->setCoords(toKiB(capacity), -1.0);
    line->point2->setCoords(toKiB(capacity), 1.0);
    auto* label = new QCPItemText(plot);
    label->setClipAxisRect(rect);
    label->position->setAxes(values, keys);
    label->position->setAxisRect(rect);
    label->position->setCoords(toKiB(capacity), 0.42);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
    label->setPadding(QMargins(0, 0, 6, 0));
    label->setColor(budgetColor());
    label->setText(capacityText);
    values->setRange(0.0, std::max(toKiB(capacity), toKiB(used)) * 1.08);
    keys->setRange(-0.5, 0.5);
}

} // namespace

BoardPanel::BoardPanel(QWidget* parent)
    : ChartWidget(parent)
{
    m_boardBox = new QComboBox(this);
    m_boardBox->setEditable(true);
    m_boardBox->setInsertPolicy(QComboBox::NoInsert);
    m_boardBox->setToolTip(tr("A board, or custom:sram=256K,flash=1M,clock=80M"));
    m_boardBox->setMinimumContentsLength(28);
    const auto choose = [this] {
        if (!m_selecting)
            emit boardChosen(boardName());
    };
    connect(m_boardBox, &QComboBox::activated, this, choose);
    connect(m_boardBox->lineEdit(), &QLineEdit::returnPressed, this, choose);
    m_description = new QLabel(this);
    m_description->setWordWrap(true); // a long board description must not set the window's width
    m_description->setMinimumWidth(120);
    m_placement = new QLabel(this);
    m_placement->setWordWrap(true);
    m_placement->setTextFormat(Qt::PlainText);
    m_pyramid = new QLabel(this);
    m_pyramid->setObjectName(QStringLiteral("pyramidCost"));
    m_pyramid->setWordWrap(true);
    m_pyramid->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pyramid->hide();
    m_verdict = new QLabel(this);
    m_verdict->setWordWrap(true);
    QFont big = m_verdict->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_verdict->setFont(big);

    m_plot->setMinimumHeight(220);
    m_plot->plotLayout()->clear();
    m_sramRect = addRow(0, tr("SRAM"));
    m_flashRect = addRow(1, tr("Flash"));
    m_plot->legend = new QCPLegend;
    m_plot->plotLayout()->addElement(2, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(3); // three columns: the legend must not set the window's width
    m_plot->legend->setVisible(true);
    m_plot->legend->setLayer(QStringLiteral("legend"));

    m_latency = new QTableWidget(0, 2, this);
    m_latency->setHorizontalHeaderLabels({tr("Cost profile"), tr("Estimated latency (ms)")});
    m_latency->verticalHeader()->hide();
    m_latency->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_latency->horizontalHeader()->setStretchLastSection(true);
    m_latency->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // As tall as its rows: a profile scrolled out of a short table is easily missed.
    m_latency->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_latency->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Board:"), this));
    top->addWidget(m_boardBox);
    top->addWidget(m_description, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_verdict);
    layout->addWidget(m_placement);
    layout->addWidget(m_pyramid);
    layout->addWidget(m_plot, 1);
    layout->addWidget(new QLabel(tr("Estimated latency on this board:"), this));
    layout->addWidget(m_latency);
    styleChart(m_plot, palette());
    setLatencies({});
    showProblem(tr("No model yet."));
}

QCPAxisRect* BoardPanel::addRow(int row, const QString& label)
{
    auto* rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(row, 0, rect);
    rect->axis(QCPAxis::atLeft)->setTicks(false);
    rect->axis(QCPAxis::atLeft)->setLabel(label);
    rect->axis(QCPAxis::atBottom)->setLabel(tr("KiB"));
    rect->axis(QCPAxis::atLeft)->grid()->setVisible(false);
    return rect;
}

QString BoardPanel::boardName() const
{
    const int index = m_boardBox->currentIndex();
    if (index >= 0 && m_boardBox->itemText(index) == m_boardBox->currentText())
        return m_boardBox->itemData(index).toString();
    return m_boardBox->currentText().trimmed();
}

QString BoardPanel::verdict() const
{
    return m_verdict->text();
}

QString BoardPanel::placementText() const
{
    return m_placement->text();
}

void BoardPanel::setBoards(const std::vector<Board>& boards)
{
    m_selecting = true;
    m_boardBox->clear();
    for (const Board& b : boards)
        m_boardBox->addItem(QString::fromStdString(b.name), QString::fromStdString(b.name));
    m_selecting = false;
}

void BoardPanel::selectBoard(const QString& name)
{
    m_selecting = true;
    const int index = m_boardBox->findData(name);
    if (index >= 0)
        m_boardBox->setCurrentIndex(index);
    else
        m_boardBox->setEditText(name);
    m_selecting = false;
}

void BoardPanel::setFit(const FitReport& fit, const QString& context)
{
    m_fit = fit;
    m_context = context;
    m_hasFit = true;
    selectBoard(QString::fromStdString(fit.board.name));
    m_description->setText(tr("%1: %2 SRAM, %3 flash, %4 MHz")
                               .arg(QString::fromStdString(fit.board.description), kibText(fit.board.sramBytes),
                                    kibText(fit.board.flashBytes), QLocale().toString(fit.board.clockMHz, 'f', 0)));
    QString text;
    QPalette pal; // only the roles set here override the inherited palette, so themes still apply
    if (fit.fits) {
        text = tr("Fits: %1 of SRAM and %2 of flash to spare").arg(kibText(fit.sramHeadroom), kibText(fit.flashHeadroom));
    } else if (fit.sramHeadroom >= 0 && fit.flashHeadroom >= 0) {
        text = tr("Does not fit: %1").arg(QString::fromStdString(fit.problem));
        pal.setColor(QPalette::WindowText, budgetColor());
    } else {
        QStringList over;
        if (fit.sramHeadroom < 0)
            over << tr("SRAM by %1").arg(kibText(-fit.sramHeadroom));
        if (fit.flashHeadroom < 0)
            over << tr("flash by %1").arg(kibText(-fit.flashHeadroom));
        text = tr("Overflows %1").arg(over.join(tr(" and ")));
        pal.setColor(QPalette::WindowText, budgetColor());
    }
    m_verdict->setPalette(pal);
    m_verdict->setText(tr("%1 (%2)").arg(text, context));
    // Where each part goes: the frame buffer only where DMA (the camera) reaches.
    QStringList regions;
    for (const RegionUse& r : fit.regions) {
        QStringList items;
        for (const FitPlacement& p : fit.placements)
            if (p.region == r.region.name)
                items << tr("%1 %2").arg(QString::fromStdString(p.item), kibText(p.bytes));
        regions << tr("%1 (%2, %3): %4")
                       .arg(QString::fromStdString(r.region.name), kibText(r.region.bytes),
                            r.region.dmaReachable ? tr("DMA") : tr("no DMA"),
                            items.isEmpty() ? tr("empty") : items.join(QStringLiteral(", ")));
    }
    for (const FitPlacement& p : fit.placements)
        if (p.region.empty())
            regions << tr("%1 %2: no region can hold it").arg(QString::fromStdString(p.item), kibText(p.bytes));
    m_placement->setText(tr("Placed in SRAM regions: %1. The arena is the planner's reservation (%2), not the live peak (%3).")
                             .arg(regions.join(QStringLiteral("; ")), kibText(fit.arenaBytes), kibText(fit.activationPeakBytes)));
    redraw();
}

void BoardPanel::setLatencies(const LatencyEstimates& latencies, const LatencyEstimates& pyramid)
{
    m_latency->setRowCount(0);
    if (latencies.empty()) {
        m_latency->setColumnCount(2);
        m_latency->setHorizontalHeaderLabels({tr("Cost profile"), tr("Estimated latency (ms)")});
        m_latency->setRowCount(1);
        m_latency->setItem(0, 0, new QTableWidgetItem(tr("no estimate")));
        m_latency->setItem(0, 1, new QTableWidgetItem(tr("this build has no latency model for the board")));
        return;
    }
    const bool withPyramid = !pyramid.empty();
    m_latency->setColumnCount(withPyramid ? 3 : 2);
    if (withPyramid)
        m_latency->setHorizontalHeaderLabels({tr("Cost profile"), tr("Input alone (ms, estimate)"), tr("Image pyramid (ms, estimate)")});
    else
        m_latency->setHorizontalHeaderLabels({tr("Cost profile"), tr("Estimated latency (ms)")});
    const auto number = [](double ms) {
        auto* item = new QTableWidgetItem(QLocale().toString(ms, 'f', 1));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    m_latency->setRowCount(static_cast<int>(latencies.size()));
    for (int i = 0; i < static_cast<int>(latencies.size()); ++i) {
        const LatencyEstimate& e = latencies[static_cast<size_t>(i)];
        m_latency->setItem(i, 0, new QTableWidgetItem(e.profile));
        m_latency->setItem(i, 1, number(e.milliseconds));
        if (!withPyramid)
            continue;
        // Matched by profile name: a profile the pyramid's estimate lacks shows none.
        const auto match = std::find_if(pyramid.begin(), pyramid.end(), [&](const LatencyEstimate& p) { return p.profile == e.profile; });
        m_latency->setItem(i, 2, match != pyramid.end() ? number(match->milliseconds) : new QTableWidgetItem(tr("no estimate")));
    }
}

QString BoardPanel::pyramidText() const
{
    return m_pyramid->text();
}

void BoardPanel::setPyramid(const std::vector<PyramidLevelProfile>& levels, ElementType dtype)
{
    // One line here (the Memory tab lists every level); the reasons in the tooltip.
    QStringList sizes;
    for (const PyramidLevelProfile& level : levels)
        sizes << tr("%1×%2").arg(level.input[2]).arg(level.input[1]);
    const bool shown = levels.size() >= 2;
    m_pyramid->setText(shown ? tr("Image pyramid (%1): the same arena as the input alone (peak %2) and %3 beside it "
                                  "for the coarser levels' picture; %4× the multiply-adds.")
                                   .arg(sizes.join(QStringLiteral(", ")), kibText(pyramidPeakBytes(levels)),
                                        kibText(pyramidLevelBufferBytes(levels, dtype)))
                                   .arg(pyramidMaddsRatio(levels), 0, 'f', 2)
                             : QString());
    m_pyramid->setToolTip(shown ? tr("The detector runs the input and its halves one after another in the same arena, so "
                                     "the peak is the largest level's. Level 1's picture is made from the input's rows as "
                                     "they arrive and halved in place for each further level: the firmware keeps it in CCM "
                                     "(rnnpool m4 run --pyramid measures it). The boxes kept between levels (20 bytes "
                                     "each) are not counted. The latency table's second column sums the estimate of every "
                                     "level.")
                                : QString());
    m_pyramid->setVisible(shown);
}

void BoardPanel::showProblem(const QString& message)
{
    m_hasFit = false;
    m_verdict->setPalette(QPalette());
    m_verdict->setText(message);
    m_description->clear();
    m_placement->clear();
    setPyramid({}, ElementType::I8);
    redraw();
}

void BoardPanel::redraw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    if (m_hasFit) {
        drawUsage(m_plot, m_sramRect,
                  {{tr("arena"), m_fit.arenaBytes}, {tr("frame buffer"), m_fit.frameBufferBytes},
                   {tr("kernel scratch"), m_fit.scratchBytes}, {tr("runtime"), m_fit.runtimeBytes}},
                  0, m_fit.board.sramBytes, tr("SRAM %1").arg(kibText(m_fit.board.sramBytes)));
        drawUsage(m_plot, m_flashRect, {{tr("weights"), m_fit.weightBytes}, {tr("code"), m_fit.codeBytes}}, 4,
                  m_fit.board.flashBytes, tr("flash %1").arg(kibText(m_fit.board.flashBytes)));
    }
    m_plot->replot();
}

} // namespace rnnpool::widgets
