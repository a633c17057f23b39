// Detections decoded as the int8 heads' rows are made, so that no head map is
// ever held whole (the linebuffer schedule, profile/line_buffer.h): each
// anchor of a row whose face score passes the confidence threshold becomes a
// candidate, and a fixed number of them is kept, the best nmsTopK in the order
// postProcess ranks them (score, then the later prior), in a min-heap on a
// buffer the caller owns: kCandidateBytes each (the prior's index, the four
// int8 loc values, the two int8 conf values). At the end the kept candidates
// are sorted, decoded (the prior made for their index alone) and suppressed
// as postProcess does, with its own functions: the same detections as
// postProcess(Int8Network::heads(run)) whenever the candidates above the
// threshold are not more than nmsTopK, and otherwise too, since postProcess
// looks at its top nmsTopK only.
//
//   CandidateStore store(buffer, config, {320, 240}, featureMaps);
//   store.addRow(head, y, locRow, confRow, locQuant, confQuant);   // per head row
//   std::vector<Detection> d = store.detections();
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "detect/post_process.h"
#include "quant/quant_math.h"

namespace rnnpool {

constexpr int64_t kCandidateBytes = 10;

class CandidateStore {
public:
    // `storage` holds config.nmsTopK * kCandidateBytes bytes; featureMaps the
    // heads' (height, width) in head order.
    CandidateStore(uint8_t* storage, const DetectorConfig& config, int64_t inputWidth, int64_t inputHeight,
                   std::vector<std::pair<int64_t, int64_t>> featureMaps);

    // Row y of head k: width pixels of 4 loc values and of 2 conf values (HWC).
    void addRow(size_t k, int64_t y, const int8_t* loc, const int8_t* conf, const ActivationQuant& locQuant,
                const ActivationQuant& confQuant);
    int64_t size() const { return m_size; }
    std::vector<Detection> detections() const;

private:
    struct Entry {
        int32_t prior = 0;
        int8_t loc[4] = {};
        int8_t conf[2] = {};
        float score = 0.0f; // not stored: recomputed from conf
    };
    Entry load(int64_t i) const;
    void save(int64_t i, const Entry& e);
    float scoreOf(const Entry& e) const;
    size_t headOf(int32_t prior) const;
    bool worse(const Entry& a, const Entry& b) const; // a ranks after b

    uint8_t* m_storage;
    DetectorConfig m_config;
    int64_t m_width, m_height;
    std::vector<std::pair<int64_t, int64_t>> m_maps;
    std::vector<int64_t> m_firstPrior; // per head
    std::vector<std::pair<ActivationQuant, ActivationQuant>> m_quant; // per head: loc, conf
    int64_t m_size = 0;
};

} // namespace rnnpool
