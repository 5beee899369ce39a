#include "sweep_panel.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "sweep_controller.h"

namespace aecnn::studio {
namespace {

enum SweepColumn { kTaskColumn, kSplitColumn, kRatioColumn, kMethodColumn, kSeedColumn, kStateColumn,
                   kSlurmColumn, kDetailColumn, kSweepColumns };

QColor sweepStateColor(sweep::TaskState state)
{
    switch (state) {
    case sweep::TaskState::Done: return QColor(0xd7, 0xf2, 0xd7);
    case sweep::TaskState::Running: return QColor(0xd7, 0xe8, 0xfa);
    case sweep::TaskState::Failed: return QColor(0xf8, 0xd4, 0xd4);
    case sweep::TaskState::Pending: break;
    }
    return {};
}

} // namespace

SweepPanel::SweepPanel(QWidget* parent)
    : QWidget(parent), controller_(new SweepController(this)), folder_(new QLineEdit), counts_(new QLabel),
      table_(new QTableWidget(0, kSweepColumns)), log_(new QPlainTextEdit), output_(new QPlainTextEdit),
      jobs_(new QSpinBox), run_(new QPushButton(tr("Run locally"))), retry_(new QPushButton(tr("Retry failed"))),
      collect_(new QPushButton(tr("Collect"))), stop_(new QPushButton(tr("Stop")))
{
    folder_->setObjectName(QStringLiteral("sweepFolder"));
    folder_->setPlaceholderText(tr("a folder made by `aecnn sweep plan --out DIR`"));
    counts_->setObjectName(QStringLiteral("sweepCounts"));
    table_->setObjectName(QStringLiteral("sweepTasks"));
    log_->setObjectName(QStringLiteral("sweepTaskLog"));
    output_->setObjectName(QStringLiteral("sweepOutput"));
    run_->setObjectName(QStringLiteral("sweepRunLocal"));
    retry_->setObjectName(QStringLiteral("sweepRetryFailed"));
    collect_->setObjectName(QStringLiteral("sweepCollect"));
    stop_->setObjectName(QStringLiteral("sweepStop"));
    table_->setHorizontalHeaderLabels(
        {tr("Task"), tr("Split"), tr("V"), tr("Method"), tr("Seed"), tr("State"), tr("Slurm"), tr("Detail")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    log_->setReadOnly(true);
    log_->setPlaceholderText(tr("select a task to see the end of its log"));
    output_->setReadOnly(true);
    output_->setMaximumBlockCount(5000);
    jobs_->setRange(1, 64);
    jobs_->setPrefix(tr("jobs "));
    stop_->setEnabled(false);

    auto* choose = new QPushButton(tr("Choose…"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(new QLabel(tr("Sweep folder")));
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(choose);
    auto* actions = new QHBoxLayout;
    actions->addWidget(counts_, 1);
    actions->addWidget(jobs_);
    actions->addWidget(run_);
    actions->addWidget(retry_);
    actions->addWidget(collect_);
    actions->addWidget(stop_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    auto* texts = new QSplitter(Qt::Horizontal);
    texts->addWidget(log_);
    texts->addWidget(output_);
    split->addWidget(texts);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(folderRow);
    layout->addLayout(actions);
    layout->addWidget(split, 1);

    connect(choose, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Sweep folder"), folder_->text());
        if (!dir.isEmpty())
            setFolder(dir);
    });
    connect(folder_, &QLineEdit::editingFinished, this, [this] {
        if (folder_->text() != controller_->folder())
            controller_->setFolder(folder_->text());
    });
    connect(controller_, &SweepController::statusChanged, this, &SweepPanel::showStatus);
    connect(controller_, &SweepController::statusFailed, this, [this](const QString& message) {
        table_->setRowCount(0);
        counts_->setText(message);
        log_->clear();
    });
    connect(controller_, &SweepController::output, this, [this](const QString& text) {
        output_->moveCursor(QTextCursor::End);
        output_->insertPlainText(text);
        output_->moveCursor(QTextCursor::End);
    });
    connect(controller_, &SweepController::busyChanged, this, [this](bool busy) {
        run_->setEnabled(!busy);
        retry_->setEnabled(!busy);
        collect_->setEnabled(!busy);
        stop_->setEnabled(busy);
    });
    connect(table_, &QTableWidget::itemSelectionChanged, this, &SweepPanel::showSelectedLog);
    connect(run_, &QPushButton::clicked, this, [this] { act(&SweepController::runLocal); });
    connect(retry_, &QPushButton::clicked, this, [this] { act(&SweepController::retryFailed); });
    connect(collect_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!controller_->collect(&error))
            output_->appendPlainText(error);
    });
    connect(stop_, &QPushButton::clicked, controller_, &SweepController::stopProcess);
    counts_->setText(tr("no sweep folder chosen"));
}

void SweepPanel::setFolder(const QString& dir)
{
    folder_->setText(dir);
    controller_->setFolder(dir);
}

void SweepPanel::act(bool (SweepController::*action)(int, QString*))
{
    QString error;
    if (!(controller_->*action)(jobs_->value(), &error))
        output_->appendPlainText(error);
}

void SweepPanel::showStatus()
{
    const auto& report = controller_->report();
    const int selected = table_->currentRow();
    table_->setRowCount(static_cast<int>(report.tasks.size()));
    for (int row = 0; row < static_cast<int>(report.tasks.size()); ++row) {
        const auto& [task, status, slurmState, slurmLog] = report.tasks[size_t(row)];
        const QStringList cells{QString::number(task.index), QString::number(task.split), QString::number(task.ratio),
                                task.method,                 QString::number(task.seed),  sweep::toString(status.state),
                                slurmState,                  status.detail};
        for (int column = 0; column < kSweepColumns; ++column) {
            auto* item = table_->item(row, column);
            if (!item) {
                item = new QTableWidgetItem;
                table_->setItem(row, column, item);
            }
            item->setText(cells[column]);
            item->setBackground(sweepStateColor(status.state));
        }
    }
    table_->resizeColumnsToContents();
    counts_->setText(tr("%1 tasks: %2 done, %3 running, %4 pending, %5 failed (plan %6)")
                         .arg(report.tasks.size())
                         .arg(report.count(sweep::TaskState::Done))
                         .arg(report.count(sweep::TaskState::Running))
                         .arg(report.count(sweep::TaskState::Pending))
                         .arg(report.count(sweep::TaskState::Failed))
                         .arg(report.planHash.left(12)));
    if (selected >= 0 && selected < table_->rowCount())
        showSelectedLog();
}

void SweepPanel::showSelectedLog()
{
    const int row = table_->currentRow();
    const auto& tasks = controller_->report().tasks;
    if (row < 0 || row >= static_cast<int>(tasks.size())) {
        log_->clear();
        return;
    }
    const auto& [task, status, slurmState, slurmLog] = tasks[size_t(row)];
    // A task Slurm ended before it could write its own log: Slurm's output says why.
    QString path = status.log;
    QString text = sweep::tailOfFile(path, 60);
    if (text.isEmpty() && !slurmLog.isEmpty()) {
        path = slurmLog;
        text = sweep::tailOfFile(path, 60);
    }
    QString head = tr("task %1 (%2)").arg(task.index).arg(sweep::toString(status.state));
    if (!status.detail.isEmpty())
        head += QStringLiteral(": ") + status.detail;
    log_->setPlainText(head + QStringLiteral("\n") +
                       (text.isEmpty() ? tr("(no log yet: %1)").arg(path) : tr("--- %1\n%2").arg(path, text)));
}

} // namespace aecnn::studio
