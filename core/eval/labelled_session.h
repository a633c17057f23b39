// LabelledSession: the labelled pictures a user has looked at, judged as
// `rnnpool eval` judges them. Each picture seen adds its faces and detections
// (in network-input pixels, where sizes are measured); seeing it again
// replaces them. result() is the AP and curve of the pictures seen so far:
// the numbers `rnnpool eval` gives on the same pictures.
//
//   LabelledSession s(*readFaceLabels("labels.txt"), 20.0f);
//   const int i = s.find("images/1--Handshaking/a.jpg");   // -1 when not labelled
//   PictureMatch m = s.add(i, facesInNetworkPixels, detectionsInNetworkPixels);
//   EvaluationResult r = s.result();
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eval/average_precision.h"
#include "eval/face_labels.h"

namespace rnnpool {

class LabelledSession {
public:
    LabelledSession(std::vector<LabeledPicture> labels, float minFace);

    // The index of the labels entry for a picture file: the entry whose path
    // is the end of `path` (a folder's "event/name.jpg" under any root), or -1.
    int find(const std::string& path) const;
    const LabeledPicture& picture(int index) const { return m_labels[static_cast<size_t>(index)]; }
    int size() const { return static_cast<int>(m_labels.size()); }

    PictureMatch add(int index, std::vector<FaceBox> faces, std::vector<ScoredBox> detections);
    void setMinFace(float minFace);
    float minFace() const { return m_minFace; }
    int seen() const { return static_cast<int>(m_seen.size()); }
    EvaluationResult result() const;

private:
    struct Seen {
        std::vector<FaceBox> faces;
        std::vector<ScoredBox> detections;
    };
    std::vector<LabeledPicture> m_labels;
    std::multimap<std::string, int> m_byName; // file name -> entries
    std::map<int, Seen> m_seen;               // by index: the order eval adds them
    float m_minFace;
};

} // namespace rnnpool
