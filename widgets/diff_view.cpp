#include "widgets/diff_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace rnnpool::widgets {

namespace {

enum Column { LayerA, LayerB, Output, Params, Madds, Bytes, MsA, MsB, MaxAbs, Sqnr, ColumnCount };

QString count(int64_t v)
{
    return QLocale::system().toString(static_cast<qlonglong>(v));
}

QString pairText(const LayerSide& a, const LayerSide& b, int64_t LayerSide::*field)
{
    if (a.node < 0)
        return QStringLiteral("– / %1").arg(count(b.*field));
    if (b.node < 0)
        return QStringLiteral("%1 / –").arg(count(a.*field));
    return a.*field == b.*field ? count(a.*field) : QStringLiteral("%1 / %2").arg(count(a.*field), count(b.*field));
}

QString shapeText(const Shape& s)
{
    QStringList parts;
    for (int64_t d : s)
        parts << QString::number(d);
    return parts.join(u'×');
}

QTableWidgetItem* item(const QString& text, bool right = false)
{
    auto* i = new QTableWidgetItem(text);
    if (right)
        i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

} // namespace

DiffView::DiffView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("diffView"));
    m_choose = new QPushButton(tr("Compare with a model…"), this);
    m_choose->setToolTip(tr("Pick model B (.pth, .safetensors, .json, .onnx or an int8 file): its layers beside this model's, "
                            "paired by name, or by position where the names differ. Same as: rnnpool diff A B --image PICTURE"));
    m_int8 = new QPushButton(tr("Compare with its int8 twin"), this);
    m_int8->setToolTip(tr("This model against its int8 version (the shipped twin, or quantised now), per layer on the picture "
                          "shown: where quantisation loses signal."));
    m_summary = new QLabel(tr("Choose a model to compare with."), this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({tr("Layer (A)"), tr("Layer (B)"), tr("Output C×H×W"), tr("Params"), tr("MAdds"),
                                        tr("Bytes"), tr("ms A"), tr("ms B"), tr("max |A−B|"), tr("SQNR dB")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTextElideMode(Qt::ElideLeft);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_choose);
    bar->addWidget(m_int8);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    connect(m_choose, &QPushButton::clicked, this, &DiffView::chooseModelRequested);
    connect(m_int8, &QPushButton::clicked, this, &DiffView::int8TwinRequested);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (row >= 0 && static_cast<size_t>(row) < m_rowNodes.size() && m_rowNodes[static_cast<size_t>(row)] >= 0)
            emit layerSelected(m_rowNodes[static_cast<size_t>(row)]);
    });
}

QString DiffView::summaryText() const
{
    return m_summary->text();
}

void DiffView::setInt8Available(bool available)
{
    m_int8->setEnabled(available);
}

void DiffView::setRunning(const QString& what)
{
    m_choose->setEnabled(false);
    m_summary->setText(what);
}

void DiffView::showProblem(const QString& message)
{
    m_choose->setEnabled(true);
    m_summary->setText(message);
}

void DiffView::setDiff(const ModelDiff& diff)
{
    m_choose->setEnabled(true);
    m_table->setRowCount(static_cast<int>(diff.layers.size()));
    m_rowNodes.clear();
    m_worstRow = -1;
    const LayerDiff* worst = diff.worst();
    const auto ms = [](const LayerSide& s) { return s.node >= 0 && s.seconds >= 0.0 ? QString::number(s.seconds * 1e3, 'f', 3) : QString(); };
    for (int r = 0; r < static_cast<int>(diff.layers.size()); ++r) {
        const LayerDiff& l = diff.layers[static_cast<size_t>(r)];
        m_rowNodes.push_back(l.a.node);
        QString shape = l.a.node >= 0 ? shapeText(l.a.shape) : QString();
        if (l.b.node >= 0 && (l.a.node < 0 || l.b.shape != l.a.shape))
            shape += (shape.isEmpty() ? QString() : QStringLiteral(" | ")) + shapeText(l.b.shape);
        m_table->setItem(r, LayerA, item(l.a.node >= 0 ? QString::fromStdString(l.a.name) : QStringLiteral("–")));
        m_table->setItem(r, LayerB, item(l.b.node >= 0 ? QString::fromStdString(l.b.name) : QStringLiteral("–")));
        m_table->setItem(r, Output, item(shape));
        m_table->setItem(r, Params, item(pairText(l.a, l.b, &LayerSide::params), true));
        m_table->setItem(r, Madds, item(pairText(l.a, l.b, &LayerSide::madds), true));
        m_table->setItem(r, Bytes, item(pairText(l.a, l.b, &LayerSide::bytes), true));
        m_table->setItem(r, MsA, item(ms(l.a), true));
        m_table->setItem(r, MsB, item(ms(l.b), true));
        m_table->setItem(r, MaxAbs, item(l.compared ? QString::number(l.maxAbs, 'g', 4) : QString(), true));
        m_table->setItem(r, Sqnr, item(l.compared ? (l.sqnrDb ? QString::number(*l.sqnrDb, 'f', 1) : tr("identical")) : QString(), true));
        if (&l == worst) {
            m_worstRow = r;
            for (int c = 0; c < ColumnCount; ++c) {
                QFont f = m_table->item(r, c)->font();
                f.setBold(true);
                m_table->item(r, c)->setFont(f);
            }
        }
    }
    QString text = tr("A: %1\nB: %2\n%3 of %4 layers paired by %5")
                       .arg(QString::fromStdString(diff.labelA), QString::fromStdString(diff.labelB))
                       .arg(diff.paired())
                       .arg(diff.layers.size())
                       .arg(diff.rule == "name" ? tr("name") : tr("position (the names differ)"));
    if (!diff.ran)
        text += tr("; no picture: shapes and counts only");
    else if (worst)
        text += tr("; on the picture shown (times: medians of %1 runs), the lowest SQNR is %2 dB at %3 (bold)")
                    .arg(diff.runs)
                    .arg(*worst->sqnrDb, 0, 'f', 1)
                    .arg(QString::fromStdString(worst->a.name));
    else
        text += tr("; on the picture shown every compared layer is identical");
    m_summary->setText(text);
}

} // namespace rnnpool::widgets
