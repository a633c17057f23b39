// PrecisionRecallView: how the model does on the labelled pictures seen so
// far, as `rnnpool eval` counts it (core/eval): the precision/recall curve,
// the AP at IoU 0.5, recall per face size, and where the current score
// threshold sits on the curve. A click on the curve sets the threshold to
// that point's score; the minimum face size (network-input pixels) is chosen
// here and filters both the curve and the boxes drawn.
//
//   PrecisionRecallView view;
//   view.setResult(session.result(), 12, 40);   // pictures seen, labelled in all
//   view.setThreshold(0.5f);
//   connect(&view, &PrecisionRecallView::thresholdPicked, ...);
#pragma once

#include "eval/average_precision.h"
#include "widgets/chart_widget.h"

class QCPGraph;
class QCPItemTracer;
class QDoubleSpinBox;
class QLabel;

namespace rnnpool::widgets {

class PrecisionRecallView final : public ChartWidget {
    Q_OBJECT

public:
    explicit PrecisionRecallView(QWidget* parent = nullptr);

    QString summaryText() const;
    const EvaluationResult& result() const { return m_result; }
    float minFace() const;
    // The curve point at the threshold (the last with score >= threshold), -1 when none.
    int pointAtThreshold() const;

public slots:
    void setResult(const rnnpool::EvaluationResult& result, int picturesSeen, int picturesLabelled);
    void setThreshold(float threshold);
    void setMinFace(float minFace);
    void clear(const QString& message);
    // As a click on the curve at (recall, precision): the nearest point's score.
    void pickNearest(double recall, double precision);

signals:
    void thresholdPicked(float threshold);
    void minFaceChanged(float minFace);

protected:
    void paletteChanged() override;

private:
    void redraw();

    QLabel* m_summary = nullptr;
    QDoubleSpinBox* m_minFace = nullptr;
    QCPGraph* m_curve = nullptr;
    QCPItemTracer* m_marker = nullptr;
    EvaluationResult m_result;
    float m_threshold = 0.5f;
    int m_seen = 0, m_labelled = 0;
};

} // namespace rnnpool::widgets
