#include "aecnn/widgets/plot_view.h"

#include <QFileInfo>
#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {

PlotView::PlotView(QWidget* parent) : QWidget(parent) {}

bool PlotView::exportCsv(const QString& path, QString* error) const
{
    return writeCsv(path, table(), context_, error);
}

bool PlotView::exportPlot(const QString& path, QString* error) const
{
    return savePlot(mainPlot(), path, error);
}

bool savePlot(QCustomPlot* plot, const QString& path, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int width = std::max(plot->width(), 640);
    const int height = std::max(plot->height(), 400);
    bool ok = false;
    if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, width, height);
    else if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path, width, height);
    else {
        if (error)
            *error = QStringLiteral("Cannot export the plot to %1: use a .png or .pdf file name").arg(path);
        return false;
    }
    if (!ok && error)
        *error = QStringLiteral("Cannot write the plot to %1: check that the folder exists and is writable").arg(path);
    return ok;
}

} // namespace aecnn::widgets
