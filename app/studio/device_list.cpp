#include "device_list.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <set>

#include "aecnn/widgets/race_stats.h"

namespace aecnn::studio {

DeviceList::DeviceList(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget(0, ColumnCount, this)), add_(new QPushButton(tr("Add agent"), this)),
      remove_(new QPushButton(tr("Remove selected"), this))
{
    table_->setObjectName(QStringLiteral("deviceList"));
    table_->setHorizontalHeaderLabels({tr("host:port"), tr("token"), tr("mode"), tr("split"), tr("V"), tr("rate Mbps"),
                                       tr("capture"), tr("status"), tr("frames/s"), tr("p50 ms"), tr("p95 ms")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(Status, QHeaderView::Stretch);
    table_->verticalHeader()->setVisible(false);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Four agents (the race preset) without scrolling.
    table_->setMinimumHeight(table_->horizontalHeader()->sizeHint().height() + 4 * 28 + 6);
    table_->setMaximumHeight(table_->minimumHeight());
    add_->setObjectName(QStringLiteral("addAgent"));
    remove_->setObjectName(QStringLiteral("removeAgent"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add_);
    buttons->addWidget(remove_);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    layout->addLayout(buttons);
    connect(add_, &QPushButton::clicked, this, [this] { addRow(AgentRow{}); });
    connect(remove_, &QPushButton::clicked, this, &DeviceList::removeSelectedRows);
}

void DeviceList::setRows(const std::vector<AgentRow>& rows)
{
    table_->setRowCount(0);
    for (const AgentRow& row : rows)
        addRow(row);
}

void DeviceList::addRow(const AgentRow& row)
{
    const int r = table_->rowCount();
    table_->insertRow(r);
    auto text = [&](Column c, const QString& value, bool editable = true) {
        auto* item = new QTableWidgetItem(value);
        if (!editable)
            item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        table_->setItem(r, c, item);
    };
    table_->setRowHeight(r, 28);
    text(Endpoint, row.endpoint());
    text(Token, QString::fromUtf8(row.token));
    auto* mode = new QComboBox;
    for (const QString& m : raceAgentModes())
        mode->addItem(widgets::raceModeTitle(m), m);
    mode->setCurrentIndex(std::max(0, static_cast<int>(raceAgentModes().indexOf(row.mode))));
    table_->setCellWidget(r, Mode, mode);
    text(Split, QString::number(row.split));
    text(Ratio, QString::number(row.ratio));
    text(Rate, QString::number(row.rateMbps));
    auto* capture = new QComboBox;
    capture->addItems(raceCaptureSizes());
    capture->setCurrentText(row.resolution);
    capture->setToolTip(tr("Full offloading: the image size the device captures and sends as JPEG"));
    table_->setCellWidget(r, Capture, capture);
    auto syncCapture = [mode, capture] {
        capture->setEnabled(mode->currentData().toString() == QLatin1String("full"));
    };
    connect(mode, &QComboBox::currentIndexChanged, capture, syncCapture);
    syncCapture();
    text(Status, tr("idle"), false);
    text(FramesPerSecond, {}, false);
    text(P50, {}, false);
    text(P95, {}, false);
}

void DeviceList::removeSelectedRows()
{
    std::set<int> selected;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        selected.insert(index.row());
    for (auto it = selected.rbegin(); it != selected.rend(); ++it) {
        table_->removeRow(*it);
    }
}

int DeviceList::rowCount() const
{
    return table_->rowCount();
}

QString DeviceList::cellText(int row, Column column) const
{
    if (auto* combo = qobject_cast<QComboBox*>(table_->cellWidget(row, column)))
        return combo->currentText();
    const QTableWidgetItem* item = table_->item(row, column);
    return item ? item->text() : QString();
}

std::optional<std::vector<AgentRow>> DeviceList::rows(QString* error) const
{
    std::vector<AgentRow> rows;
    for (int r = 0; r < table_->rowCount(); ++r) {
        AgentRow row;
        const QString which = tr("Device list row %1").arg(r + 1);
        const QString endpoint = cellText(r, Endpoint).trimmed();
        const int colon = endpoint.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const uint port = colon > 0 ? endpoint.mid(colon + 1).toUInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 1 || port > 65535) {
            *error = tr("%1: host:port must be HOST:PORT with a port 1..65535, got '%2'").arg(which, endpoint);
            return std::nullopt;
        }
        row.host = endpoint.left(colon);
        row.port = static_cast<quint16>(port);
        row.token = cellText(r, Token).trimmed().toUtf8();
        row.mode = qobject_cast<QComboBox*>(table_->cellWidget(r, Mode))->currentData().toString();
        row.split = cellText(r, Split).toInt(&ok);
        if (!ok || row.split < 1 || row.split > 64) {
            *error = tr("%1: split must be an integer 1..64, got '%2'").arg(which, cellText(r, Split));
            return std::nullopt;
        }
        row.ratio = cellText(r, Ratio).toInt(&ok);
        if (!ok || row.ratio < 1 || row.ratio > 4096) {
            *error = tr("%1: V must be an integer 1..4096, got '%2'").arg(which, cellText(r, Ratio));
            return std::nullopt;
        }
        row.rateMbps = cellText(r, Rate).toDouble(&ok);
        if (!ok || row.rateMbps < 0) {
            *error = tr("%1: rate Mbps must be a number >= 0 (0 = unshaped), got '%2'").arg(which, cellText(r, Rate));
            return std::nullopt;
        }
        row.resolution = cellText(r, Capture);
        rows.push_back(row);
    }
    return rows;
}

void DeviceList::setCaptureSize(const QString& resolution)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (auto* capture = qobject_cast<QComboBox*>(table_->cellWidget(r, Capture)))
            capture->setCurrentText(resolution);
}

void DeviceList::setStatus(int row, const QString& status)
{
    if (auto* item = table_->item(row, Status)) {
        item->setText(status);
        item->setToolTip(status);
    }
}

void DeviceList::setStreaming(int row, double framesPerSecond, double p50Ms, double p95Ms)
{
    if (row < 0 || row >= table_->rowCount())
        return;
    table_->item(row, FramesPerSecond)->setText(QString::number(framesPerSecond, 'f', 1));
    table_->item(row, P50)->setText(QString::number(p50Ms, 'f', 2));
    table_->item(row, P95)->setText(QString::number(p95Ms, 'f', 2));
}

QString DeviceList::statusOf(int row) const
{
    return cellText(row, Status);
}

void DeviceList::setEditable(bool editable)
{
    table_->setEditTriggers(editable ? QAbstractItemView::EditTriggers(QAbstractItemView::DoubleClicked |
                                                                       QAbstractItemView::EditKeyPressed |
                                                                       QAbstractItemView::AnyKeyPressed)
                                     : QAbstractItemView::EditTriggers(QAbstractItemView::NoEditTriggers));
    for (int r = 0; r < table_->rowCount(); ++r)
        if (auto* mode = qobject_cast<QComboBox*>(table_->cellWidget(r, Mode))) {
            mode->setEnabled(editable);
            table_->cellWidget(r, Capture)->setEnabled(editable && mode->currentData().toString() == QLatin1String("full"));
        }
    add_->setEnabled(editable);
    remove_->setEnabled(editable);
}

} // namespace aecnn::studio
