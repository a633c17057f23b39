// MainWindow::report(): what the window shows, as JSON, read from the widgets
// themselves (not from the results behind them), so a test comparing it with
// the CLI checks what a user sees.
// First: ops/rnnpool.h cannot follow a Qt header (see widgets/rnnpool_trace_view.h).
#include "ops/rnnpool.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QTabWidget>

#include "studio/analysis_tabs.h"
#include "studio/main_window.h"
#include "widgets/activation_view.h"
#include "widgets/detection_view.h"
#include "widgets/layer_tree_model.h"
#include "widgets/message_bar.h"
#include "widgets/rnnpool_trace_view.h"
#include "widgets/sweep_view.h"

namespace rnnpool::studio {

QJsonObject MainWindow::report() const
{
    // Views behind other tabs are updated when shown; the report reads them now.
    const_cast<MainWindow*>(this)->refreshHiddenViews();
    QJsonObject out;
    out[QStringLiteral("title")] = windowTitle();
    out[QStringLiteral("tab")] = m_tabs->currentWidget()->objectName();
    out[QStringLiteral("errors")] = m_errorCount;
    out[QStringLiteral("message")] = m_messages->text();
    out[QStringLiteral("threshold")] = static_cast<double>(m_view->threshold());
    out[QStringLiteral("face_label")] = m_faceLabel->text();
    out[QStringLiteral("time_label")] = m_timeLabel->text();

    out[QStringLiteral("frames_analysed")] = static_cast<qint64>(m_analysedFrames);
    out[QStringLiteral("frames_dropped")] = static_cast<qint64>(m_runner.droppedFrames());
    out[QStringLiteral("rate_label")] = m_rateLabel->text();
    // Frames analysed per second between the first and the last result of this source.
    const qint64 spanMs = m_analysedSpanMs.second - m_analysedSpanMs.first;
    if (m_analysedFrames > 1 && spanMs > 0)
        out[QStringLiteral("analysed_fps")] = static_cast<double>(m_analysedFrames - 1) * 1000.0 / static_cast<double>(spanMs);
    out[QStringLiteral("ram_metering")] = ramMeteringName(m_runner.ramMetering());
    out[QStringLiteral("numerics")] = numericsName(m_outcome ? m_outcome->numerics : m_runner.numerics());
    if (m_outcome)
        out[QStringLiteral("frame_index")] = static_cast<qint64>(m_outcome->frameIndex);

    QJsonArray faces;
    for (const PixelBox& b : m_view->visibleBoxes())
        faces.append(QJsonObject{{QStringLiteral("score"), static_cast<double>(b.score)},
                                 {QStringLiteral("x1"), static_cast<double>(b.x1)},
                                 {QStringLiteral("y1"), static_cast<double>(b.y1)},
                                 {QStringLiteral("x2"), static_cast<double>(b.x2)},
                                 {QStringLiteral("y2"), static_cast<double>(b.y2)}});
    out[QStringLiteral("faces")] = faces;

    using Model = widgets::LayerTableModel;
    QJsonArray layers;
    // Every layer as the tree shows it: its leaves, in network order.
    for (const QModelIndex& leaf : m_layers->leafIndexes()) {
        auto cell = [&](int column, int role = Qt::DisplayRole) { return leaf.siblingAtColumn(column).data(role); };
        layers.append(QJsonObject{{QStringLiteral("name"), cell(Model::NameColumn).toString()},
                                  {QStringLiteral("op"), cell(Model::OpColumn).toString()},
                                  {QStringLiteral("shape"), cell(Model::ShapeColumn).toString()},
                                  {QStringLiteral("params"), cell(Model::ParamsColumn, Model::SortRole).toLongLong()},
                                  {QStringLiteral("madds"), cell(Model::MaddsColumn, Model::SortRole).toLongLong()},
                                  {QStringLiteral("bytes"), cell(Model::BytesColumn, Model::SortRole).toLongLong()},
                                  {QStringLiteral("params_text"), cell(Model::ParamsColumn).toString()},
                                  {QStringLiteral("madds_text"), cell(Model::MaddsColumn).toString()}});
    }
    out[QStringLiteral("layers")] = layers;
    if (m_outcome && m_outcome->input.size() == 3)
        out[QStringLiteral("input")] = QJsonObject{{QStringLiteral("channels"), static_cast<qint64>(m_outcome->input[0])},
                                                   {QStringLiteral("height"), static_cast<qint64>(m_outcome->input[1])},
                                                   {QStringLiteral("width"), static_cast<qint64>(m_outcome->input[2])}};
    out[QStringLiteral("layer")] = m_activations->layer();
    const auto& activation = m_activations->activation();
    QJsonArray shape;
    for (int64_t d : activation.shape())
        shape.append(static_cast<qint64>(d));
    out[QStringLiteral("activation_shape")] = shape;
    if (m_trace->canvas()->hasTrace()) {
        const RnnPoolTrace& t = m_trace->canvas()->trace();
        QJsonArray vector;
        for (int64_t i = 0; i < t.output.numel(); ++i)
            vector.append(static_cast<double>(t.output.data()[i]));
        out[QStringLiteral("patch")] = QJsonArray{static_cast<qint64>(t.patchRow), static_cast<qint64>(t.patchCol)};
        out[QStringLiteral("patch_output")] = vector;
        out[QStringLiteral("trace_step")] = m_trace->step();
    }
    // The Sweep tab's points, as `rnnpool sweep --json` writes its rows, with the faces found where measured.
    const widgets::SweepView* sweep = m_analysis->sweepView();
    if (!sweep->points().empty()) {
        QJsonArray rows;
        for (size_t i = 0; i < sweep->points().size(); ++i) {
            const ProfileSummary& s = sweep->points()[i].summary;
            QJsonObject row{{QStringLiteral("value"), QString::fromStdString(sweep->points()[i].value)},
                            {QStringLiteral("params"), static_cast<qint64>(s.params)},
                            {QStringLiteral("madds"), static_cast<qint64>(s.madds)},
                            {QStringLiteral("peak_bytes"), QJsonObject{{QStringLiteral("layerwise"), static_cast<qint64>(s.layerwisePeak)},
                                                                       {QStringLiteral("paper"), static_cast<qint64>(s.paperPeak)}}}};
            if (i < sweep->detections().size() && sweep->detections()[i]) {
                row[QStringLiteral("faces")] = sweep->detections()[i]->faces;
                row[QStringLiteral("mean_score")] = sweep->detections()[i]->meanScore;
            }
            rows.append(row);
        }
        out[QStringLiteral("sweep")] = QJsonObject{{QStringLiteral("param"), sweep->sweptParam()}, {QStringLiteral("rows"), rows}};
    }
    // The M4 panel at the analysis input, as `rnnpool profile --board B --json` at the same settings.
    if (const QJsonObject m4 = m_analysis->m4Report(); !m4.isEmpty())
        out[QStringLiteral("m4")] = m4;
    return out;
}

} // namespace rnnpool::studio
