#include "widgets/chart_style.h"

#include <QApplication>
#include <QFileInfo>
#include <QLocale>
#include <QPalette>
#include <QPixmap>
#include <QWidget>

#include <qcustomplot.h>

namespace rnnpool::widgets {

QColor seriesColor(int index)
{
    // Hues a golden angle apart keep neighbours distinct however many series there are;
    // mid saturation and value read on both white and near-black backgrounds.
    const int hue = static_cast<int>((static_cast<long>(index) * 137 + 210) % 360);
    return QColor::fromHsv(hue, 170, 215);
}

QColor budgetColor()
{
    // On a dark background the red is lightened so labels keep their contrast.
    const QColor base = QApplication::palette().color(QPalette::Base);
    return base.lightness() < 128 ? QColor(255, 110, 100) : QColor(200, 30, 30);
}

void styleChart(QCustomPlot* plot, const QPalette& palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(45);
    plot->setBackground(base);
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setBackground(base);
        for (QCPAxis* axis : rect->axes()) {
            axis->setBasePen(QPen(text));
            axis->setTickPen(QPen(text));
            axis->setSubTickPen(QPen(text));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    if (plot->legend) {
        plot->legend->setBrush(base);
        plot->legend->setTextColor(text);
        plot->legend->setBorderPen(QPen(grid));
    }
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
            title->setTextColor(text);
}

double toKiB(int64_t bytes)
{
    return static_cast<double>(bytes) / 1024.0;
}

QString kibText(int64_t bytes)
{
    return QStringLiteral("%1 KiB").arg(QLocale().toString(toKiB(bytes), 'f', 1));
}

QString kibAxisLabel(const QString& what)
{
    return QStringLiteral("%1 (KiB)").arg(what);
}

bool exportChart(QCustomPlot* plot, const QString& path, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, plot->width(), plot->height(), 2.0);
    else if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path);
    else {
        if (error)
            *error = QObject::tr("'%1': charts export to .png or .pdf, not '.%2'").arg(path, suffix);
        return false;
    }
    if (!ok && error)
        *error = QObject::tr("'%1': could not write the file (is the folder there and writable?)").arg(path);
    return ok;
}

bool saveWidgetPng(QWidget* widget, const QString& path, QString* error)
{
    const bool ok = widget->grab().save(path, "PNG");
    if (!ok && error)
        *error = QObject::tr("'%1': could not write the picture").arg(path);
    return ok;
}

} // namespace rnnpool::widgets
