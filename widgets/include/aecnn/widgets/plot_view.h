#pragma once

#include <QWidget>

#include "aecnn/widgets/csv_table.h"
#include "aecnn/widgets/export_context.h"

class QCustomPlot;

namespace aecnn::widgets {

// Common part of every view: an export context, CSV export of the view's data
// table and PNG/PDF export of its main plot.
class PlotView : public QWidget {
    Q_OBJECT
public:
    explicit PlotView(QWidget* parent = nullptr);

    void setExportContext(const ExportContext& context) { context_ = context; }
    const ExportContext& exportContext() const { return context_; }

    virtual CsvTable table() const = 0;
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    // Format from the suffix: .png or .pdf.
    virtual bool exportPlot(const QString& path, QString* error = nullptr) const;

protected:
    virtual QCustomPlot* mainPlot() const = 0;

private:
    ExportContext context_;
};

// Saves a plot as PNG or PDF (by suffix) at its current size (at least 640x400).
bool savePlot(QCustomPlot* plot, const QString& path, QString* error);

} // namespace aecnn::widgets
