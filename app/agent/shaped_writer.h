#pragma once

#include <deque>
#include <functional>
#include <memory>

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include "aecnn/protocol/token_bucket.h"

class QTcpSocket;

namespace aecnn::agent {

// Writes whole messages to a socket through a token bucket that emulates the
// wireless uplink (rate 0 = unshaped). Messages never interleave; urgent ones
// (control replies) go before queued frames but never inside one. A message sent
// to an idle writer starts with an empty bucket: a link does not bank capacity
// while idle, so every frame takes its serialization time S / r (paper Eq. 2) even
// when frames are paced (one at a time) and smaller than the burst.
class ShapedWriter : public QObject {
    Q_OBJECT

public:
    ShapedWriter(QTcpSocket* socket, const protocol::Clock& clock, QObject* parent = nullptr);
    void setRateMbps(double rateMbps);
    double rateMbps() const { return bucket_->rateMbps(); }
    void send(const QByteArray& message, bool urgent = false);
    bool idle() const { return queue_.empty() && offset_ >= current_.size(); }
    // Messages sent from now on are passed through `sealer` (the session's record layer)
    // when they leave the queue, so sequence numbers follow the order on the wire even
    // when an urgent message overtakes queued frames.
    void setSealer(std::function<QByteArray(const QByteArray&)> sealer) { sealer_ = std::move(sealer); }

Q_SIGNALS:
    void drained(); // every queued message has been handed to the socket

private:
    void pump();
    QTcpSocket* socket_;
    const protocol::Clock& clock_;
    std::unique_ptr<protocol::TokenBucket> bucket_;
    struct Pending {
        QByteArray bytes;
        bool seal = false;
    };
    std::deque<Pending> queue_;
    std::function<QByteArray(const QByteArray&)> sealer_;
    QByteArray current_;
    qsizetype offset_ = 0;
    QTimer timer_;
};

} // namespace aecnn::agent
