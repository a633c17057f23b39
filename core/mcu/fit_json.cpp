#include "mcu/fit_json.h"

namespace rnnpool {

nlohmann::json fitJson(const FitReport& fit, const ModelProfile& profile, const std::string& schedule)
{
    const Board& board = fit.board;
    nlohmann::json out{{"board", board.name},
                       {"board_description", board.description},
                       {"clock_mhz", board.clockMHz},
                       {"sram_bytes", board.sramBytes},
                       {"flash_bytes", board.flashBytes},
                       {"input", {{"width", profile.input[2]}, {"height", profile.input[1]}, {"channels", profile.input[0]}}},
                       {"schedule", schedule},
                       {"dtype", elementTypeName(profile.timeline.options.dtype)},
                       {"count_input", profile.timeline.options.countInput},
                       {"sram_needed", fit.sramNeeded},
                       {"flash_needed", fit.flashNeeded},
                       {"fits", fit.fits},
                       {"sram_headroom", fit.sramHeadroom},
                       {"flash_headroom", fit.flashHeadroom},
                       {"activation_peak_bytes", fit.activationPeakBytes},
                       {"sram_breakdown",
                        {{"arena", fit.arenaBytes},
                         {"frame_buffer", fit.frameBufferBytes},
                         {"kernel_scratch", fit.scratchBytes},
                         {"runtime", fit.runtimeBytes}}},
                       {"flash_breakdown", {{"weights", fit.weightBytes}, {"code", fit.codeBytes}}}};
    out["sram_regions"] = nlohmann::json::array();
    for (const RegionUse& r : fit.regions)
        out["sram_regions"].push_back(
            {{"name", r.region.name}, {"bytes", r.region.bytes}, {"dma", r.region.dmaReachable}, {"used_bytes", r.usedBytes}});
    out["placement"] = nlohmann::json::array();
    for (const FitPlacement& p : fit.placements)
        out["placement"].push_back({{"item", p.item}, {"bytes", p.bytes}, {"region", p.region.empty() ? nlohmann::json() : nlohmann::json(p.region)}});
    if (!fit.problem.empty())
        out["fit_problem"] = fit.problem;
    return out;
}

} // namespace rnnpool
