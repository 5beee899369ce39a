#include "aecnn/protocol/compact_frame.h"

#include <limits>

#include "aecnn/protocol/protocol_errors.h"
#include "varint.h"

namespace aecnn::protocol {

void CompactFrameWriter::restart()
{
    next_ = 0;
    lastSendUs_ = 0;
}

Frame CompactFrameWriter::toFrame(const SessionFrame& m)
{
    if (m.sequence < next_)
        throw ProtocolError(ProtocolErrorCode::BadField, "cannot send compact frame " + std::to_string(m.sequence) +
                                                             ": frame " + std::to_string(next_) + " is the next one");
    if (m.label < -1)
        throw ProtocolError(ProtocolErrorCode::BadField,
                            "cannot send a compact frame with label " + std::to_string(m.label));
    Frame frame{kCompactFrameVersion, MessageType::CompactFrame, QByteArray()};
    QByteArray& out = frame.payload;
    out.reserve(24 + m.payload.size());
    varint::put(out, m.sequence - next_);
    varint::put(out, varint::zigzag(m.label));
    if (timing_) {
        varint::put(out, m.iotUs);
        varint::put(out, m.encUs);
        // Wrapping (two's complement) difference: the reader adds it back the same way.
        varint::put(out, varint::zigzag(int64_t(uint64_t(m.sendTimeUs) - uint64_t(m.sequence == 0 ? 0 : lastSendUs_))));
    }
    out.append(m.payload);
    next_ = m.sequence + 1;
    lastSendUs_ = m.sendTimeUs;
    return frame;
}

void CompactFrameReader::restart()
{
    next_ = 0;
    lastSendUs_ = 0;
}

SessionFrame CompactFrameReader::read(const Frame& frame)
{
    decodeFrameAs(frame, MessageType::CompactFrame);
    constexpr const char* what = "CompactFrame";
    const QByteArray& p = frame.payload;
    qsizetype pos = 0;
    SessionFrame m;
    const uint64_t gap = varint::take(p, pos, what, "sequence gap");
    const int64_t label = varint::unzigzag(varint::take(p, pos, what, "label"));
    uint64_t iot = 0, enc = 0;
    int64_t sendDelta = 0;
    if (timing_) {
        iot = varint::take(p, pos, what, "t_iot");
        enc = varint::take(p, pos, what, "t_enc");
        sendDelta = varint::unzigzag(varint::take(p, pos, what, "send time"));
    }
    if (label < -1 || label > std::numeric_limits<qint32>::max() || iot > 0xFFFFFFFFu || enc > 0xFFFFFFFFu)
        throw ProtocolError(ProtocolErrorCode::BadField, "undecodable CompactFrame message: a field is out of range");
    if (gap != 0)
        throw ProtocolError(ProtocolErrorCode::SequenceGap,
                            "compact frame out of sequence: expected frame " + std::to_string(next_) + ", got one " +
                                std::to_string(gap) + " frame(s) later (frames were lost, or the agent is out of "
                                "step with this stream)");
    m.sequence = next_;
    m.label = qint32(label);
    m.iotUs = quint32(iot);
    m.encUs = quint32(enc);
    m.sendTimeUs = timing_ ? int64_t(uint64_t(m.sequence == 0 ? 0 : lastSendUs_) + uint64_t(sendDelta)) : 0;
    m.payload = p.mid(pos);
    next_ = m.sequence + 1;
    lastSendUs_ = m.sendTimeUs;
    return m;
}

} // namespace aecnn::protocol
