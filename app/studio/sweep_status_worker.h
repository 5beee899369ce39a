#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

#include "sweep_status.h"

namespace aecnn::studio {

// One reading of a sweep folder's state, as a value: what SweepStatusWorker hands back.
struct SweepStatusReading {
    quint64 request = 0; // SweepController's number of the refresh it answers
    QString dir;
    bool ok = false;
    sweep::SweepStatusReport report; // ok
    QString error;                   // !ok: the folder holds no valid plan (or is gone)
};

// Reads a sweep folder's state off the UI thread (SweepController owns its thread): the
// task folders, and for a submitted sweep Slurm's view (squeue / sacct, up to 2 s each).
class SweepStatusWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

public Q_SLOTS:
    void read(quint64 request, const QString& dir);

Q_SIGNALS:
    void readingReady(const aecnn::studio::SweepStatusReading& reading);
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::SweepStatusReading)
