// MainWindow's shared selection: the layer (table, activations, patch grid)
// and the RNNPool patch (live view, sweep view).
// First: ops/rnnpool.h cannot follow a Qt header (see widgets/rnnpool_trace_view.h).
#include "ops/rnnpool.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <QAction>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTreeView>

#include "studio/main_window.h"
#include "studio/patch_inspection.h"
#include "widgets/activation_view.h"
#include "widgets/detection_view.h"
#include "widgets/layer_tree_model.h"
#include "widgets/rnnpool_trace_view.h"

namespace rnnpool::studio {

bool MainWindow::selectLayer(const QString& name)
{
    const auto& layers = m_layers->layers();
    if (layers.empty()) {
        m_pendingLayer = name; // selected once the model is there
        return true;
    }
    int found = -1;
    const std::string wanted = name.toStdString();
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == wanted || layers[i].group == wanted)
            found = static_cast<int>(i); // a group means its last node, as in the CLI
    if (found < 0) {
        showError(tr("No layer named '%1' in this model (see the layer table for the names)").arg(name));
        return false;
    }
    const QModelIndex index = m_sortedLayers->mapFromSource(m_layers->indexOfNode(found));
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index); // expands a collapsed group
    return true;
}

void MainWindow::onTableSelection()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const int layer = rows.front().data(widgets::LayerTreeModel::NodeRole).toInt();
    if (layer == m_selectedLayer)
        return;
    m_selectedLayer = layer;
    updateLayerViews();
    emit layerSelected(layer, QString::fromStdString(m_layers->layers()[static_cast<size_t>(layer)].name));
}

void MainWindow::selectPatch(int row, int col)
{
    m_patch = QPoint(row, col);
    m_patchChosen = true;
    updateTrace();
}

void MainWindow::refreshHiddenViews()
{
    if (!m_activationsStale && !m_traceStale)
        return;
    // Bring them up to date as if shown: the report reads them.
    const bool activations = std::exchange(m_activationsStale, false), trace = std::exchange(m_traceStale, false);
    m_forceViews = true;
    if (activations)
        updateLayerViews();
    else if (trace)
        updateTrace();
    m_forceViews = false;
}

void MainWindow::setTraceStep(int step)
{
    m_trace->setStep(step);
}

void MainWindow::setPatchGridVisible(bool visible)
{
    if (m_showGrid->isChecked() != visible)
        m_showGrid->setChecked(visible); // comes back here
    m_view->setGridVisible(visible);
}

void MainWindow::updateLayerViews()
{
    const bool haveRun = m_outcome && m_outcome->result;
    const auto& layers = m_layers->layers();
    // A view behind another tab is brought up to date when it is shown
    // (refreshHiddenViews), not on every frame.
    if (!m_activations->isVisible() && haveRun && !m_forceViews) {
        m_activationsStale = true;
        updateTrace();
        return;
    }
    m_activationsStale = false;
    if (!haveRun || m_selectedLayer < 0 || static_cast<size_t>(m_selectedLayer) >= layers.size()) {
        m_activations->clear(haveRun ? tr("Select a layer in the layer table to see its channels.")
                                     : tr("No frame has been analysed yet."));
    } else {
        const auto& outputs = m_outcome->result->run.outputs;
        const QString name = QString::fromStdString(layers[static_cast<size_t>(m_selectedLayer)].name);
        if (static_cast<size_t>(m_selectedLayer) < outputs.size() && !outputs[static_cast<size_t>(m_selectedLayer)].empty())
            m_activations->setActivation(name, outputs[static_cast<size_t>(m_selectedLayer)],
                                         static_cast<size_t>(m_selectedLayer) < m_outcome->int8Quant.size()
                                             ? m_outcome->int8Quant[static_cast<size_t>(m_selectedLayer)]
                                             : std::vector<ActivationQuant>{});
        else
            m_activations->clear(tr("%1: its output was not kept in the last run").arg(name));
    }
    updateTrace();
}

void MainWindow::updateTrace()
{
    const auto geometry = m_outcome ? rnnPoolGeometry(*m_outcome, m_selectedLayer) : std::nullopt;
    m_view->setPatchGrid(geometry ? std::optional(geometry->grid) : std::nullopt);
    if (!geometry) {
        m_trace->clear(m_outcome ? tr("This model has no RNNPool layer.") : tr("No frame has been analysed yet."));
        return;
    }
    if (!m_patch) {
        // Start on the patch under the strongest face, else the middle of the picture.
        QPointF centre(m_outcome->original.width / 2.0, m_outcome->original.height / 2.0);
        if (!m_outcome->faces.empty()) {
            const auto best = std::max_element(m_outcome->faces.begin(), m_outcome->faces.end(),
                                               [](const PixelBox& a, const PixelBox& b) { return a.score < b.score; });
            centre = QPointF((best->x1 + best->x2) / 2.0, (best->y1 + best->y2) / 2.0);
        }
        m_patch = QPoint(static_cast<int>((centre.y() - geometry->grid.sizeY / 2) / geometry->grid.strideY),
                         static_cast<int>((centre.x() - geometry->grid.sizeX / 2) / geometry->grid.strideX));
        m_patchChosen = false;
    }
    // A patch kept from another frame (a folder of pictures of another shape),
    // picked by the studio (boxes of random weights may lie off the picture)
    // or asked for by --patch is kept where it fits, else moved to the
    // nearest patch, silently: nothing here is the user's error.
    m_patch = QPoint(std::clamp(m_patch->x(), 0, geometry->grid.rows - 1), std::clamp(m_patch->y(), 0, geometry->grid.cols - 1));
    m_view->setSelectedPatch(m_patch);
    if (!m_trace->isVisible() && !m_forceViews) {
        m_traceStale = true;
        return;
    }
    m_traceStale = false;
    const QStringList variants = traceVariantNames(*m_outcome);
    m_trace->setVariants(variants);
    const int variant = m_trace->variant();
    auto trace = tracePatch(*m_outcome, *geometry, m_patch->x(), m_patch->y(), static_cast<TraceVariant>(variant));
    if (!trace) {
        m_trace->clear(QString::fromStdString(trace.error()));
        return;
    }
    const int step = m_trace->canvas()->hasTrace() ? m_trace->step() : -1;
    QString title = tr("%1 · patch at row %2, column %3 of its %4×%5 (W×H) grid · %6")
                        .arg(QString::fromStdString(geometry->name))
                        .arg(m_patch->x())
                        .arg(m_patch->y())
                        .arg(geometry->grid.cols)
                        .arg(geometry->grid.rows)
                        .arg(m_outcome->label);
    if (!variants.isEmpty())
        title += tr(" · %1").arg(variants[variant]);
    if (static_cast<TraceVariant>(variant) == TraceVariant::Q15MinusFloat) {
        float worst = 0.0f;
        for (const Tensor* t : {&trace->rowSweeps, &trace->colSweeps, &trace->rowsForward, &trace->rowsBackward,
                                &trace->colsForward, &trace->colsBackward})
            for (int64_t i = 0; i < t->numel(); ++i)
                worst = std::max(worst, std::abs(t->data()[i]));
        title += tr(" (largest |difference| %1: hover for values)").arg(QString::number(worst, 'g', 3));
    }
    m_trace->setTrace(*trace, pictureUnderPatch(*m_outcome, *geometry, m_patch->x(), m_patch->y()), title);
    if (step >= 0 && m_player.isPlaying())
        m_trace->setStep(step); // keep the user's step while a video plays
}

} // namespace rnnpool::studio
