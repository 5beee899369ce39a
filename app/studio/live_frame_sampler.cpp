#include "live_frame_sampler.h"

#include "live_frame_views.h"

namespace aecnn::studio {

LiveFrameSampler::LiveFrameSampler(QObject* parent) : QObject(parent)
{
    timer_.setSingleShot(true);
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &LiveFrameSampler::publish);
}

void LiveFrameSampler::offer(const edge::EdgeFrameResult& frame)
{
    if (frame.featureChannels == 0 || frame.features.empty())
        return;
    latest_ = frame;
    if (!timer_.isActive())
        timer_.start();
}

void LiveFrameSampler::clear()
{
    latest_.reset();
    timer_.stop();
}

void LiveFrameSampler::publish()
{
    if (!latest_)
        return;
    const auto views = liveFrameViews(*latest_, splitChannels_);
    latest_.reset();
    if (!views)
        return;
    ++published_;
    Q_EMIT viewsReady(views->entropy, views->features);
}

} // namespace aecnn::studio
