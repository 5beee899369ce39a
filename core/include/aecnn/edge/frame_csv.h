#pragma once

#include <QFile>
#include <QString>
#include <QStringList>

#include "aecnn/edge/frame_result.h"

namespace aecnn::edge {

// Per-frame CSV of an edge run. Rows go to "<path>.partial", each flushed as soon
// as it is written, so a crash loses no recorded row; finish() renames the file to
// its final name. Lines starting with '#' carry the run's context. Every frame the
// edge received is one row: a failed frame too (last column `failure`: why; empty for
// a finished frame; appended as the last column in session 6). Column `ratio` (V of the
// split model the frame was sent with, 0 = none; it changes within a run with adaptive V)
// was appended after it in session 7.
class FrameCsvWriter {
public:
    // Throws aecnn::Error when the file cannot be created.
    FrameCsvWriter(const QString& path, const QStringList& contextLines);
    ~FrameCsvWriter(); // finishes (renames) if not done yet
    FrameCsvWriter(const FrameCsvWriter&) = delete;
    FrameCsvWriter& operator=(const FrameCsvWriter&) = delete;

    void append(const EdgeFrameResult& frame); // throws aecnn::Error on a write failure
    // Closes and renames to the final path (replacing an older file); throws aecnn::Error.
    void finish();
    QString path() const { return path_; }
    QString partialPath() const { return file_.fileName(); }
    int rows() const { return rows_; }
    bool finished() const { return finished_; }

    static QString header();

private:
    QString path_;
    QFile file_;
    int rows_ = 0;
    bool finished_ = false;
};

} // namespace aecnn::edge
