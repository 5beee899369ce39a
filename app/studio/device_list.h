#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "race_request.h"

class QPushButton;
class QTableWidget;

namespace aecnn::studio {

// The studio's device list: one row per agent (host:port, token, mode, split, V, rate,
// full offloading's capture size), with each agent's status, frames/s and completion
// time p50/p95 while it streams. Rows are added and removed here, or set as a whole.
class DeviceList : public QWidget {
    Q_OBJECT
public:
    enum Column { Endpoint, Token, Mode, Split, Ratio, Rate, Capture, Status, FramesPerSecond, P50, P95, ColumnCount };

    explicit DeviceList(QWidget* parent = nullptr);

    void setRows(const std::vector<AgentRow>& rows);
    void addRow(const AgentRow& row);
    void removeSelectedRows();
    int rowCount() const;
    // The rows as edited (modelPath left empty: the race resolves it); nothing with *error naming the row and cell that is not valid.
    std::optional<std::vector<AgentRow>> rows(QString* error) const;
    // Every full offloading row sends this capture size from now on.
    void setCaptureSize(const QString& resolution);

    void setStatus(int row, const QString& status);
    void setStreaming(int row, double framesPerSecond, double p50Ms, double p95Ms);
    QString statusOf(int row) const;
    QString cellText(int row, Column column) const;
    QTableWidget* table() const { return table_; }
    void setEditable(bool editable); // off while a race runs

private:
    QTableWidget* table_;
    QPushButton* add_;
    QPushButton* remove_;
};

} // namespace aecnn::studio
