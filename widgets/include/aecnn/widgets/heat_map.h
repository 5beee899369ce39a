#pragma once

#include <QImage>
#include <QString>
#include <QWidget>
#include <vector>

namespace aecnn::widgets {

// A perceptually ordered colour map (viridis, 9 anchors linearly interpolated):
// t = 0 is dark purple, t = 1 yellow; t is clamped to 0..1.
QRgb colourMap(double t);

// Channels of one tensor as tiles, all on one colour scale (min..max of every value
// shown), so that tiles compare with each other and the colour bar reads as values.
struct HeatMapTiles {
    int count = 0;               // tiles
    int height = 0;
    int width = 0;
    std::vector<float> values;   // count x height x width, row-major
    std::vector<QString> labels; // one per tile (e.g. "ch 12"); may be empty
};

// Renders the tiles `columns` wide (0 = about square), one pixel per value, with a
// one-pixel white gap; null image when there is nothing to show.
QImage heatMapImage(const HeatMapTiles& tiles, int columns, double low, double high);

// Tiles scaled up nearest-neighbour (integer factor, as large as the widget allows,
// so every value stays a crisp square) with their labels, and a vertical colour bar
// with the value range on the right. The tiles are laid out in as many columns as give
// the largest factor at the widget's size.
class HeatMapWidget : public QWidget {
    Q_OBJECT
public:
    explicit HeatMapWidget(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    void setTiles(const HeatMapTiles& tiles); // empty tiles = "nothing yet"
    void clear();

    const HeatMapTiles& tiles() const { return tiles_; }
    QString title() const { return title_; }
    double low() const { return low_; }
    double high() const { return high_; }
    QImage image() const { return image_; } // unscaled, 1 pixel per value
    int columns() const { return columns_; }
    // Layout at the current size, in widget coordinates.
    QRect tilesRect() const;    // where the scaled image is drawn
    QRect colourBarRect() const; // the colour bar (top = high, bottom = low)
    int scale() const;          // nearest-neighbour factor

    QSize minimumSizeHint() const override { return {220, 160}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QSize available() const; // room for the tiles
    void layoutTiles();      // picks the columns for the current size and renders image_

    HeatMapTiles tiles_;
    QString title_;
    QImage image_;
    int columns_ = 1;
    double low_ = 0.0;
    double high_ = 1.0;
};

} // namespace aecnn::widgets
