#pragma once

// Small I/O helpers of the edge tests: reading back a frame CSV and running a command.

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include "aecnn/edge/frame_csv.h"
#include "test_budget.h"

namespace aecnn::testing {

// Data rows of a frame CSV (header and '#' lines skipped), each split into fields; empty when
// the file cannot be read or a line has another column count than FrameCsvWriter::header().
inline QList<QList<QByteArray>> csvRows(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const int columns = edge::FrameCsvWriter::header().split(',').size();
    QList<QList<QByteArray>> rows;
    bool header = false;
    for (const auto& line : file.readAll().split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (!header) {
            header = true;
            continue;
        }
        const auto fields = line.split(',');
        if (fields.size() != columns)
            return {};
        rows.append(fields);
    }
    return rows;
}

// Runs a command; returns its exit code (-1 when it could not run) and its output.
inline int run(const QString& program, const QStringList& args, QString* output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(aecnn::test::budgetMs(15000)))
        return -1;
    if (output)
        *output = QString::fromUtf8(p.readAll()).trimmed();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace aecnn::testing
