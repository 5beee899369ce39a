#include "shaped_writer.h"

#include <algorithm>
#include <cmath>

#include <QTcpSocket>

namespace aecnn::agent {
namespace {

constexpr qint64 kMaxSocketBacklog = 256 * 1024;

// The bucket must hold what the link earns between two timer wake-ups (~1 ms
// resolution), or a fast link would be limited by the timer instead of the rate.
int64_t burstFor(double rateMbps)
{
    return std::max<int64_t>(16 * 1024, static_cast<int64_t>(rateMbps * 1e6 / 8.0 * 0.004));
}

} // namespace

ShapedWriter::ShapedWriter(QTcpSocket* socket, const protocol::Clock& clock, QObject* parent)
    : QObject(parent), socket_(socket), clock_(clock),
      bucket_(std::make_unique<protocol::TokenBucket>(clock, 0.0, burstFor(0.0)))
{
    timer_.setSingleShot(true);
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &ShapedWriter::pump);
    connect(socket_, &QTcpSocket::bytesWritten, this, &ShapedWriter::pump);
}

void ShapedWriter::setRateMbps(double rateMbps)
{
    bucket_ = std::make_unique<protocol::TokenBucket>(clock_, rateMbps, burstFor(rateMbps));
}

void ShapedWriter::send(const QByteArray& message, bool urgent)
{
    if (idle())
        bucket_->drain();
    Pending pending{message, static_cast<bool>(sealer_)};
    if (urgent)
        queue_.push_front(std::move(pending));
    else
        queue_.push_back(std::move(pending));
    if (!timer_.isActive())
        pump();
}

void ShapedWriter::pump()
{
    for (;;) {
        if (offset_ >= current_.size()) {
            if (queue_.empty()) {
                current_.clear();
                offset_ = 0;
                Q_EMIT drained();
                return;
            }
            Pending next = std::move(queue_.front());
            queue_.pop_front();
            current_ = next.seal ? sealer_(next.bytes) : std::move(next.bytes);
            offset_ = 0;
        }
        if (socket_->state() != QAbstractSocket::ConnectedState)
            return;
        if (socket_->bytesToWrite() > kMaxSocketBacklog)
            return; // bytesWritten() resumes
        // A quarter burst per write: while waiting for it the bucket cannot fill up, so
        // tokens earned while the timer oversleeps are kept instead of capped away.
        const int64_t piece = std::max<int64_t>(1024, bucket_->burstBytes() / 4);
        const int64_t chunk = std::min<int64_t>(current_.size() - offset_, piece);
        const int64_t delay = bucket_->delayNs(chunk);
        if (delay > 0) {
            timer_.start(std::max(1, static_cast<int>(std::ceil(static_cast<double>(delay) / 1e6))));
            return;
        }
        bucket_->tryConsume(chunk);
        socket_->write(current_.constData() + offset_, chunk);
        offset_ += chunk;
    }
}

} // namespace aecnn::agent
