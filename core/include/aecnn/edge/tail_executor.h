#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <QString>

namespace aecnn::edge {

// Dynamic batching of the tail across the agents of one edge.
//
//   agent 1 ─┐ decode (per session)         ┌─ tail(batch) ─▶ predictions ─▶ each frame's
//   agent 2 ─┼──────────────────▶ queue per ├─ (one forward   own session: ack, CSV row,
//   agent N ─┘                    model file└─  per batch)     callbacks
//
// Sessions given the same executor (EdgeOptions::tail) hand it their decoded
// "features" frames. Frames of the same split model file (same split, V and weights)
// share a queue; a queue is run as one batch when it holds maxBatch frames or its
// oldest frame has waited maxDelayMs. batching = false runs every frame alone (the
// comparison case), still through the queue. Full and local frames do not use it.
//
// Threading: not thread-safe. The executor and every session using it live on one
// thread and its event loop; batches run there from a timer, never inside a session's
// call, and results reach the sessions in the order their frames were queued.
struct TailBatchOptions {
    bool batching = true;
    int maxBatch = 8;      // >= 1
    int maxDelayMs = 2;    // >= 0: the longest a frame waits for others
};

struct TailStats {
    int64_t frames = 0;
    int64_t batches = 0;
    int largestBatch = 0;
    double meanBatch() const { return batches ? double(frames) / double(batches) : 0.0; }
};

class TailExecutor {
public:
    explicit TailExecutor(TailBatchOptions options = {}); // throws aecnn::Error on invalid options
    ~TailExecutor();
    TailExecutor(const TailExecutor&) = delete;
    TailExecutor& operator=(const TailExecutor&) = delete;

    TailBatchOptions options() const;
    TailStats stats() const;
    int64_t queued() const; // frames waiting now

    // Fault injection for tests: called before each batch's forward pass with the batch's
    // number (from 0) and size; a non-empty message makes that batch fail with it, as a
    // failing tail would (every frame of the batch is then recorded as failed by its session).
    void setBatchFault(std::function<QString(int64_t batch, int size)> fault);

    struct Private; // defined in the edge room's sources (LibTorch)
    Private& internal() { return *d_; }

private:
    std::unique_ptr<Private> d_;
};

} // namespace aecnn::edge
