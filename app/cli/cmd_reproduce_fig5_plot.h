#pragma once

#include <string>
#include <vector>

#include <QByteArray>

namespace aecnn::cli {

// One line (or set of markers) of a log-log panel; colour is B, G, R.
struct PlotSeries {
    std::string name;
    std::vector<double> x, y;
    int blue = 0, green = 0, red = 0;
    bool markers = false; // markers only, no line
    bool dashed = false;
};

struct PlotPanel {
    std::string title;
    std::string xLabel = "uplink rate r (Mbps)";
    std::string yLabel = "completion time (ms)";
    std::vector<PlotSeries> series;
};

// Panels side by side, log-log axes with decade grid lines, legend per panel; PNG bytes.
// Throws aecnn::Error when OpenCV cannot encode the image.
QByteArray plotLogLogPanels(const std::vector<PlotPanel>& panels, int panelWidth = 640, int height = 480);

} // namespace aecnn::cli
