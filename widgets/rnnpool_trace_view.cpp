// First: ops/rnnpool.h cannot follow a Qt header (see rnnpool_trace_view.h).
#include "ops/rnnpool.h"

#include "widgets/rnnpool_trace_view.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QToolTip>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QSlider>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "widgets/heatmap.h"

namespace rnnpool::widgets {

namespace {

// Sweeps along rows are orange, down columns blue, everywhere in the view.
const QColor kRowColour(230, 126, 34);
const QColor kColumnColour(41, 128, 185);
constexpr int kMargin = 14;
constexpr int kGap = 8;
constexpr int kTitleHeight = 20;
constexpr int kMaxPatchPanelWidth = 330;
constexpr int kMinPatchPanelWidth = 220;
constexpr int kStepAnimationMs = 450;
// FastGRNN states lie in [-1, 1]; a fixed range keeps colours comparable across patches and steps.
constexpr ValueRange kStateRange{-1.0f, 1.0f};

void drawArrow(QPainter& p, QPointF from, QPointF to, const QColor& colour, qreal width)
{
    p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(from, to);
    const QPointF d = to - from;
    const qreal len = std::hypot(d.x(), d.y());
    if (len <= 0.0)
        return;
    const QPointF u = d / len, n(-u.y(), u.x());
    const qreal head = 3.0 + 2.5 * width;
    QPainterPath tip;
    tip.moveTo(to);
    tip.lineTo(to - u * head + n * head * 0.55);
    tip.lineTo(to - u * head - n * head * 0.55);
    tip.closeSubpath();
    p.fillPath(tip, colour);
}

} // namespace

struct RnnPoolTraceCanvas::Layout {
    QRect patch, rowsRnn1, colsRnn1, rnn2, output, legend;
};

RnnPoolTraceCanvas::RnnPoolTraceCanvas(QWidget* parent)
    : QWidget(parent)
    , m_trace(std::make_unique<RnnPoolTrace>())
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

RnnPoolTraceCanvas::~RnnPoolTraceCanvas() = default;

void RnnPoolTraceCanvas::setTrace(const RnnPoolTrace& trace, const QImage& patchPicture)
{
    *m_trace = trace;
    m_picture = patchPicture;
    m_hasTrace = trace.size > 0 && trace.input.rank() == 3;
    if (m_hasTrace) {
        const int64_t k = trace.size, c = trace.input.dim(0);
        std::vector<float> mean(static_cast<size_t>(k * k), 0.0f);
        for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t i = 0; i < k * k; ++i)
                mean[static_cast<size_t>(i)] += trace.input.data()[ch * k * k + i] / static_cast<float>(c);
        m_meanInput = heatmapImage(mean.data(), static_cast<int>(k), static_cast<int>(k),
                                   valueRange(mean.data(), k * k), Colormap::Viridis);
    }
    m_step = std::clamp(m_step, 0, m_hasTrace ? static_cast<int>(trace.size) - 1 : 0);
    update();
}

void RnnPoolTraceCanvas::clear()
{
    m_hasTrace = false;
    *m_trace = {};
    m_picture = {};
    update();
}

void RnnPoolTraceCanvas::setStep(int step)
{
    m_step = std::clamp(step, 0, m_hasTrace ? static_cast<int>(m_trace->size) - 1 : 0);
    update();
}

QSize RnnPoolTraceCanvas::sizeHint() const
{
    return {1100, 780};
}

QSize RnnPoolTraceCanvas::minimumSizeHint() const
{
    return {520, 480}; // fits an 800-pixel-wide window beside the layer dock
}

RnnPoolTraceCanvas::Layout RnnPoolTraceCanvas::layout() const
{
    Layout l;
    const int panel = std::clamp(width() * 28 / 100, kMinPatchPanelWidth, kMaxPatchPanelWidth);
    const int right = kMargin + panel + 3 * kGap;
    const int w = width() - right - kMargin;
    const int h = height() - 2 * kMargin;
    l.patch = QRect(kMargin, kMargin, panel, h * 62 / 100);
    l.legend = QRect(kMargin, l.patch.bottom() + kGap, panel, h - l.patch.height() - kGap);
    const int rnn1Height = h * 27 / 100;
    l.rowsRnn1 = QRect(right, kMargin, w, rnn1Height);
    l.colsRnn1 = QRect(right, l.rowsRnn1.bottom() + kGap, w, rnn1Height);
    l.rnn2 = QRect(right, l.colsRnn1.bottom() + kGap, w, h * 28 / 100);
    l.output = QRect(right, l.rnn2.bottom() + kGap, w, kMargin + h - l.rnn2.bottom() - kGap);
    return l;
}

void RnnPoolTraceCanvas::paintTitle(QPainter& p, const QRect& r, const QString& text, const QColor& colour) const
{
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(colour);
    p.drawText(QRect(r.left(), r.top(), r.width(), kTitleHeight), Qt::AlignLeft | Qt::AlignVCenter, text);
    p.setFont(font());
}

void RnnPoolTraceCanvas::paintStates(QPainter& p, const QRect& r, const float* states, int steps, int units,
                                     int litUntil, const QString& label) const
{
    m_drawn.push_back({r, states, steps, units, label});
    // data is [step][unit]; the picture has steps along x and units along y.
    std::vector<float> transposed(static_cast<size_t>(steps * units));
    for (int s = 0; s < steps; ++s)
        for (int u = 0; u < units; ++u)
            transposed[static_cast<size_t>(u * steps + s)] = states[s * units + u];
    p.drawImage(r, heatmapImage(transposed.data(), steps, units, kStateRange, Colormap::Diverging));
    const qreal cw = r.width() / static_cast<qreal>(steps);
    if (litUntil + 1 < steps) {
        QColor fade = palette().color(QPalette::Base);
        fade.setAlpha(185);
        p.fillRect(QRectF(r.left() + (litUntil + 1) * cw, r.top(), r.width() - (litUntil + 1) * cw, r.height()), fade);
    }
    p.setPen(QPen(palette().color(QPalette::WindowText), 2.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(r.left() + litUntil * cw, r.top(), cw, r.height()));
    p.setPen(QPen(palette().color(QPalette::Mid), 1.0));
    p.drawRect(QRectF(r).adjusted(-0.5, -0.5, 0.5, 0.5));
}

void RnnPoolTraceCanvas::paintPatch(QPainter& p, const QRect& area) const
{
    const int k = static_cast<int>(m_trace->size);
    paintTitle(p, area, tr("Input patch (%1×%1, %2 channels)").arg(k).arg(m_trace->input.dim(0)),
               palette().color(QPalette::WindowText));
    // Room on the right and below for RNN2's arrows.
    const int side = std::min(area.width() - 56, area.height() - kTitleHeight - 60);
    const QRect square(area.left() + 8, area.top() + kTitleHeight + 14, side, side);
    if (!m_picture.isNull())
        p.drawImage(square, m_picture);
    else
        p.drawImage(square, m_meanInput);
    const qreal cell = side / static_cast<qreal>(k);
    p.setPen(QPen(QColor(255, 255, 255, 90), 1.0));
    for (int i = 1; i < k; ++i) {
        p.drawLine(QPointF(square.left() + i * cell, square.top()), QPointF(square.left() + i * cell, square.bottom()));
        p.drawLine(QPointF(square.left(), square.top() + i * cell), QPointF(square.right(), square.top() + i * cell));
    }
    // The cells RNN1 reads at this step: column `step` of every row sweep, row `step` of every column sweep.
    QColor rowBand = kRowColour, colBand = kColumnColour;
    rowBand.setAlpha(70);
    colBand.setAlpha(70);
    p.fillRect(QRectF(square.left() + m_step * cell, square.top(), cell, side), rowBand);
    p.fillRect(QRectF(square.left(), square.top() + m_step * cell, side, cell), colBand);
    // RNN1 along every row (left to right) and down every column (top to bottom), drawn up to the step.
    for (int i = 0; i < k; ++i) {
        const qreal mid = (i + 0.5) * cell;
        const qreal reach = (m_step + 0.85) * cell;
        drawArrow(p, QPointF(square.left() + 0.15 * cell, square.top() + mid - cell * 0.12),
                  QPointF(square.left() + reach, square.top() + mid - cell * 0.12), kRowColour, 1.6);
        drawArrow(p, QPointF(square.left() + mid + cell * 0.12, square.top() + 0.15 * cell),
                  QPointF(square.left() + mid + cell * 0.12, square.top() + reach), kColumnColour, 1.6);
    }
    // RNN2 over the row summaries (beside the patch) and the column summaries (below it).
    const qreal x1 = square.right() + 12, x2 = square.right() + 28;
    drawArrow(p, QPointF(x1, square.top()), QPointF(x1, square.top() + (m_step + 1) * cell), kRowColour.darker(130), 2.5);
    drawArrow(p, QPointF(x2, square.bottom()), QPointF(x2, square.bottom() - (m_step + 1) * cell), kRowColour.lighter(125), 2.5);
    const qreal y1 = square.bottom() + 12, y2 = square.bottom() + 28;
    drawArrow(p, QPointF(square.left(), y1), QPointF(square.left() + (m_step + 1) * cell, y1), kColumnColour.darker(130), 2.5);
    drawArrow(p, QPointF(square.right(), y2), QPointF(square.right() - (m_step + 1) * cell, y2), kColumnColour.lighter(125), 2.5);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRectF(square.left(), y2 + 6, side + 40, 18), Qt::AlignLeft,
               tr("map x %1–%2, y %3–%4")
                   .arg(m_trace->left)
                   .arg(m_trace->left + k - 1)
                   .arg(m_trace->top)
                   .arg(m_trace->top + k - 1));
}

void RnnPoolTraceCanvas::paintLegend(QPainter& p, const QRect& area) const
{
    const int k = static_cast<int>(m_trace->size);
    paintTitle(p, area, tr("Mean activation of the patch"), palette().color(QPalette::WindowText));
    const int stripTop = area.bottom() - 30;
    const int side = std::clamp(area.height() / 3, 0, 80);
    if (side > 8)
        p.drawImage(QRect(area.left() + 8, area.top() + kTitleHeight + 4, side, side), m_meanInput);
    const QRect text(area.left() + 8, area.top() + kTitleHeight + side + 10, area.width() - 16,
                     stripTop - (area.top() + kTitleHeight + side + 14));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(text, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               tr("Step %1 of %2: RNN1 reads column %3 of every row and row %3 of every column; "
                  "RNN2 reads row and column summary %3 forward, %4 backward.")
                   .arg(m_step + 1)
                   .arg(k)
                   .arg(m_step)
                   .arg(k - 1 - m_step));
    const QRect strip(area.left() + 8, stripTop, area.width() - 16, 10);
    p.drawImage(strip, colormapStrip(Colormap::Diverging, strip.width(), 1));
    const QRect labels(strip.left(), strip.bottom() + 2, strip.width(), 16);
    p.drawText(labels, Qt::AlignLeft, QStringLiteral("−1"));
    p.drawText(labels, Qt::AlignHCenter, tr("hidden state 0"));
    p.drawText(labels, Qt::AlignRight, QStringLiteral("+1"));
}

void RnnPoolTraceCanvas::paintRnn1(QPainter& p, const QRect& area, bool rows) const
{
    const int k = static_cast<int>(m_trace->size), h1 = static_cast<int>(m_trace->hidden1);
    paintTitle(p, area,
               rows ? tr("RNN1 along each row →  (step × unit, h1 = %1)").arg(h1)
                    : tr("RNN1 down each column ↓  (step × unit, h1 = %1)").arg(h1),
               rows ? kRowColour : kColumnColour);
    const Tensor& sweeps = rows ? m_trace->rowSweeps : m_trace->colSweeps;
    const int labelHeight = 16;
    const int cellW = std::max(2, (area.width() - (k - 1) * kGap) / (k * k));
    const int cellH = std::max(1, std::min(cellW, (area.height() - kTitleHeight - labelHeight - 4) / h1));
    for (int line = 0; line < k; ++line) {
        const QRect r(area.left() + line * (k * cellW + kGap), area.top() + kTitleHeight + labelHeight, k * cellW, h1 * cellH);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(r.left(), r.top() - labelHeight, r.width(), labelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                   rows ? tr("row %1").arg(line) : tr("col %1").arg(line));
        paintStates(p, r, sweeps.data() + int64_t(line) * k * h1, k, h1, m_step,
                    rows ? tr("RNN1 row %1").arg(line) : tr("RNN1 column %1").arg(line));
    }
}

void RnnPoolTraceCanvas::paintRnn2(QPainter& p, const QRect& area) const
{
    const int k = static_cast<int>(m_trace->size), h2 = static_cast<int>(m_trace->hidden2);
    paintTitle(p, area, tr("RNN2 over the summaries  (step × unit, h2 = %1)").arg(h2),
               palette().color(QPalette::WindowText));
    struct Panel {
        const Tensor* states;
        QString name;
        QColor colour;
        bool backward;
    };
    const Panel panels[4] = {{&m_trace->rowsForward, tr("rows fwd ↓"), kRowColour.darker(130), false},
                             {&m_trace->rowsBackward, tr("rows bwd ↑"), kRowColour.lighter(125), true},
                             {&m_trace->colsForward, tr("cols fwd →"), kColumnColour.darker(130), false},
                             {&m_trace->colsBackward, tr("cols bwd ←"), kColumnColour.lighter(125), true}};
    const int labelHeight = 18;
    const int panelWidth = (area.width() - 3 * 2 * kGap) / 4;
    const int cellW = std::max(2, panelWidth / k);
    const int cellH = std::max(1, std::min(cellW, (area.height() - kTitleHeight - 2 * labelHeight - 4) / h2));
    for (int i = 0; i < 4; ++i) {
        const QRect r(area.left() + i * (panelWidth + 2 * kGap), area.top() + kTitleHeight + labelHeight, k * cellW,
                      h2 * cellH);
        p.setPen(panels[i].colour);
        p.drawText(QRect(r.left(), r.top() - labelHeight, panelWidth, labelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                   panels[i].name);
        paintStates(p, r, panels[i].states->data(), k, h2, m_step, tr("RNN2 %1").arg(panels[i].name));
        // Which summary the step reads: forward reads `step`, backward reads k-1-step.
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(r.left(), r.bottom() + 2, r.width() + 40, 16), Qt::AlignLeft,
                   tr("reads %1").arg(panels[i].backward ? k - 1 - m_step : m_step));
    }
}

void RnnPoolTraceCanvas::paintOutput(QPainter& p, const QRect& area) const
{
    const int h2 = static_cast<int>(m_trace->hidden2);
    const bool done = m_step == static_cast<int>(m_trace->size) - 1;
    paintTitle(p, area,
               done ? tr("Output: the 4·h2 = %1 values of this patch").arg(4 * h2)
                    : tr("Output: 4·h2 = %1 values (at the last step)").arg(4 * h2),
               palette().color(QPalette::WindowText));
    const int cellW = std::max(2, std::min(24, (area.width() - 3 * kGap) / (4 * h2)));
    const int cellH = std::min(28, area.height() - kTitleHeight - 20);
    const QColor colours[4] = {kRowColour.darker(130), kRowColour.lighter(125), kColumnColour.darker(130),
                               kColumnColour.lighter(125)};
    const QString names[4] = {tr("rows fwd"), tr("rows bwd"), tr("cols fwd"), tr("cols bwd")};
    for (int part = 0; part < 4; ++part) {
        const QRect r(area.left() + part * (h2 * cellW + kGap), area.top() + kTitleHeight + 2, h2 * cellW, cellH);
        p.drawImage(r, heatmapImage(m_trace->output.data() + part * h2, h2, 1, kStateRange, Colormap::Diverging));
        if (!done) {
            QColor fade = palette().color(QPalette::Base);
            fade.setAlpha(185);
            p.fillRect(r, fade);
        }
        p.fillRect(QRect(r.left(), r.bottom() + 2, r.width(), 3), colours[part]);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(r.left(), r.bottom() + 5, r.width(), 16), Qt::AlignHCenter, names[part]);
    }
}

void RnnPoolTraceCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (!m_hasTrace) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Click a patch in the Live view (with the patch grid shown) to see RNNPool pool it."));
        return;
    }
    m_drawn.clear();
    const Layout l = layout();
    paintPatch(p, l.patch);
    paintLegend(p, l.legend);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    paintRnn1(p, l.rowsRnn1, true);
    paintRnn1(p, l.colsRnn1, false);
    paintRnn2(p, l.rnn2);
    paintOutput(p, l.output);
}

QString RnnPoolTraceCanvas::describeAt(QPoint point) const
{
    for (const Drawn& d : m_drawn) {
        if (!d.rect.contains(point))
            continue;
        const int step = std::min((point.x() - d.rect.left()) * d.steps / d.rect.width(), d.steps - 1);
        const int unit = std::min((point.y() - d.rect.top()) * d.units / d.rect.height(), d.units - 1);
        // Steps counted from 1, as the slider counts them.
        return tr("%1 · step %2 of %3 · unit %4 · h = %5")
            .arg(d.label)
            .arg(step + 1)
            .arg(d.steps)
            .arg(unit)
            .arg(QLocale().toString(static_cast<double>(d.states[step * d.units + unit]), 'f', 4));
    }
    return {};
}

void RnnPoolTraceCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QString text = describeAt(event->position().toPoint());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

RnnPoolTraceView::RnnPoolTraceView(QWidget* parent)
    : QWidget(parent)
    , m_canvas(new RnnPoolTraceCanvas)
    , m_title(new QLabel)
    , m_variant(new QComboBox)
    , m_stepLabel(new QLabel)
    , m_slider(new QSlider(Qt::Horizontal))
    , m_play(new QToolButton)
{
    m_title->setTextFormat(Qt::PlainText);
    // A long title (layer, patch, picture) gives way to the step slider: it is
    // elided to the room left, in full in its tooltip (eventFilter).
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(80);
    m_title->installEventFilter(this);
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_play->setToolTip(tr("Animate the sweeps step by step"));
    m_slider->setRange(0, 0);
    m_slider->setPageStep(1);
    m_slider->setToolTip(tr("Time step of the sweeps"));
    m_slider->setMinimumWidth(120); // room for every step of an 8x8 patch
    m_timer.setInterval(kStepAnimationMs);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_title, 1);
    controls->addWidget(m_variant);
    controls->addWidget(new QLabel(tr("Step")));
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_stepLabel);
    controls->addWidget(m_play);

    auto* scroll = new QScrollArea;
    scroll->setWidget(m_canvas);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(scroll, 1);

    connect(m_slider, &QSlider::valueChanged, this, [this](int s) {
        m_canvas->setStep(s);
        m_stepLabel->setText(tr("%1 / %2").arg(s + 1).arg(m_slider->maximum() + 1));
    });
    m_variant->setToolTip(tr("Which states: the int8 engine's Q15 ones, the float RNNPool's on the same (dequantised "
                             "int8) input, or Q15 minus float"));
    m_variant->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_variant->setMinimumContentsLength(12);
    m_variant->hide();
    connect(m_variant, &QComboBox::activated, this, &RnnPoolTraceView::variantChanged);
    connect(m_play, &QToolButton::clicked, this, &RnnPoolTraceView::togglePlay);
    connect(&m_timer, &QTimer::timeout, this, &RnnPoolTraceView::advance);
    clear(tr("No patch selected."));
}

void RnnPoolTraceView::setTitle(const QString& title)
{
    m_fullTitle = title;
    m_title->setToolTip(title);
    showTitle();
}

void RnnPoolTraceView::showTitle()
{
    m_title->setText(m_title->fontMetrics().elidedText(m_fullTitle, Qt::ElideRight, std::max(0, m_title->width())));
}

QString RnnPoolTraceView::shownTitle() const
{
    return m_title->text();
}

bool RnnPoolTraceView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_title && event->type() == QEvent::Resize)
        showTitle();
    return QWidget::eventFilter(watched, event);
}

void RnnPoolTraceView::setTrace(const RnnPoolTrace& trace, const QImage& patchPicture, const QString& title)
{
    m_canvas->setTrace(trace, patchPicture);
    setTitle(title);
    const int last = std::max(0, static_cast<int>(trace.size) - 1);
    m_slider->setRange(0, last);
    // A new patch opens on its result: the last step.
    m_slider->setValue(last);
    m_canvas->setStep(last);
    m_stepLabel->setText(tr("%1 / %2").arg(m_slider->value() + 1).arg(last + 1));
}

void RnnPoolTraceView::clear(const QString& message)
{
    m_timer.stop();
    m_canvas->clear();
    setTitle(message);
    m_slider->setRange(0, 0);
    m_stepLabel->clear();
}

void RnnPoolTraceView::setStep(int step)
{
    m_slider->setValue(step);
}

int RnnPoolTraceView::step() const
{
    return m_canvas->step();
}

void RnnPoolTraceView::setVariants(const QStringList& names)
{
    QStringList current;
    for (int i = 0; i < m_variant->count(); ++i)
        current << m_variant->itemText(i);
    if (current != names) {
        const int keep = m_variant->currentIndex();
        m_variant->clear();
        m_variant->addItems(names);
        if (keep >= 0 && keep < names.size())
            m_variant->setCurrentIndex(keep);
    }
    m_variant->setVisible(!names.isEmpty());
}

int RnnPoolTraceView::variant() const
{
    return m_variant->isHidden() || m_variant->currentIndex() < 0 ? 0 : m_variant->currentIndex();
}

void RnnPoolTraceView::togglePlay()
{
    if (m_timer.isActive()) {
        m_timer.stop();
        m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
        return;
    }
    if (m_slider->value() == m_slider->maximum())
        m_slider->setValue(0);
    m_timer.start();
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
}

void RnnPoolTraceView::advance()
{
    if (m_slider->value() >= m_slider->maximum()) {
        togglePlay();
        return;
    }
    m_slider->setValue(m_slider->value() + 1);
}

} // namespace rnnpool::widgets
