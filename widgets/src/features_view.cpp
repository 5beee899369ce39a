#include "aecnn/widgets/features_view.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QPdfWriter>
#include <QScrollArea>
#include <algorithm>
#include <cmath>

namespace aecnn::widgets {
namespace {

int gridColumns(int count)
{
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)))));
}

double channelMean(const std::vector<float>& values, size_t offset, size_t plane)
{
    double sum = 0.0;
    for (size_t i = 0; i < plane; ++i)
        sum += values[offset + i];
    return plane ? sum / static_cast<double>(plane) : 0.0;
}

} // namespace

QString FeatureFrame::validate() const
{
    if (channels <= 0 || height <= 0 || width <= 0)
        return QStringLiteral("feature shape %1x%2x%3 is empty").arg(channels).arg(height).arg(width);
    const size_t plane = static_cast<size_t>(height) * width;
    if (!unpruned.empty() && unpruned.size() != plane * channels)
        return QStringLiteral("unpruned tensor has %1 values, expected C*H*W = %2").arg(unpruned.size()).arg(plane * channels);
    if (!recovered.empty() && recovered.size() != plane * channels)
        return QStringLiteral("recovered tensor has %1 values, expected %2").arg(recovered.size()).arg(plane * channels);
    if (received.size() != plane * keptChannels.size())
        return QStringLiteral("received tensor has %1 values, expected kept*H*W = %2").arg(received.size())
            .arg(plane * keptChannels.size());
    for (int channel : keptChannels)
        if (channel < 0 || channel >= channels)
            return QStringLiteral("kept channel %1 is outside 0..%2").arg(channel).arg(channels - 1);
    return {};
}

QImage channelMosaic(const std::vector<float>& values, int count, int height, int width, int columns)
{
    if (count <= 0 || height <= 0 || width <= 0)
        return {};
    const int rows = (count + columns - 1) / columns;
    QImage image((width + 1) * columns, (height + 1) * rows, QImage::Format_Grayscale8);
    image.fill(Qt::white);
    const size_t plane = static_cast<size_t>(height) * width;
    for (int c = 0; c < count; ++c) {
        const auto first = values.begin() + static_cast<std::ptrdiff_t>(plane * c);
        const auto [low, high] = std::minmax_element(first, first + static_cast<std::ptrdiff_t>(plane));
        const float span = *high - *low;
        const int x0 = (c % columns) * (width + 1);
        const int y0 = (c / columns) * (height + 1);
        for (int y = 0; y < height; ++y) {
            uchar* line = image.scanLine(y0 + y) + x0;
            for (int x = 0; x < width; ++x) {
                const float v = first[static_cast<std::ptrdiff_t>(y) * width + x];
                line[x] = span > 0 ? static_cast<uchar>(std::lround(255.0f * (v - *low) / span)) : 128;
            }
        }
    }
    return image;
}

FeaturesView::FeaturesView(QWidget* parent)
    : PlotView(parent), status_(new QLabel(this)), receivedLabel_(new QLabel(this)),
      recoveredLabel_(new QLabel(this)), unprunedLabel_(new QLabel(this))
{
    status_->setWordWrap(true);
    auto* grid = new QGridLayout(this);
    grid->addWidget(status_, 0, 0, 1, 3);
    const QString titles[3] = {tr("received (kept channels)"), tr("after feature recovery"), tr("unpruned")};
    QLabel* images[3] = {receivedLabel_, recoveredLabel_, unprunedLabel_};
    for (int i = 0; i < 3; ++i) {
        auto* title = new QLabel(titles[i], this);
        if (i == 1)
            recoveredTitle_ = title;
        grid->addWidget(title, 1, i);
        images[i]->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        images[i]->setMinimumSize(160, 160);
        grid->addWidget(images[i], 2, i);
    }
    grid->setRowStretch(2, 1);
    status_->setText(tr("No feature frame yet."));
}

void FeaturesView::setFrame(const FeatureFrame& frame)
{
    const QString problem = frame.validate();
    if (!problem.isEmpty()) {
        status_->setText(tr("Cannot show this frame: %1").arg(problem));
        return;
    }
    frame_ = frame;
    const int columns = gridColumns(frame.channels);
    received_ = channelMosaic(frame.received, static_cast<int>(frame.keptChannels.size()), frame.height, frame.width,
                              gridColumns(static_cast<int>(frame.keptChannels.size())));
    recovered_ = frame.recovered.empty() ? QImage()
                                         : channelMosaic(frame.recovered, frame.channels, frame.height, frame.width, columns);
    unpruned_ = frame.unpruned.empty() ? QImage()
                                       : channelMosaic(frame.unpruned, frame.channels, frame.height, frame.width, columns);
    auto show = [](QLabel* label, const QImage& image) {
        label->setPixmap(image.isNull() ? QPixmap()
                                        : QPixmap::fromImage(image.scaled(image.size() * 2, Qt::KeepAspectRatio,
                                                                          Qt::FastTransformation)));
    };
    show(receivedLabel_, received_);
    show(recoveredLabel_, recovered_);
    recoveredTitle_->setText(frame.recoveredByDecoder ? tr("BottleNet++ decoder output") : tr("after feature recovery"));
    show(unprunedLabel_, unpruned_);
    status_->setText(tr("%1 of %2 channels received, %3x%4 each%5").arg(frame.keptChannels.size()).arg(frame.channels)
                         .arg(frame.height).arg(frame.width)
                         .arg(frame.unpruned.empty() ? tr(" (live frame: the device keeps the unpruned tensor)") : QString()));
}

QString FeaturesView::recoveredTitle() const
{
    return recoveredTitle_->text();
}

QImage FeaturesView::composite() const
{
    const QImage parts[3] = {received_, recovered_, unpruned_};
    int width = 0;
    int height = 0;
    for (const QImage& part : parts) {
        width += part.width() + 8;
        height = std::max(height, part.height());
    }
    if (width == 0 || height == 0)
        return {};
    QImage out(width, height, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    int x = 0;
    for (const QImage& part : parts) {
        painter.drawImage(x, 0, part);
        x += part.width() + 8;
    }
    return out;
}

CsvTable FeaturesView::table() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("channel"), QStringLiteral("kept (0/1)"),
                                QStringLiteral("unpruned_mean (activation)"), QStringLiteral("recovered_mean (activation)"),
                                QStringLiteral("recovered_mse (activation^2)")};
    const size_t plane = static_cast<size_t>(frame_.height) * frame_.width;
    for (int c = 0; c < frame_.channels; ++c) {
        const size_t offset = plane * c;
        const bool kept = std::binary_search(frame_.keptChannels.begin(), frame_.keptChannels.end(), c);
        QStringList row{QString::number(c), kept ? QStringLiteral("1") : QStringLiteral("0"),
                        frame_.unpruned.empty() ? QString() : csvNumber(channelMean(frame_.unpruned, offset, plane))};
        row << (frame_.recovered.empty() ? QString() : csvNumber(channelMean(frame_.recovered, offset, plane)));
        if (frame_.recovered.empty() || frame_.unpruned.empty()) { // live frames: no unpruned tensor to compare with
            row << QString();
        } else {
            double mse = 0.0;
            for (size_t i = 0; i < plane; ++i) {
                const double d = frame_.recovered[offset + i] - frame_.unpruned[offset + i];
                mse += d * d;
            }
            row << csvNumber(mse / plane);
        }
        table.addRow(row);
    }
    return table;
}

bool FeaturesView::exportPlot(const QString& path, QString* error) const
{
    const QImage image = composite();
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("Cannot export the feature images to %1: %2").arg(path, why);
        return false;
    };
    if (image.isNull())
        return fail(QStringLiteral("no frame is shown"));
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return image.save(path, "PNG") ? true : fail(QStringLiteral("the file could not be written"));
    if (suffix != QLatin1String("pdf"))
        return fail(QStringLiteral("use a .png or .pdf file name"));
    QPdfWriter writer(path);
    QPainter painter;
    if (!painter.begin(&writer))
        return fail(QStringLiteral("the file could not be written"));
    const QRect page = painter.viewport();
    painter.drawImage(QRect(QPoint(0, 0), image.size().scaled(page.size(), Qt::KeepAspectRatio)), image);
    return painter.end() ? true : fail(QStringLiteral("the PDF could not be finished"));
}

} // namespace aecnn::widgets
