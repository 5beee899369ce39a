#include "aecnn/protocol/messages.h"

#include <QDataStream>
#include <QIODevice>
#include <QJsonDocument>

#include <limits>

#include "aecnn/error.h"
#include "aecnn/protocol/protocol_errors.h"
#include "varint.h"

namespace aecnn::protocol {
namespace {

QByteArray jsonBytes(const QJsonObject& json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QJsonObject parseJson(const QByteArray& bytes, const char* what)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(bytes, &error);
    if (doc.isNull() || !doc.isObject())
        throw ProtocolError(ProtocolErrorCode::BadJson, std::string("undecodable ") + what +
                                                            " message: settings are not a JSON object (" +
                                                            error.errorString().toStdString() + ")");
    return doc.object();
}

template <typename... Fields>
QByteArray write(const Fields&... fields)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_0);
    (s << ... << fields);
    return out;
}

template <typename... Fields>
void read(const QByteArray& payload, const char* what, Fields&... fields)
{
    QDataStream s(payload);
    s.setVersion(QDataStream::Qt_6_0);
    (s >> ... >> fields);
    if (s.status() != QDataStream::Ok)
        throw ProtocolError(ProtocolErrorCode::MalformedPayload,
                            std::string("undecodable ") + what + " message: payload is short or corrupt");
    if (!s.atEnd())
        throw ProtocolError(ProtocolErrorCode::PayloadTrailingBytes,
                            std::string("undecodable ") + what + " message: unexpected trailing bytes");
}

void requireEmpty(const QByteArray& payload, const char* what)
{
    if (!payload.isEmpty())
        throw ProtocolError(ProtocolErrorCode::UnexpectedPayload,
                            std::string("undecodable ") + what + " message: it carries no payload");
}

void requireSize(const QByteArray& bytes, int size, const char* field)
{
    if (bytes.size() != size)
        throw ProtocolError(ProtocolErrorCode::BadField, std::string("undecodable message: ") + field + " must be " +
                                                             std::to_string(size) + " bytes, got " +
                                                             std::to_string(bytes.size()));
}

} // namespace

void decodeFrameAs(const Frame& frame, MessageType expected)
{
    if (frame.type != expected)
        throw ProtocolError(ProtocolErrorCode::UnexpectedMessage,
                            "expected a " + toString(expected) + " message, got " + toString(frame.type));
}

QByteArray encodePayload(const Hello& m) { return write(m.minVersion, m.maxVersion, m.software); }
void decodePayload(const QByteArray& p, Hello& m)
{
    read(p, "Hello", m.minVersion, m.maxVersion, m.software);
    if (m.minVersion > m.maxVersion || m.minVersion == 0)
        throw ProtocolError(ProtocolErrorCode::BadField, "undecodable Hello message: version range " +
                                                             std::to_string(m.minVersion) + ".." +
                                                             std::to_string(m.maxVersion) + " is empty");
}

QByteArray encodePayload(const HelloAck& m) { return write(m.version); }
void decodePayload(const QByteArray& p, HelloAck& m) { read(p, "HelloAck", m.version); }

QByteArray encodePayload(const Challenge& m) { return write(m.serverNonce, m.tokenRequired, m.encryptionRequired); }
void decodePayload(const QByteArray& p, Challenge& m)
{
    read(p, "Challenge", m.serverNonce, m.tokenRequired, m.encryptionRequired);
    requireSize(m.serverNonce, 32, "the server nonce");
}

QByteArray encodePayload(const AuthProof& m) { return write(m.clientNonce, m.mac, m.encrypt); }
void decodePayload(const QByteArray& p, AuthProof& m) { read(p, "AuthProof", m.clientNonce, m.mac, m.encrypt); }

QByteArray encodePayload(const AuthResult& m) { return write(m.ok, m.serverMac, m.message); }
void decodePayload(const QByteArray& p, AuthResult& m) { read(p, "AuthResult", m.ok, m.serverMac, m.message); }

QByteArray encodePayload(const Configure& m) { return write(jsonBytes(m.settings)); }
void decodePayload(const QByteArray& p, Configure& m)
{
    QByteArray json;
    read(p, "Configure", json);
    m.settings = parseJson(json, "Configure");
}

QByteArray encodePayload(const ConfigureAck& m) { return write(m.ok, m.message, jsonBytes(m.effective)); }
void decodePayload(const QByteArray& p, ConfigureAck& m)
{
    QByteArray json;
    read(p, "ConfigureAck", m.ok, m.message, json);
    m.effective = parseJson(json, "ConfigureAck");
}

QByteArray encodePayload(const DeployBegin& m) { return write(m.name, m.size, m.sha256); }
void decodePayload(const QByteArray& p, DeployBegin& m)
{
    read(p, "DeployBegin", m.name, m.size, m.sha256);
    requireSize(m.sha256, 32, "the SHA-256");
}

QByteArray encodePayload(const DeployChunk& m) { return write(m.data); }
void decodePayload(const QByteArray& p, DeployChunk& m) { read(p, "DeployChunk", m.data); }

QByteArray encodePayload(const DeployEnd&) { return {}; }
void decodePayload(const QByteArray& p, DeployEnd&) { requireEmpty(p, "DeployEnd"); }

QByteArray encodePayload(const DeployResult& m) { return write(m.ok, m.message); }
void decodePayload(const QByteArray& p, DeployResult& m) { read(p, "DeployResult", m.ok, m.message); }

QByteArray encodePayload(const Start& m) { return write(m.frames); }
void decodePayload(const QByteArray& p, Start& m) { read(p, "Start", m.frames); }

QByteArray encodePayload(const Stop&) { return {}; }
void decodePayload(const QByteArray& p, Stop&) { requireEmpty(p, "Stop"); }

QByteArray encodePayload(const FrameData& m)
{
    return write(m.sequence, m.label, m.predicted, m.iotMs, m.encMs, m.sendTimeUs, m.kind, m.payload);
}
void decodePayload(const QByteArray& p, FrameData& m)
{
    read(p, "FrameData", m.sequence, m.label, m.predicted, m.iotMs, m.encMs, m.sendTimeUs, m.kind, m.payload);
}

QByteArray encodePayload(const DeviceProfileMessage& m) { return write(m.present, m.message, jsonBytes(m.profile)); }
void decodePayload(const QByteArray& p, DeviceProfileMessage& m)
{
    QByteArray json;
    read(p, "DeviceProfile", m.present, m.message, json);
    m.profile = parseJson(json, "DeviceProfile");
    if (m.present && m.profile.isEmpty())
        throw ProtocolError(ProtocolErrorCode::BadField, "undecodable DeviceProfile message: present but empty");
}

QByteArray encodePayload(const StreamEnd& m) { return write(m.frames, m.reason); }
void decodePayload(const QByteArray& p, StreamEnd& m) { read(p, "StreamEnd", m.frames, m.reason); }

QByteArray encodePayload(const FrameAck& m) { return write(m.sequence); }
void decodePayload(const QByteArray& p, FrameAck& m) { read(p, "FrameAck", m.sequence); }
QByteArray encodePayload(const SessionFrame& m)
{
    QByteArray out;
    out.reserve(24 + m.payload.size());
    varint::put(out, m.sequence);
    varint::put(out, varint::zigzag(m.label));
    varint::put(out, m.iotUs);
    varint::put(out, m.encUs);
    varint::put(out, varint::zigzag(m.sendTimeUs));
    out.append(m.payload);
    return out;
}
void decodePayload(const QByteArray& p, SessionFrame& m)
{
    qsizetype pos = 0;
    constexpr const char* what = "SessionFrame";
    m.sequence = varint::take(p, pos, what, "sequence");
    const quint64 label = varint::take(p, pos, what, "label");
    const quint64 iot = varint::take(p, pos, what, "t_iot");
    const quint64 enc = varint::take(p, pos, what, "t_enc");
    m.sendTimeUs = varint::unzigzag(varint::take(p, pos, what, "send time"));
    const qint64 l = varint::unzigzag(label);
    if (l < -1 || l > std::numeric_limits<qint32>::max() || iot > 0xFFFFFFFFu || enc > 0xFFFFFFFFu)
        throw ProtocolError(ProtocolErrorCode::BadField, "undecodable SessionFrame message: a field is out of range");
    m.label = qint32(l);
    m.iotUs = quint32(iot);
    m.encUs = quint32(enc);
    m.payload = p.mid(pos);
}

QByteArray encodePayload(const Ping& m) { return write(m.edgeTimeUs); }
void decodePayload(const QByteArray& p, Ping& m) { read(p, "Ping", m.edgeTimeUs); }

QByteArray encodePayload(const Pong& m) { return write(m.edgeTimeUs, m.agentTimeUs); }
void decodePayload(const QByteArray& p, Pong& m) { read(p, "Pong", m.edgeTimeUs, m.agentTimeUs); }

QByteArray encodePayload(const Heartbeat&) { return {}; }
void decodePayload(const QByteArray& p, Heartbeat&) { requireEmpty(p, "Heartbeat"); }

QByteArray encodePayload(const ErrorMessage& m) { return write(m.message); }
void decodePayload(const QByteArray& p, ErrorMessage& m) { read(p, "Error", m.message); }

} // namespace aecnn::protocol
