#include "quant/candidate_store.h"

#include <algorithm>
#include <cstring>

namespace rnnpool {

CandidateStore::CandidateStore(uint8_t* storage, const DetectorConfig& config, int64_t inputWidth, int64_t inputHeight,
                               std::vector<std::pair<int64_t, int64_t>> featureMaps)
    : m_storage(storage), m_config(config), m_width(inputWidth), m_height(inputHeight), m_maps(std::move(featureMaps))
{
    int64_t first = 0;
    for (const auto& [h, w] : m_maps) {
        m_firstPrior.push_back(first);
        first += h * w;
    }
    m_quant.resize(m_maps.size());
}

CandidateStore::Entry CandidateStore::load(int64_t i) const
{
    Entry e;
    const uint8_t* at = m_storage + i * kCandidateBytes;
    std::memcpy(&e.prior, at, 4);
    std::memcpy(e.loc, at + 4, 4);
    std::memcpy(e.conf, at + 8, 2);
    e.score = scoreOf(e);
    return e;
}

void CandidateStore::save(int64_t i, const Entry& e)
{
    uint8_t* at = m_storage + i * kCandidateBytes;
    std::memcpy(at, &e.prior, 4);
    std::memcpy(at + 4, e.loc, 4);
    std::memcpy(at + 8, e.conf, 2);
}

size_t CandidateStore::headOf(int32_t prior) const
{
    return static_cast<size_t>(std::upper_bound(m_firstPrior.begin(), m_firstPrior.end(), prior) - m_firstPrior.begin()) - 1;
}

float CandidateStore::scoreOf(const Entry& e) const
{
    const ActivationQuant& q = m_quant[headOf(e.prior)].second;
    return faceScore(q.dequantize(e.conf[0]), q.dequantize(e.conf[1]));
}

bool CandidateStore::worse(const Entry& a, const Entry& b) const
{
    return rankedBefore(b.score, b.prior, a.score, a.prior);
}

void CandidateStore::addRow(size_t k, int64_t y, const int8_t* loc, const int8_t* conf, const ActivationQuant& locQuant,
                            const ActivationQuant& confQuant)
{
    if (k >= m_maps.size() || k >= m_config.steps.size())
        return; // postProcess makes no priors for it
    m_quant[k] = {locQuant, confQuant};
    const int64_t width = m_maps[k].second, capacity = m_config.nmsTopK;
    if (capacity <= 0)
        return;
    for (int64_t x = 0; x < width; ++x) {
        Entry e;
        e.prior = static_cast<int32_t>(m_firstPrior[k] + y * width + x);
        std::memcpy(e.loc, loc + 4 * x, 4);
        std::memcpy(e.conf, conf + 2 * x, 2);
        e.score = scoreOf(e);
        if (!(e.score > m_config.confidenceThreshold))
            continue;
        // A min-heap: the worst kept candidate at 0.
        int64_t i;
        if (m_size < capacity) {
            i = m_size++;
            while (i > 0) { // up
                const int64_t parent = (i - 1) / 2;
                const Entry p = load(parent);
                if (!worse(e, p))
                    break;
                save(i, p);
                i = parent;
            }
        } else {
            if (!worse(load(0), e))
                continue; // not better than the worst kept
            i = 0;
            for (;;) { // down
                int64_t child = 2 * i + 1;
                if (child >= m_size)
                    break;
                Entry c = load(child);
                if (child + 1 < m_size) {
                    const Entry r = load(child + 1);
                    if (worse(r, c)) {
                        c = r;
                        ++child;
                    }
                }
                if (!worse(c, e))
                    break;
                save(i, c);
                i = child;
            }
        }
        save(i, e);
    }
}

std::vector<Detection> CandidateStore::detections() const
{
    std::vector<Entry> kept;
    for (int64_t i = 0; i < m_size; ++i)
        kept.push_back(load(i));
    std::sort(kept.begin(), kept.end(), [&](const Entry& a, const Entry& b) { return worse(b, a); });
    std::vector<Detection> candidates;
    for (const Entry& e : kept) {
        const size_t k = headOf(e.prior);
        const int64_t local = e.prior - m_firstPrior[k];
        float prior[4], loc[4];
        priorOf(k, local / m_maps[k].second, local % m_maps[k].second, m_width, m_height, m_config, prior);
        for (int c = 0; c < 4; ++c)
            loc[c] = m_quant[k].first.dequantize(e.loc[c]);
        candidates.push_back(decodeBox(prior, loc, e.score, m_config));
    }
    return nonMaximumSuppression(candidates, m_config.nmsThreshold, m_config.keepTopK, m_config.voteThreshold);
}

} // namespace rnnpool
