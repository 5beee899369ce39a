#include "live_frame_sampler.h"


namespace aecnn::studio {

LiveFrameSampler::LiveFrameSampler(QObject* parent) : QObject(parent)
{
    timer_.setSingleShot(true);
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &LiveFrameSampler::publish);
}

void LiveFrameSampler::offer(const edge::EdgeFrameResult& frame, long long imagePosition)
{
    if (frame.featureChannels == 0 || frame.features.empty())
        return;
    latest_ = frame;
    latestPosition_ = imagePosition;
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
    LiveFrameContext context = context_;
    context.images = &images_;
    context.imagePosition = latestPosition_;
    const auto views = liveFrameViews(*latest_, context);
    latest_.reset();
    if (!views)
        return;
    ++published_;
    Q_EMIT viewsReady(views->entropy, views->features);
    Q_EMIT deviceFrameReady(views->device);
}

} // namespace aecnn::studio
