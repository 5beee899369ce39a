#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/edge/frame_result.h"
#include "aecnn/protocol/session_security.h"

namespace aecnn::edge {

class TailExecutor;

// The edge side of the agent protocol (protocol/*): connects and authenticates
// (mutual HMAC), configures, deploys what the device needs of a model, starts and
// stops streams, and finishes every frame here: decode (t_dec), FR + tail or the
// whole model (t_es), completion time against the latency model, running accuracy.
//
// Deployment follows the mode: for "aecnn"/"bottlenetpp" a split model's head is
// extracted (checkpoint kind "aecnn-head", split_head.h) and only that goes to the
// device; the edge keeps FR, the BottleNet++ decoder and the tail. For "local" the
// whole model file is sent; for "full" it is sent too (the agent then streams images
// at the model's input size) and the edge runs the whole model on the decoded JPEG.
// Full offloading without a deployed model only times the frames (no prediction).
//
// With a token, every message after authentication is a sealed record (protocol
// version 2, protocol/record_layer.h): a sequence number and a tag, encrypted too when
// either side asks for it (EdgeOptions::encryption, the agent's --encrypt). A record
// that is forged, replayed, reordered, dropped, truncated or altered closes the
// connection before it is used, like a lost link (reconnect below). Without a token
// (loopback agents only) the session is unauthenticated and unprotected.
//
// When an authenticated connection is lost (agent killed, network gone, or nothing
// received for idleTimeoutMs) the session reconnects with exponential backoff,
// re-sends the settings and the deployment, and resumes an unfinished stream at the
// next image. Only disconnectFromAgent() stops that.
//
// Not a QObject (no moc, no LibTorch in this header): results come through the
// callbacks, on the thread that owns the session and runs its event loop. Decode
// and tail run on that thread; give the session a thread of its own in a GUI.
// With a shared tail (EdgeOptions::tail) a frame is finished later, when its batch
// has run; a stream's end is reported after its last frame, and frames already
// received when the link is lost are still finished and recorded. No received frame
// is ever dropped: a tail batch that fails, a payload that does not decode, or the
// session destroyed while its frames wait in the shared tail (where they cannot run
// any more) give rows recorded as failed (EdgeFrameResult::failure, frameFailed).
enum class EdgeState { Disconnected, Connecting, Authenticating, Ready, Streaming, Reconnecting };
const char* toString(EdgeState state);

struct EdgeOptions {
    bool reconnect = true;
    int reconnectInitialMs = 250; // doubled per failed attempt up to reconnectMaxMs
    int reconnectMaxMs = 8000;
    int idleTimeoutMs = 15000;    // connected but nothing received: the link is dead
    int pingIntervalMs = 1000;    // clock-offset samples and liveness
    bool keepFeatures = true;     // fill EdgeFrameResult::symbols / features
    QString clientName = "aecnn-edge";
    // Encrypted records; auto = unless the agent is on loopback. Needs a token.
    protocol::EncryptionPolicy encryption = protocol::EncryptionPolicy::Auto;
    // Shared by the sessions of a many-agent edge (tail_executor.h): "features" frames are
    // decoded here and finished by the executor's batched tail; queueMs and batchSize of
    // each result say how. Null = the tail runs inside this session, frame by frame.
    // Must live on the session's thread and outlive the session.
    std::shared_ptr<TailExecutor> tail;
};

// The device profile the session predicts with (Eq. 1-4, EdgeFrameResult::profileMs):
// the one the agent sent after authentication (protocol version 3), else the Pi 4 table
// of the paper as the named fallback (an agent of protocol version 2, or one without a
// profile, or with one the edge cannot read: `note` says which).
struct DeviceProfileInfo {
    bool fromDevice = false;
    QString name = QStringLiteral("pi4");
    int inputHeight = 224;
    int inputWidth = 224;
    QString note = QStringLiteral("not connected");
    QJsonObject measured; // the agent's profile (latency/measured_profile.h), fromDevice only
};

struct EdgeCallbacks {
    std::function<void(EdgeState, const QString& message)> stateChanged;
    std::function<void(bool ok, const QString& message, const QJsonObject& effective)> configured;
    std::function<void(bool ok, const QString& message)> deployed;
    std::function<void(const EdgeFrameResult&)> frame;
    // A received frame that could not be finished (EdgeFrameResult::failure says why); it has
    // its CSV row like any other. Every received frame is reported once, by frame or by this.
    std::function<void(const EdgeFrameResult&)> frameFailed;
    std::function<void(uint64_t frames, const QString& reason)> streamEnded; // frames: received in this run
    std::function<void(const QString& message)> error;
    std::function<void(const DeviceProfileInfo&)> deviceProfile; // after each authentication
};

class EdgeSession {
public:
    explicit EdgeSession(EdgeOptions options = {}, EdgeCallbacks callbacks = {});
    ~EdgeSession();
    EdgeSession(const EdgeSession&) = delete;
    EdgeSession& operator=(const EdgeSession&) = delete;

    void setCallbacks(EdgeCallbacks callbacks);
    // token empty = a tokenless loopback agent. A failure before the first successful
    // authentication is reported (error) and not retried.
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void disconnectFromAgent();
    EdgeState state() const;

    // Agent settings (stream_settings keys: mode, rate_mbps, dataset, codec, repr, bits,
    // per_channel, ...), merged into the remembered ones and re-sent after a reconnect.
    // Sent now when connected. The edge uses mode, codec settings and rate itself.
    void configure(const QJsonObject& settings);
    QJsonObject settings() const;
    // Loads the model on the edge and sends the device its part (see above). Returns
    // false with *error when the file cannot be used for the current mode.
    bool deployModel(const QString& path, QString* error);
    // Framing "session" (settings key framing), representation uint: quantization ranges fixed
    // for the following streams (split_transport.h calibrateTransportRanges); empty = each frame
    // carries its ranges. They travel to the device inside the session layout.
    void setFixedRanges(std::vector<codec::QuantRange> ranges);
    // Framing "session", coder context: the context coder's starting probabilities for the
    // following streams (split_transport.h calibrateContextPriors); empty = none. They travel
    // to the device inside the session layout too.
    void setContextPriors(codec::ContextPriors priors);
    // Starts a stream of `frames` (0 = until stop()); results restart at sequence 0. With framing
    // "session" the edge first sends the device the session layout of its model and settings
    // (Configure key session_layout); the device refuses to stream with a layout of its own that
    // differs, and a frame that does not decode against the layout closes the connection.
    void start(uint32_t frames = 0);
    void stop();
    // Adaptive V: the running stream goes on with another split model of the same mode,
    // between frames. The agent is stopped; every frame it sent before is finished with
    // the model it was sent with (EdgeFrameResult::ratio); the device gets the head of
    // `path` and the stream continues at the next image with the frames left, as the same
    // run (sequence numbers, running accuracy and CSV go on; no streamEnded in between).
    // Returns false with *error when no stream is running, a switch is under way, every
    // frame has arrived, or the file cannot be used for the mode; the stream is unchanged.
    bool switchModel(const QString& path, QString* error);
    bool switchingModel() const; // asked for and the stream not yet going on with it

    // Per-frame CSV of the following runs (empty = none); see FrameCsvWriter. The file
    // is renamed to `path` when a stream ends or the session is destroyed.
    bool setCsv(const QString& path, const QStringList& contextLines, QString* error);

    // Clock offset agent - edge in microseconds and whether it was measured.
    int64_t clockOffsetUs() const;
    bool clockSynced() const;
    int reconnects() const; // successful reconnections so far
    uint64_t framesReceived() const; // frames received in the current (or last) run
    int framesInTail() const;        // of them, waiting for the shared tail now
    DeviceProfileInfo deviceProfile() const;

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

} // namespace aecnn::edge
