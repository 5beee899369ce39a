#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <vector>

namespace aecnn::studio {

// The edge's own copy of a data set's test images (uint8, N x C x H x W), as plain
// values: the analysis worker loads them with LibTorch, the UI thread only reads them.
// The agent streams the same split in order (from `first_image`, cycling), so a frame's
// source position names its image here; the agent itself sends only features.
struct InputImages {
    QString dataset;   // the spec, e.g. "fashion-mnist"
    long long total = 0; // images in the test split (the agent cycles over all of them)
    int count = 0;     // images held here (the first `count`; fewer than total when capped)
    int channels = 0;
    int height = 0;
    int width = 0;
    std::shared_ptr<const std::vector<uint8_t>> pixels;
    std::vector<int> labels;
    QStringList classNames;

    bool empty() const { return count <= 0 || !pixels; }
    // Position in the agent's cycle -> index in the test split.
    long long indexOf(long long position) const { return total > 0 ? position % total : -1; }
    // Null when the index is not held here.
    QImage image(long long index) const;
    int label(long long index) const; // -1 when not held
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::InputImages)
