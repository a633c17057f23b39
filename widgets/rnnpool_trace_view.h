// RnnPoolTraceView: how RNNPool pools one patch, from its RnnPoolTrace.
//
//   • the input patch (the picture under it and its mean activation), with an
//     arrow along every row (RNN1, orange) and down every column (RNN1, blue),
//     and RNN2's forward/backward directions over the row and column summaries;
//   • RNN1's hidden states along each row and down each column, one heatmap of
//     step × hidden unit per row or column;
//   • RNN2's forward and backward sweeps over the row and the column summaries;
//   • the final 4·h2 output vector.
//
// A time slider (and a play button) steps through the sweeps: the step being
// read is outlined in every heatmap, later steps are faded, and the patch shows
// which pixels and summaries are being read.
//
//   RnnPoolTraceView view;
//   view.setTrace(trace, pictureUnderPatch, QStringLiteral("rnnpool · patch (3, 5)"));
//   view.setStep(7);
//
// This header only declares RnnPoolTrace; files that need the whole struct
// include "ops/rnnpool.h".
#pragma once

#include <memory>
#include <vector>

#include <QImage>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace rnnpool {
struct RnnPoolTrace;
}

namespace rnnpool::widgets {

class RnnPoolTraceCanvas final : public QWidget {
    Q_OBJECT

public:
    explicit RnnPoolTraceCanvas(QWidget* parent = nullptr);
    ~RnnPoolTraceCanvas() override;

    void setTrace(const RnnPoolTrace& trace, const QImage& patchPicture);
    void clear();
    void setStep(int step);
    int step() const { return m_step; }
    bool hasTrace() const { return m_hasTrace; }
    const RnnPoolTrace& trace() const { return *m_trace; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // What the pointer is over: "row 3 · step 5 · unit 12 · h = 0.4312", or
    // empty between heatmaps. Valid after the canvas has been painted.
    QString describeAt(QPoint point) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    // Where each heatmap was drawn, for the hover readout.
    struct Drawn {
        QRect rect;
        const float* states; // [steps][units]
        int steps, units;
        QString label;
    };
    struct Layout;
    Layout layout() const;
    void paintPatch(QPainter& p, const QRect& area) const;
    void paintRnn1(QPainter& p, const QRect& area, bool rows) const;
    void paintRnn2(QPainter& p, const QRect& area) const;
    void paintOutput(QPainter& p, const QRect& area) const;
    void paintLegend(QPainter& p, const QRect& area) const;
    // A [steps × units] heatmap (x = step); steps after `litUntil` are faded.
    void paintStates(QPainter& p, const QRect& r, const float* states, int steps, int units, int litUntil,
                     const QString& label) const;
    void paintTitle(QPainter& p, const QRect& r, const QString& text, const QColor& colour) const;

    std::unique_ptr<RnnPoolTrace> m_trace; // never null
    QImage m_picture;
    QImage m_meanInput;            // channel mean of the patch input, one pixel per cell
    bool m_hasTrace = false;
    int m_step = 0;
    mutable std::vector<Drawn> m_drawn; // refilled by every paint
};

class RnnPoolTraceView final : public QWidget {
    Q_OBJECT

public:
    explicit RnnPoolTraceView(QWidget* parent = nullptr);

    // `patchPicture`: the picture under the patch (may be null); `title` names layer and patch.
    void setTrace(const RnnPoolTrace& trace, const QImage& patchPicture, const QString& title);
    void clear(const QString& message);
    void setStep(int step);
    int step() const;
    RnnPoolTraceCanvas* canvas() const { return m_canvas; }
    // Other versions of the same patch's states to choose from (e.g. Q15,
    // float32, their difference); none: the box is hidden and variant() is 0.
    void setVariants(const QStringList& names);
    int variant() const;
    QComboBox* variantBox() const { return m_variant; }
    QSlider* stepSlider() const { return m_slider; }
    // The title in full; the label shows it elided when the row is narrow (and in full as its tooltip).
    const QString& title() const { return m_fullTitle; }
    QString shownTitle() const;

signals:
    void variantChanged(int variant);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void togglePlay();
    void advance();
    void setTitle(const QString& title);
    void showTitle(); // the title elided to the label's width

    RnnPoolTraceCanvas* m_canvas;
    QLabel* m_title;
    QComboBox* m_variant;
    QLabel* m_stepLabel;
    QSlider* m_slider;
    QToolButton* m_play;
    QTimer m_timer;
    QString m_fullTitle;
};

} // namespace rnnpool::widgets
