// DiffView: the model shown against another one, layer by layer, as
// `rnnpool diff` computes it (core/profile/model_diff.h): a table of paired
// layers with both shapes, parameters, MAdds, bytes, median times, and B's
// difference from A (max |A-B|, SQNR dB) on the picture shown; the layer
// with the lowest SQNR is marked. Buttons ask for model B; app/ loads it and
// runs the diff off the UI thread.
//
//   DiffView view;
//   connect(&view, &DiffView::chooseModelRequested, ...);  // a file dialog, then a job
//   view.setDiff(*diffModels(a, b, input.shape(), &input, 3));
#pragma once

#include <QWidget>

#include "profile/model_diff.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace rnnpool::widgets {

class DiffView final : public QWidget {
    Q_OBJECT

public:
    explicit DiffView(QWidget* parent = nullptr);

    QString summaryText() const;
    QTableWidget* table() const { return m_table; }
    // The row of the lowest-SQNR layer, or -1.
    int worstRow() const { return m_worstRow; }

public slots:
    void setDiff(const rnnpool::ModelDiff& diff);
    void setRunning(const QString& what);
    void showProblem(const QString& message);
    // Whether the model shown has an int8 twin to compare with (the button's state).
    void setInt8Available(bool available);

signals:
    void chooseModelRequested();
    void int8TwinRequested();
    void layerSelected(int node); // a row of A's layer was clicked

private:
    QPushButton* m_choose = nullptr;
    QPushButton* m_int8 = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_table = nullptr;
    std::vector<int> m_rowNodes;
    int m_worstRow = -1;
};

} // namespace rnnpool::widgets
