#include "cmd_reproduce_fig5_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aecnn/error.h"

namespace aecnn::cli {
namespace {

struct Range {
    double lo = 1e300, hi = -1e300;
    void add(double v)
    {
        if (v > 0 && std::isfinite(v))
            lo = std::min(lo, v), hi = std::max(hi, v);
    }
    // Whole decades around the data.
    void snap()
    {
        if (lo > hi)
            lo = 1, hi = 10;
        lo = std::pow(10.0, std::floor(std::log10(lo)));
        hi = std::pow(10.0, std::ceil(std::log10(hi)));
        if (hi <= lo)
            hi = lo * 10;
    }
};

std::string tickLabel(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, v >= 1 ? "%.0f" : "%g", v);
    return b;
}

void drawPanel(cv::Mat& canvas, const cv::Rect& area, const PlotPanel& panel)
{
    const int left = area.x + 70, right = area.x + area.width - 20, top = area.y + 45,
              bottom = area.y + area.height - 55;
    Range xr, yr;
    for (const auto& s : panel.series) {
        for (double v : s.x)
            xr.add(v);
        for (double v : s.y)
            yr.add(v);
    }
    xr.snap();
    yr.snap();
    auto px = [&](double v) {
        return left + int((std::log10(v) - std::log10(xr.lo)) / (std::log10(xr.hi) - std::log10(xr.lo)) * (right - left));
    };
    auto py = [&](double v) {
        return bottom - int((std::log10(v) - std::log10(yr.lo)) / (std::log10(yr.hi) - std::log10(yr.lo)) * (bottom - top));
    };
    const cv::Scalar axis(0, 0, 0), grid(225, 225, 225);
    const auto font = cv::FONT_HERSHEY_SIMPLEX;
    for (double d = xr.lo; d <= xr.hi * 1.001; d *= 10) {
        cv::line(canvas, {px(d), top}, {px(d), bottom}, grid, 1);
        cv::putText(canvas, tickLabel(d), {px(d) - 10, bottom + 18}, font, 0.42, axis, 1, cv::LINE_AA);
    }
    for (double d = yr.lo; d <= yr.hi * 1.001; d *= 10) {
        cv::line(canvas, {left, py(d)}, {right, py(d)}, grid, 1);
        cv::putText(canvas, tickLabel(d), {area.x + 8, py(d) + 5}, font, 0.42, axis, 1, cv::LINE_AA);
    }
    cv::rectangle(canvas, {left, top}, {right, bottom}, axis, 1);
    cv::putText(canvas, panel.title, {left, area.y + 25}, font, 0.5, axis, 1, cv::LINE_AA);
    cv::putText(canvas, panel.xLabel, {(left + right) / 2 - 70, bottom + 42}, font, 0.5, axis, 1, cv::LINE_AA);
    cv::putText(canvas, panel.yLabel, {area.x + 8, top - 8}, font, 0.42, axis, 1, cv::LINE_AA);
    int legendY = top + 18;
    for (const auto& s : panel.series) {
        const cv::Scalar colour(s.blue, s.green, s.red);
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (!(s.x[i] > 0 && s.y[i] > 0))
                continue;
            const cv::Point p{px(s.x[i]), py(s.y[i])};
            if (s.markers)
                cv::circle(canvas, p, 5, colour, 2, cv::LINE_AA);
            else if (i > 0 && s.x[i - 1] > 0 && s.y[i - 1] > 0 && (!s.dashed || i % 2 == 0))
                cv::line(canvas, {px(s.x[i - 1]), py(s.y[i - 1])}, p, colour, 2, cv::LINE_AA);
        }
        const cv::Point at{right - 175, legendY};
        if (s.markers)
            cv::circle(canvas, {at.x + 12, at.y - 4}, 5, colour, 2, cv::LINE_AA);
        else
            cv::line(canvas, {at.x, at.y - 4}, {at.x + 25, at.y - 4}, colour, 2, cv::LINE_AA);
        cv::putText(canvas, s.name, {at.x + 32, at.y}, font, 0.4, axis, 1, cv::LINE_AA);
        legendY += 17;
    }
}

} // namespace

QByteArray plotLogLogPanels(const std::vector<PlotPanel>& panels, int panelWidth, int height)
{
    cv::Mat canvas(height, panelWidth * static_cast<int>(std::max<size_t>(1, panels.size())), CV_8UC3,
                   cv::Scalar(255, 255, 255));
    for (size_t i = 0; i < panels.size(); ++i)
        drawPanel(canvas, cv::Rect(static_cast<int>(i) * panelWidth, 0, panelWidth, height), panels[i]);
    std::vector<uchar> png;
    if (!cv::imencode(".png", canvas, png))
        throw Error("OpenCV could not encode the Fig. 5 plot as PNG");
    return QByteArray(reinterpret_cast<const char*>(png.data()), static_cast<qsizetype>(png.size()));
}

} // namespace aecnn::cli
