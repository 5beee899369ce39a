#include "sweep_status_worker.h"

namespace aecnn::studio {

void SweepStatusWorker::read(quint64 request, const QString& dir)
{
    SweepStatusReading reading;
    reading.request = request;
    reading.dir = dir;
    try {
        std::map<int, QString> slurm, logs;
        if (!sweep::readSlurmJobs(dir).isEmpty())
            slurm = sweep::querySlurmTaskStates(dir, &logs, 2000); // only for submitted sweeps
        reading.report = sweep::sweepStatusReport(dir, slurm, logs);
        reading.ok = true;
    } catch (const std::exception& e) {
        reading.error = QString::fromUtf8(e.what());
    }
    Q_EMIT readingReady(reading);
}

} // namespace aecnn::studio
