#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aecnn::edge {

// One frame as the edge finished it: plain values only (no Qt, no LibTorch), so it
// crosses threads and reaches widgets unchanged.
struct EdgeFrameResult {
    uint64_t sequence = 0;      // frames received in this run, from 0; continues across reconnects
    uint64_t agentSequence = 0; // the agent's number (restarts when the agent restarts)
    int label = -1;             // ground truth, -1 = unknown (camera)
    int predicted = -1;
    std::string kind;           // payload: "features" (AECNN/BottleNet++), "jpeg" (full), "result" (local)

    // Stage times in ms (paper Eq. 2-4). t_iot and t_enc are measured on the device,
    // t_dec and t_es on the edge, t_com from the agent's send time to arrival here
    // (agent clock mapped to the edge clock with the ping-estimated offset).
    double iotMs = 0.0;
    double encMs = 0.0;
    double comMs = 0.0;
    double decMs = 0.0;
    double esMs = 0.0;        // tail; with a shared TailExecutor, the forward pass of the frame's whole batch
    double queueMs = 0.0;     // shared TailExecutor only: waiting in the edge's batch queue (decoded .. tail starts)
    int batchSize = 0;        // frames in the tail batch this frame was finished in; 0 = no shared executor
    double measuredMs = 0.0;  // start of t_iot on the device .. prediction on the edge
    double predictedMs = 0.0; // Eq. 4 for this frame: bytes / rate + t_iot + t_enc + t_dec + t_es
    // False when the frame carried no device times (compact frames, frame_timing false): then
    // iotMs, encMs, comMs, measuredMs and predictedMs are NaN (CSV: empty cells; summaries leave
    // them out); the edge's own stages and profileMs are measured as always.
    bool deviceTimed = true;
    // Eq. 4 with the device-side terms (t_iot, t_enc; local: the whole model) from the
    // device profile in use (`deviceProfile`: the agent's, or the Pi 4 table as fallback)
    // and this frame's bytes at the set rate, t_dec and t_es; full offloading: capture +
    // resize + JPEG encode at the stream's resolution and quality (profile version 2);
    // < 0 = the profile has no entry for this configuration.
    double profileMs = -1.0;
    std::string deviceProfile;
    int inputHeight = 0; // the deployed model's input size (0 = no model): what was measured
    int inputWidth = 0;
    double rateMbps = 0.0;    // configured uplink rate; 0 = unshaped (no transfer term predicted)
    int ratio = 0;            // V of the split model the frame was sent with (0 = not a split model)
    bool clockSynced = false; // false until a ping exchange gave a clock offset (0 assumed)

    int64_t bytes = 0;         // the whole protocol frame on the wire: framing + message + security
    int64_t payloadBytes = 0;  // the mode's payload (codec frame, JPEG, result)
    int64_t securityBytes = 0; // of `bytes`, the record layer's sequence number and tag (0 tokenless);
                               // they travel on the link, so t_com and predictedMs include them
    double receivedMs = 0.0;  // edge steady clock at arrival

    // Empty = finished with its prediction. Otherwise why the frame has none (its tail batch
    // failed, the session closed before the shared tail ran it, the payload did not decode):
    // the frame is still recorded (a CSV row, EdgeCallbacks::frameFailed), predicted = -1,
    // and it does not count in the running accuracy.
    std::string failure;

    int64_t correctSoFar = 0; // frames with a known label predicted right, this run
    int64_t labelledSoFar = 0;
    double runningAccuracy() const { return labelledSoFar ? double(correctSoFar) / double(labelledSoFar) : 0.0; }

    // AECNN / BottleNet++ with features kept (EdgeOptions::keepFeatures): the transmitted
    // tensor as received, C' x H x W channel-major, for entropy and feature views.
    uint32_t featureChannels = 0;
    uint32_t featureHeight = 0;
    uint32_t featureWidth = 0;
    std::vector<uint16_t> keptChannels; // index in X_l of each transmitted channel; empty = 0..C'-1
    std::vector<uint8_t> symbols;      // what the coder transmitted (n-bit integers for "uint")
    std::vector<float> features;       // dequantized values
    // X_l as the edge rebuilt it from them (AECNN: FR output, the received channels back
    // in place; BottleNet++: decoder output), C x H x W channel-major; empty otherwise.
    uint32_t rebuiltChannels = 0;
    std::vector<float> rebuilt;
};

} // namespace aecnn::edge
