#include "studio/source_player.h"

#include <algorithm>
#include <cmath>

#include <QFile>

namespace rnnpool::studio {

namespace {

// A source that states no frame rate (some cameras) is paced at this.
constexpr double kFallbackFps = 25.0;
constexpr double kMaxFps = 120.0;

std::filesystem::path toPath(const QString& file)
{
    return QFile::encodeName(file).toStdString();
}

Expected<std::unique_ptr<FrameSource>> openRequest(const SourceRequest& request)
{
    switch (request.kind) {
    case SourceRequest::Picture:
        return openPictureFile(toPath(request.path));
    case SourceRequest::Folder:
        return openPictureFolder(toPath(request.path));
    case SourceRequest::Video:
        return openVideoFile(toPath(request.path));
    case SourceRequest::Camera:
        return openCamera(request.camera, request.resolution);
    }
    return makeError("unknown kind of source");
}

} // namespace

SourcePlayer::SourcePlayer(QObject* parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SourcePlayer::readNext);
}

SourcePlayer::~SourcePlayer() = default;

bool SourcePlayer::open(const SourceRequest& request, int64_t startFrame)
{
    auto source = openRequest(request);
    if (!source) {
        emit failed(QString::fromStdString(source.error()));
        return false;
    }
    if (startFrame > 0) {
        if (Status st = (*source)->seek(startFrame); !st) {
            emit failed(QString::fromStdString(st.error()));
            return false;
        }
    }
    setPlaying(false);
    m_source = std::move(*source);
    m_request = request;
    m_lastIndex = -1;
    m_waitingForConsumer = false;
    emit opened(description());
    readNext();
    return true;
}

void SourcePlayer::close()
{
    setPlaying(false);
    m_source.reset();
    m_lastIndex = -1;
}

bool SourcePlayer::paced() const
{
    return m_source && (m_source->kind() == SourceKind::Camera || m_source->framesPerSecond() > 0.0);
}

bool SourcePlayer::canSeek() const
{
    return m_source && m_source->kind() != SourceKind::Camera;
}

QString SourcePlayer::description() const
{
    return m_source ? QString::fromStdString(m_source->description()) : QString();
}

std::optional<int64_t> SourcePlayer::frameCount() const
{
    return m_source ? m_source->frameCount() : std::nullopt;
}

void SourcePlayer::play()
{
    if (!m_source)
        return;
    // At the end, play starts again from the first frame.
    if (const auto count = m_source->frameCount(); count && m_source->position() >= *count && canSeek())
        (void)m_source->seek(0);
    setPlaying(true);
    if (!paced() && !m_waitingForConsumer)
        readNext();
}

void SourcePlayer::pause()
{
    setPlaying(false);
}

void SourcePlayer::togglePlay()
{
    m_playing ? pause() : play();
}

void SourcePlayer::step()
{
    setPlaying(false);
    readNext();
}

void SourcePlayer::stepBack()
{
    setPlaying(false);
    if (!canSeek() || m_lastIndex <= 0)
        return;
    if (Status st = m_source->seek(m_lastIndex - 1); !st) {
        emit failed(QString::fromStdString(st.error()));
        return;
    }
    readNext();
}

void SourcePlayer::frameDone()
{
    m_waitingForConsumer = false;
    if (m_playing && !paced())
        // Through the event loop, so a long folder never recurses.
        QTimer::singleShot(0, this, [this] {
            if (m_playing && !m_waitingForConsumer)
                readNext();
        });
}

void SourcePlayer::setPlaying(bool playing)
{
    if (playing && paced()) {
        const double fps = std::clamp(m_source->framesPerSecond() > 0.0 ? m_source->framesPerSecond() : kFallbackFps,
                                      1.0, kMaxFps);
        m_timer.start(static_cast<int>(std::lround(1000.0 / fps)));
    } else {
        m_timer.stop();
    }
    m_rateClock.restart();
    m_rateFrames = 0;
    if (!playing)
        m_rate = 0.0;
    if (playing == m_playing)
        return;
    m_playing = playing;
    emit playingChanged(playing);
}

void SourcePlayer::readNext()
{
    if (!m_source)
        return;
    auto frame = m_source->next();
    const qint64 count = m_source->frameCount().value_or(-1);
    if (!frame) {
        emit failed(QString::fromStdString(frame.error()));
        // A folder moves past a bad picture; a camera or a damaged video stops here.
        if (m_source->kind() != SourceKind::Folder)
            setPlaying(false);
        else if (m_playing)
            frameDone();
        emit progress(m_source->position() - 1, count);
        return;
    }
    if (!*frame) {
        setPlaying(false);
        emit ended();
        return;
    }
    m_lastIndex = (*frame)->index;
    ++m_rateFrames;
    if (m_rateClock.isValid() && m_rateClock.elapsed() > 1000) {
        m_rate = m_rateFrames * 1000.0 / static_cast<double>(m_rateClock.restart());
        m_rateFrames = 0;
    }
    m_waitingForConsumer = true;
    emit progress(m_lastIndex, count);
    emit frameReady(**frame);
}

} // namespace rnnpool::studio
