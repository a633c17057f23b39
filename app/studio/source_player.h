// SourcePlayer: plays a FrameSource (picture, folder, video, camera) on the UI
// thread and hands each frame on. Videos and cameras are paced by their own
// frame rate: a frame the model is too busy for is dropped by ModelRunner's
// LatestSlot, never queued. Pictures of a folder have no rate; the player
// shows the next one when the last one's detection is done (frameDone()).
//
//   SourcePlayer player;
//   connect(&player, &SourcePlayer::frameReady, &runner, &ModelRunner::submitFrame);
//   connect(&runner, &ModelRunner::idle, &player, &SourcePlayer::frameDone);
//   player.open(SourceRequest::file(SourceRequest::Video, "clip.mp4"));   // shows frame 1, paused
//   player.play();
//
// Errors (a bad file, an empty folder, a camera that is missing or unplugged)
// arrive by failed(message); a folder skips a picture it cannot decode.
#pragma once

#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include "video/frame_source.h"

namespace rnnpool::studio {

struct SourceRequest {
    enum Kind { Picture, Folder, Video, Camera };
    Kind kind = Picture;
    QString path;                    // picture, folder or video
    int camera = 0;
    std::optional<Size2> resolution; // cameras: the size to ask for

    static SourceRequest file(Kind kind, const QString& path)
    {
        SourceRequest r;
        r.kind = kind;
        r.path = path;
        return r;
    }
    static SourceRequest forCamera(int index, std::optional<Size2> size)
    {
        SourceRequest r;
        r.kind = Camera;
        r.camera = index;
        r.resolution = size;
        return r;
    }
};

class SourcePlayer final : public QObject {
    Q_OBJECT

public:
    explicit SourcePlayer(QObject* parent = nullptr);
    ~SourcePlayer() override;

    // Opens the source and shows frame `startFrame` (from 0; cameras: the
    // first). A failure keeps the previous source.
    bool open(const SourceRequest& request, int64_t startFrame = 0);
    void close();

    void play();
    void pause();
    void togglePlay();
    void step();        // the next frame, paused
    void stepBack();    // the previous frame, paused (not for cameras)
    // The consumer finished with the last frame; unpaced sources move on.
    void frameDone();

    bool hasSource() const { return m_source != nullptr; }
    bool isPlaying() const { return m_playing; }
    bool canSeek() const;
    QString description() const;
    QString path() const { return m_request.path; }
    SourceRequest::Kind kind() const { return m_request.kind; }
    int64_t position() const { return m_lastIndex; }
    std::optional<int64_t> frameCount() const;
    // Frames handed on per second, over the last second or so (0 when paused).
    double sourceRate() const { return m_rate; }

signals:
    void opened(const QString& description);
    void frameReady(const rnnpool::Frame& frame);
    void failed(const QString& message);
    void playingChanged(bool playing);
    // After each frame: its index and the number of frames when known (else -1).
    void progress(qint64 index, qint64 count);
    void ended();

private:
    void readNext();
    void setPlaying(bool playing);
    bool paced() const;

    std::unique_ptr<FrameSource> m_source;
    SourceRequest m_request;
    QTimer m_timer;
    bool m_playing = false;
    bool m_waitingForConsumer = false;
    int64_t m_lastIndex = -1;
    QElapsedTimer m_rateClock;
    int m_rateFrames = 0;
    double m_rate = 0.0;
};

} // namespace rnnpool::studio
