// Shared look and export of the studio's charts (QCustomPlot). Colours come
// from the widget's palette, so charts follow light and dark system themes;
// byte axes are in KiB (1024 bytes), as the command line prints them.
//
//   styleChart(plot, plot->palette());          // again on QEvent::PaletteChange
//   plot->yAxis->setLabel(kibAxisLabel(tr("Live activations")));
//   QString error;  if (!exportChart(plot, path, &error)) showError(error);
#pragma once

#include <cstdint>

#include <QColor>
#include <QString>

class QCustomPlot;
class QPalette;
class QWidget;

namespace rnnpool::widgets {

// Colours of data series, distinct on light and dark backgrounds.
QColor seriesColor(int index);
// The colour of budget lines (board SRAM) and of overflow text.
QColor budgetColor();

void styleChart(QCustomPlot* plot, const QPalette& palette);

double toKiB(int64_t bytes);
QString kibText(int64_t bytes);              // "123.4 KiB"
QString kibAxisLabel(const QString& what);   // "what (KiB)"

// PNG or PDF by the file's suffix; on failure `error` names the file and the reason.
bool exportChart(QCustomPlot* plot, const QString& path, QString* error);
// Renders any widget (a whole tab) to a PNG file.
bool saveWidgetPng(QWidget* widget, const QString& path, QString* error);

} // namespace rnnpool::widgets
