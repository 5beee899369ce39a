#include "aecnn/widgets/heat_map.h"

#include <QPainter>
#include <algorithm>
#include <array>
#include <cmath>

namespace aecnn::widgets {
namespace {

constexpr int kTitleHeight = 18;
constexpr int kBarWidth = 16;
constexpr int kBarLabelWidth = 64;
constexpr int kGap = 6;
constexpr int kLabelHeight = 14;

// Viridis at t = 0, 1/8, ..., 1 (matplotlib's table, rounded to bytes).
constexpr std::array<std::array<int, 3>, 9> kViridis{{{68, 1, 84},
                                                      {71, 44, 122},
                                                      {59, 81, 139},
                                                      {44, 113, 142},
                                                      {33, 144, 141},
                                                      {39, 173, 129},
                                                      {92, 200, 99},
                                                      {170, 220, 50},
                                                      {253, 231, 37}}};

int squareColumns(int count)
{
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)))));
}

} // namespace

QRgb colourMap(double t)
{
    if (!(t >= 0.0)) // NaN too
        t = 0.0;
    t = std::min(t, 1.0);
    const double position = t * (kViridis.size() - 1);
    const auto i = std::min(static_cast<size_t>(position), kViridis.size() - 2);
    const double f = position - static_cast<double>(i);
    int rgb[3];
    for (int k = 0; k < 3; ++k)
        rgb[k] = static_cast<int>(std::lround(kViridis[i][k] + f * (kViridis[i + 1][k] - kViridis[i][k])));
    return qRgb(rgb[0], rgb[1], rgb[2]);
}

QImage heatMapImage(const HeatMapTiles& tiles, int columns, double low, double high)
{
    const size_t plane = static_cast<size_t>(std::max(0, tiles.height)) * std::max(0, tiles.width);
    if (tiles.count <= 0 || plane == 0 || tiles.values.size() < plane * tiles.count)
        return {};
    if (columns <= 0)
        columns = squareColumns(tiles.count);
    const int rows = (tiles.count + columns - 1) / columns;
    QImage image((tiles.width + 1) * columns - 1, (tiles.height + 1) * rows - 1, QImage::Format_RGB32);
    image.fill(Qt::white);
    const double span = high > low ? high - low : 1.0;
    for (int c = 0; c < tiles.count; ++c) {
        const int x0 = (c % columns) * (tiles.width + 1);
        const int y0 = (c / columns) * (tiles.height + 1);
        const float* first = tiles.values.data() + plane * c;
        for (int y = 0; y < tiles.height; ++y) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(y0 + y)) + x0;
            for (int x = 0; x < tiles.width; ++x)
                line[x] = colourMap((first[static_cast<size_t>(y) * tiles.width + x] - low) / span);
        }
    }
    return image;
}

HeatMapWidget::HeatMapWidget(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatMapWidget::setTitle(const QString& title)
{
    title_ = title;
    update();
}

void HeatMapWidget::clear()
{
    setTiles({});
}

void HeatMapWidget::setTiles(const HeatMapTiles& tiles)
{
    tiles_ = tiles;
    image_ = QImage();
    const size_t used = static_cast<size_t>(std::max(0, tiles.count)) * std::max(0, tiles.height) *
                        static_cast<size_t>(std::max(0, tiles.width));
    if (used == 0 || tiles.values.size() < used) {
        low_ = 0.0;
        high_ = 1.0;
    } else {
        const auto [lo, hi] = std::minmax_element(tiles.values.begin(), tiles.values.begin() + static_cast<std::ptrdiff_t>(used));
        low_ = *lo;
        high_ = *hi > *lo ? *hi : *lo + 1.0;
        layoutTiles();
    }
    update();
}

QSize HeatMapWidget::available() const
{
    return {width() - kBarWidth - kBarLabelWidth - 2 * kGap, height() - kTitleHeight - kGap};
}

void HeatMapWidget::layoutTiles()
{
    const size_t used = static_cast<size_t>(std::max(0, tiles_.count)) * std::max(0, tiles_.height) *
                        static_cast<size_t>(std::max(0, tiles_.width));
    if (used == 0 || tiles_.values.size() < used)
        return;
    const QSize room = available();
    int best = squareColumns(tiles_.count);
    int bestScale = 0;
    for (int columns = 1; columns <= tiles_.count; ++columns) {
        const int rows = (tiles_.count + columns - 1) / columns;
        const int w = (tiles_.width + 1) * columns - 1;
        const int h = (tiles_.height + 1) * rows - 1;
        const int s = std::min(room.width() / w, room.height() / h);
        if (s > bestScale) {
            bestScale = s;
            best = columns;
        }
    }
    if (best != columns_ || image_.isNull()) {
        columns_ = best;
        image_ = heatMapImage(tiles_, columns_, low_, high_);
    }
}

void HeatMapWidget::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (!image_.isNull())
        layoutTiles();
}

int HeatMapWidget::scale() const
{
    if (image_.isNull())
        return 0;
    const QSize room = available();
    return std::max(1, std::min(room.width() / std::max(1, image_.width()), room.height() / std::max(1, image_.height())));
}

QRect HeatMapWidget::tilesRect() const
{
    if (image_.isNull())
        return {};
    const int s = scale();
    return {0, kTitleHeight, image_.width() * s, image_.height() * s};
}

QRect HeatMapWidget::colourBarRect() const
{
    const QRect tiles = tilesRect();
    const int barHeight = std::max(40, tiles.isNull() ? height() - kTitleHeight - kGap : tiles.height());
    const int x = tiles.isNull() ? kGap : tiles.right() + 1 + kGap;
    return {x, kTitleHeight, kBarWidth, barHeight};
}

void HeatMapWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false); // nearest-neighbour
    painter.drawText(QRect(0, 0, width(), kTitleHeight), Qt::AlignLeft | Qt::AlignVCenter,
                     painter.fontMetrics().elidedText(title_, Qt::ElideRight, width()));
    if (image_.isNull()) {
        painter.drawText(QRect(0, kTitleHeight, width(), height() - kTitleHeight), Qt::AlignCenter,
                         tr("nothing received yet"));
        return;
    }
    const QRect target = tilesRect();
    painter.drawImage(target, image_);
    const int s = scale();
    // Labels under each tile row would overlap the next row at small scales: draw them
    // inside the tile's top-left corner, on a dark backing.
    if (!tiles_.labels.empty() && s * tiles_.height >= 3 * kLabelHeight) {
        QFont small = painter.font();
        small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
        painter.setFont(small);
        for (int c = 0; c < tiles_.count && c < static_cast<int>(tiles_.labels.size()); ++c) {
            const QRect tile(target.left() + (c % columns_) * (tiles_.width + 1) * s,
                             target.top() + (c / columns_) * (tiles_.height + 1) * s, tiles_.width * s, kLabelHeight);
            const QRect text = painter.fontMetrics().boundingRect(tiles_.labels[c]).adjusted(-2, 0, 2, 0);
            painter.fillRect(QRect(tile.topLeft(), QSize(text.width(), kLabelHeight)), QColor(0, 0, 0, 160));
            painter.setPen(Qt::white);
            painter.drawText(QRect(tile.topLeft(), QSize(text.width(), kLabelHeight)), Qt::AlignCenter, tiles_.labels[c]);
        }
        painter.setFont(font());
    }
    const QRect bar = colourBarRect();
    for (int y = 0; y < bar.height(); ++y) {
        const double t = 1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1);
        painter.setPen(QColor(colourMap(t)));
        painter.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    const QRect labels(bar.right() + 4, bar.top() - 6, kBarLabelWidth, bar.height() + 12);
    painter.drawText(labels, Qt::AlignTop | Qt::AlignLeft, QString::number(high_, 'g', 3));
    painter.drawText(labels, Qt::AlignVCenter | Qt::AlignLeft, QString::number((low_ + high_) / 2, 'g', 3));
    painter.drawText(labels, Qt::AlignBottom | Qt::AlignLeft, QString::number(low_, 'g', 3));
}

} // namespace aecnn::widgets
