#include "widgets/emulator_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "widgets/emulator_charts.h"

namespace rnnpool::widgets {

namespace {

QString bytesText(uint64_t bytes)
{
    return QObject::tr("%1 B").arg(QLocale::system().toString(static_cast<qulonglong>(bytes)));
}

QString countText(uint64_t n)
{
    return QLocale::system().toString(static_cast<qulonglong>(n));
}

// The frame, at most 360 pixels wide, with the faces drawn as rectangles.
QImage facesOver(const QImage& frame, const std::vector<EmulatorRun::Face>& faces, const QColor& colour, float threshold)
{
    if (frame.isNull())
        return {};
    QImage image = frame.width() > 360 ? frame.scaledToWidth(360, Qt::SmoothTransformation) : frame.copy();
    image = image.convertToFormat(QImage::Format_RGB32);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour, 2));
    for (const EmulatorRun::Face& f : faces)
        if (f.score >= threshold)
            painter.drawRect(QRectF(f.box.x() * image.width(), f.box.y() * image.height(), f.box.width() * image.width(),
                                f.box.height() * image.height()));
    return image;
}

// The height, then the schedule: "<width>x" + this reads "80x60, schedule layerwise".
QString sizeAndSchedule(const EmulatorRun& r)
{
    return QObject::tr("%1, schedule %2").arg(r.height).arg(r.schedule);
}

bool sameFaces(const std::vector<EmulatorRun::Face>& a, const std::vector<EmulatorRun::Face>& b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].score != b[i].score || a[i].box != b[i].box)
            return false;
    return true;
}

} // namespace

EmulatorPanel::EmulatorPanel(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("emulatorPanel"));
    m_size = new QComboBox(this);
    m_size->setToolTip(tr("The input the firmware runs at. The netduinoplus2's 128 KiB of SRAM hold the whole-map int8 "
                          "schedule up to about 160x120 and the rowstream and linebuffer schedules at 320x240; what does not fit "
                          "is refused "
                          "with the numbers before anything is built."));
    m_schedule = new QComboBox(this);
    m_schedule->addItems(
        {QStringLiteral("layerwise"), QStringLiteral("paper"), QStringLiteral("rowstream"), QStringLiteral("linebuffer")});
    m_schedule->setToolTip(tr("How the firmware runs the network. layerwise: one layer at a time on whole maps. paper: "
                              "RNNPool patch row by patch row and the inverted residuals row by row (the int8 streaming "
                              "kernels), the picture held whole. rowstream: the same, the picture read row by row into a "
                              "17-row ring: RNNPool-Face-M4 at 320x240 fits the F405's 128 KiB of SRAM. linebuffer: every map a few "
                              "rows at a time, as soon as the rows it reads exist: the same model in 64 KiB, at several "
                              "times the instructions (RNNPool pooled patch by patch). Same as: "
                              "rnnpool m4 run --schedule NAME"));
    m_run = new QPushButton(tr("Run on emulated Cortex-M4 (QEMU)"), this);
    m_run->setToolTip(tr("Builds the int8 model as firmware with arm-none-eabi-gcc, runs it in qemu-system-arm "
                         "(netduinoplus2, STM32F405) on the current picture, and compares its head maps with the desktop "
                         "int8 engine's. Same as: rnnpool m4 run --image PICTURE --size WxH --schedule NAME"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stops the firmware build or the QEMU run in progress."));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &EmulatorPanel::cancelRequested);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_layers = new QTableWidget(0, 4, this);
    m_layers->setHorizontalHeaderLabels(
        {tr("Layer"), tr("Instructions (QEMU count)"), tr("Op class"), tr("Predicted / measured")});
    m_layers->horizontalHeaderItem(3)->setToolTip(
        tr("Instructions the rnnpool-int8 cost profile (our kernels) predicts for the layer, over the measured count. "
           "Same as: rnnpool m4 run --json, layers[].predicted_cycles"));
    m_layers->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    for (int c = 1; c < 4; ++c)
        m_layers->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_layers->verticalHeader()->setDefaultSectionSize(m_layers->fontMetrics().height() + 4);
    m_layers->verticalHeader()->hide();
    m_layers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_layers->setMinimumHeight(120);
    m_layerChart = new EmulatorLayerChart(this);
    m_memoryChart = new EmulatorMemoryChart(this);
    m_desktopFaces = new QLabel(this);
    m_chipFaces = new QLabel(this);
    m_facesCaption = new QLabel(this);
    m_facesCaption->setWordWrap(true);
    for (QLabel* l : {m_desktopFaces, m_chipFaces})
        l->setAlignment(Qt::AlignCenter);

    auto* perLayer = new QSplitter(Qt::Horizontal, this);
    perLayer->addWidget(m_layers);
    perLayer->addWidget(m_layerChart);
    perLayer->setStretchFactor(0, 3);
    perLayer->setStretchFactor(1, 2);
    auto* faces = new QWidget(this);
    auto* pictures = new QHBoxLayout;
    for (auto [label, title] : {std::pair{m_desktopFaces, tr("Desktop int8 engine")},
                                std::pair{m_chipFaces, tr("Emulated Cortex-M4 (QEMU)")}}) {
        auto* column = new QVBoxLayout;
        column->addWidget(new QLabel(title, faces), 0, Qt::AlignHCenter);
        column->addWidget(label, 1);
        pictures->addLayout(column);
    }
    auto* facesLayout = new QVBoxLayout(faces);
    facesLayout->addLayout(pictures, 1);
    facesLayout->addWidget(m_facesCaption);
    m_views = new QTabWidget(this);
    m_views->setDocumentMode(true);
    m_views->addTab(perLayer, tr("Per layer"));
    m_views->addTab(m_memoryChart, tr("Memory"));
    m_views->addTab(faces, tr("Faces"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Firmware input:"), this));
    bar->addWidget(m_size);
    bar->addWidget(new QLabel(tr("schedule:"), this));
    bar->addWidget(m_schedule);
    bar->addWidget(m_run);
    bar->addWidget(m_cancel);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_summary);
    layout->addWidget(m_views, 1);
    setSizes({QStringLiteral("80x60"), QStringLiteral("160x120"), QStringLiteral("320x240")});
    connect(m_run, &QPushButton::clicked, this, &EmulatorPanel::run);
    setAvailable(false, tr("Open a face detector and a picture to run it on the emulated chip."));
}

void EmulatorPanel::setSizes(const QStringList& sizes)
{
    m_size->clear();
    m_size->addItems(sizes);
}

bool EmulatorPanel::canRun() const
{
    return m_available && !m_running;
}

void EmulatorPanel::setAvailable(bool available, const QString& why)
{
    m_available = available;
    m_run->setEnabled(canRun());
    if (!m_running)
        m_status->setText(available ? tr("Measured on the emulator, not estimated: QEMU counts instructions, not cycles.")
                                    : why);
}

void EmulatorPanel::setRunning(const QString& what)
{
    m_running = true;
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    m_status->setText(what);
}

void EmulatorPanel::run()
{
    if (!canRun())
        return;
    const QStringList parts = m_size->currentText().split(u'x');
    bool okW = false, okH = false;
    const int w = parts.size() == 2 ? parts[0].toInt(&okW) : 0;
    const int h = parts.size() == 2 ? parts[1].toInt(&okH) : 0;
    if (!okW || !okH || w <= 0 || h <= 0) {
        showProblem(tr("'%1' is not WIDTHxHEIGHT").arg(m_size->currentText()));
        return;
    }
    emit runRequested(w, h, m_schedule->currentText());
}

void EmulatorPanel::showProblem(const QString& message)
{
    m_running = false;
    m_cancel->setEnabled(false);
    m_run->setEnabled(canRun());
    m_status->setText(message);
}

void EmulatorPanel::setResult(const EmulatorRun& r)
{
    m_running = false;
    m_cancel->setEnabled(false);
    m_run->setEnabled(canRun());
    QStringList ram;
    for (const auto& [region, bytes] : r.ramBytes)
        ram << tr("%1 %2").arg(region, bytesText(bytes));
    QString text;
    if (!r.ran) {
        text = tr("%1 at %2x%3: built and sized, not run (no emulator for this board). Flash %4; %5.")
                   .arg(r.board).arg(r.width).arg(sizeAndSchedule(r)).arg(bytesText(r.flashBytes), ram.join(u", "));
    } else {
        const double msAtOneIpc = r.clockHz > 0.0 ? static_cast<double>(r.instructions) / r.clockHz * 1e3 : 0.0;
        text = tr("%1 at %2x%3: %4 instructions per frame (QEMU's count; instructions, not cycles). At %5 MHz and one "
                  "instruction per cycle that is %6 ms, an estimate and a lower bound. Head maps %7 the desktop int8 "
                  "engine's (%8 of %9 values). Flash %10; %11; stack high-water %12. Emulator wall time %13 s.")
                   .arg(r.board)
                   .arg(r.width)
                   .arg(sizeAndSchedule(r))
                   .arg(countText(r.instructions))
                   .arg(r.clockHz / 1e6, 0, 'f', 0)
                   .arg(msAtOneIpc, 0, 'f', 1)
                   .arg(r.identical() ? tr("are bit-identical to") : tr("DIFFER from"))
                   .arg(r.headMatching)
                   .arg(r.headValues)
                   .arg(bytesText(r.flashBytes), ram.join(u", "), bytesText(r.stackHighWaterBytes))
                   .arg(r.emulatorSeconds, 0, 'f', 1);
    }
    if (r.ran && !r.levels.empty())
        text += u' ' + pyramidText(r);
    else if (r.ran && !m_pyramidNote.isEmpty() && r.width == m_pyramidWidth && r.height == m_pyramidHeight)
        text += u' ' + m_pyramidNote;
    m_summary->setText(text);
    m_status->setText(tr("Measured on the emulator, not estimated: QEMU counts instructions, not cycles."));
    m_layers->setRowCount(static_cast<int>(r.layers.size()));
    for (int i = 0; i < static_cast<int>(r.layers.size()); ++i) {
        const EmulatorRun::Layer& layer = r.layers[static_cast<size_t>(i)];
        m_layers->setItem(i, 0, new QTableWidgetItem(layer.name));
        auto* count = new QTableWidgetItem(countText(layer.instructions));
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_layers->setItem(i, 1, count);
        m_layers->setItem(i, 2, new QTableWidgetItem(layer.opClass));
        const bool known = layer.instructions > 0 && layer.predicted > 0.0;
        auto* ratio = new QTableWidgetItem(
            known ? QString::number(layer.predicted / static_cast<double>(layer.instructions), 'f', 2) : tr("–"));
        ratio->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (known)
            ratio->setToolTip(tr("predicted %1 instructions").arg(countText(static_cast<uint64_t>(layer.predicted + 0.5))));
        m_layers->setItem(i, 3, ratio);
    }
    m_layerChart->setRun(r);
    m_memoryChart->setRun(r);
    m_last = r;
    drawFaces();
}

void EmulatorPanel::setFaceThreshold(float threshold)
{
    m_faceThreshold = threshold;
    drawFaces();
}

void EmulatorPanel::drawFaces()
{
    if (!m_last)
        return;
    const EmulatorRun& r = *m_last;
    const QColor desktop(40, 200, 80), chip(230, 60, 200);
    m_desktopImage = facesOver(r.frame, r.desktopFaces, desktop, m_faceThreshold);
    m_chipImage = facesOver(r.frame, r.chipFaces, chip, m_faceThreshold);
    m_desktopFaces->setPixmap(QPixmap::fromImage(m_desktopImage));
    m_chipFaces->setPixmap(QPixmap::fromImage(m_chipImage));
    m_facesCaption->setText(facesText(r) + u' ' +
                            tr("Drawn: the faces scoring at least %1 (the studio's threshold).").arg(m_faceThreshold, 0, 'f', 2));
}

QString EmulatorPanel::facesText() const
{
    return m_facesCaption->text();
}

QString EmulatorPanel::facesText(const EmulatorRun& r)
{
    if (!r.ran)
        return tr("Not run: %1 has no emulator, so there are no faces from the chip.").arg(r.board);
    return tr("%1 faces from the desktop int8 engine, %2 from the chip's head maps (the same decoding and NMS): %3.")
        .arg(r.desktopFaces.size())
        .arg(r.chipFaces.size())
        .arg(sameFaces(r.desktopFaces, r.chipFaces) ? tr("the same boxes and scores")
                                                   : tr("THEY DIFFER"));
}

QString EmulatorPanel::pyramidText(const EmulatorRun& r)
{
    QStringList levels;
    uint64_t halving = 0;
    for (const EmulatorRun::Level& l : r.levels) {
        levels << tr("%1x%2 %3").arg(l.width).arg(l.height).arg(countText(l.instructions));
        halving += l.halveInstructions;
    }
    return tr("Every level of the image pyramid ran on the chip (%1 instructions; making the coarser levels' "
              "pictures %2), each level's head maps compared.")
        .arg(levels.join(u", "), countText(halving));
}

void EmulatorPanel::setDetectorPyramid(int levels, double maddsRatio, int width, int height)
{
    m_pyramidWidth = width;
    m_pyramidHeight = height;
    m_pyramidNote = levels < 2 ? QString()
                               : tr("This run was of the input alone; the studio's detector runs an image pyramid of %1 "
                                    "levels, about %2× these instructions (an estimate from its multiply-adds, not measured).")
                                     .arg(levels)
                                     .arg(maddsRatio, 0, 'f', 2);
}

QString EmulatorPanel::summaryText() const
{
    return m_summary->text();
}

} // namespace rnnpool::widgets
