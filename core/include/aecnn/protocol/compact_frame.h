#pragma once

#include <cstdint>

#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/messages.h"

namespace aecnn::protocol {

// CompactFrame, protocol message type 23: a session frame (SessionFrame, messages.h) in the
// compact wire form of frame.h (1-byte type, varint length), for streams whose edge asked for it
// in Configure (stream settings of aecnn-agent):
//   "frame_header": "full" | "compact"  compact: session-framed streams send CompactFrame instead of
//                                        SessionFrame. An agent that does not know the key refuses
//                                        the Configure ("unknown setting 'frame_header'").
//   "frame_timing": true | false         false: no device times in compact frames (the edge then
//                                        has no t_iot, t_enc, t_com, measured or Eq. 4 time per frame)
// Payload before sealing (varint = unsigned LEB128, minimal; zz = zigzag varint):
//   varint gap | zz label | [varint iotUs | varint encUs | zz sendTimeDeltaUs]  (frame_timing true)
//   | the layout-framed codec frame (every remaining byte)
// gap: the frame's sequence minus the expected one (0 for a stream's first frame, then the
//   previous + 1). A sender numbers frames 0, 1, 2 ... and writes 0; a receiver refuses any other
//   gap (SequenceGap). The first frame of a stream carries its send time, later ones the
//   difference to the previous frame's. Both sides restart at each Start.
// So without timing a frame costs 1 (type) + 1 (length < 128; 2 below 16 384) + 1 (gap) + 1 (label
// -64..63) bytes besides the codec frame; with timing t_iot and t_enc add 1-3 bytes each (µs) and
// the send time 1-3 bytes (10 bytes for the first frame of a stream).
class CompactFrameWriter {
public:
    explicit CompactFrameWriter(bool timing = true) : timing_(timing) {}
    bool timing() const { return timing_; }
    // A new stream: its first frame is sequence 0.
    void restart();
    // The frame to send (encodeFrame writes the compact form). Throws ProtocolError (BadField)
    // when `message.sequence` is below the next one or a field is out of range.
    Frame toFrame(const SessionFrame& message);

private:
    bool timing_;
    uint64_t next_ = 0;
    int64_t lastSendUs_ = 0;
};

class CompactFrameReader {
public:
    explicit CompactFrameReader(bool timing = true) : timing_(timing) {}
    bool timing() const { return timing_; }
    void restart();
    uint64_t nextSequence() const { return next_; }
    // The session frame of a received CompactFrame (without timing: iotUs, encUs, sendTimeUs 0).
    // Throws ProtocolError: UnexpectedMessage (another type), MalformedPayload (a field cut short),
    // BadField (not minimal, out of range), SequenceGap (not the next frame); nothing changes then.
    SessionFrame read(const Frame& frame);

private:
    bool timing_;
    uint64_t next_ = 0;
    int64_t lastSendUs_ = 0;
};

} // namespace aecnn::protocol
