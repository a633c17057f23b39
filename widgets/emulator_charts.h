// The emulator panel's charts (QCustomPlot, via ChartWidget):
// - EmulatorLayerChart: the layers taking the most instructions (at most
//   kLargestLayers, largest on top) as horizontal bars, the measured count
//   (QEMU) beside what the rnnpool-int8 cost profile predicts;
// - EmulatorMemoryChart: each memory region (FLASH, SRAM, CCM) as two bars,
//   planned and measured, in percent of the region's size, with the bytes
//   written beside them.
//
//   EmulatorMemoryChart chart;
//   chart.setRun(run);                      // an EmulatorRun
//   chart.bars();                           // what is drawn, as plain data
#pragma once

#include <cstddef>
#include <vector>

#include <QString>

#include "widgets/chart_widget.h"
#include "widgets/emulator_panel.h"

namespace rnnpool::widgets {

class EmulatorLayerChart final : public ChartWidget {
    Q_OBJECT

public:
    static constexpr size_t kLargestLayers = 8;
    explicit EmulatorLayerChart(QWidget* parent = nullptr);
    void setRun(const EmulatorRun& run);
    // Millions of instructions per layer drawn, largest first.
    const std::vector<double>& measured() const { return m_measured; }
    const std::vector<double>& predicted() const { return m_predicted; }

protected:
    void paletteChanged() override;

private:
    void redraw();
    EmulatorRun m_run;
    std::vector<double> m_measured, m_predicted;
};

class EmulatorMemoryChart final : public ChartWidget {
    Q_OBJECT

public:
    struct Bar {
        QString label;   // e.g. "SRAM measured"
        double percent;  // of the region's size
        uint64_t bytes;
    };

    explicit EmulatorMemoryChart(QWidget* parent = nullptr);
    void setRun(const EmulatorRun& run);
    const std::vector<Bar>& bars() const { return m_bars; }

protected:
    void paletteChanged() override;

private:
    void redraw();
    EmulatorRun m_run;
    std::vector<Bar> m_bars;
};

} // namespace rnnpool::widgets
