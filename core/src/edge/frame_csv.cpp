#include "aecnn/edge/frame_csv.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "aecnn/error.h"

namespace aecnn::edge {

QString FrameCsvWriter::header()
{
    return "sequence,agent_sequence,label,predicted,correct,kind,bytes,payload_bytes,t_iot_ms,t_enc_ms,t_com_ms,"
           "t_dec_ms,t_es_ms,measured_ms,predicted_ms,rate_mbps,clock_synced,running_accuracy,security_bytes,"
           "queue_ms,batch_size,profile_predicted_ms,device_profile,failure,ratio";
}

FrameCsvWriter::FrameCsvWriter(const QString& path, const QStringList& contextLines)
    : path_(path), file_(path + ".partial")
{
    if (!file_.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        throw Error("cannot create the frame CSV '" + file_.fileName().toStdString() + "': " +
                    file_.errorString().toStdString() + " (choose another --csv path)");
    QByteArray head;
    for (const auto& line : contextLines)
        head += "# " + line.toUtf8() + "\n";
    head += header().toUtf8() + "\n";
    if (file_.write(head) != head.size() || !file_.flush())
        throw Error("cannot write the frame CSV '" + file_.fileName().toStdString() + "': " +
                    file_.errorString().toStdString());
}

FrameCsvWriter::~FrameCsvWriter()
{
    try {
        finish();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aecnn edge: %s (the rows are in %s)\n", e.what(), qPrintable(file_.fileName()));
    }
}

namespace {

// "%.4f", or an empty cell for a time that was not measured (NaN: no device times, frame_timing false).
std::string timeCell(double ms)
{
    if (std::isnan(ms))
        return {};
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", ms);
    return text;
}

} // namespace

void FrameCsvWriter::append(const EdgeFrameResult& f)
{
    if (finished_)
        throw Error("the frame CSV '" + path_.toStdString() + "' is already finished");
    const int correct = f.label < 0 || !f.failure.empty() ? -1 : (f.label == f.predicted ? 1 : 0);
    char line[1024];
    char profileMs[32] = "";
    if (f.profileMs >= 0)
        std::snprintf(profileMs, sizeof profileMs, "%.4f", f.profileMs);
    std::string profileName = f.deviceProfile.substr(0, 120);
    std::string failure = f.failure.substr(0, 200);
    for (std::string* cell : {&profileName, &failure})
        for (char& c : *cell)
            if (c == ',' || c == '\n' || c == '\r' || c == '"')
                c = c == ',' ? ';' : '_'; // one CSV cell without quoting
    const int n = std::snprintf(line, sizeof line,
                                "%llu,%llu,%d,%d,%d,%s,%lld,%lld,%s,%s,%s,%.4f,%.4f,%s,%s,%g,%d,%.6f,%lld,%.4f,%d,%s,%s,%s,%d\n",
                                static_cast<unsigned long long>(f.sequence),
                                static_cast<unsigned long long>(f.agentSequence), f.label, f.predicted, correct,
                                f.kind.c_str(), static_cast<long long>(f.bytes), static_cast<long long>(f.payloadBytes),
                                timeCell(f.iotMs).c_str(), timeCell(f.encMs).c_str(), timeCell(f.comMs).c_str(), f.decMs,
                                f.esMs, timeCell(f.measuredMs).c_str(), timeCell(f.predictedMs).c_str(), f.rateMbps,
                                f.clockSynced ? 1 : 0, f.runningAccuracy(), static_cast<long long>(f.securityBytes),
                                f.queueMs, f.batchSize, profileMs, profileName.c_str(), failure.c_str(), f.ratio);
    if (n <= 0 || n >= static_cast<int>(sizeof line) || file_.write(line, n) != n || !file_.flush())
        throw Error("cannot append to the frame CSV '" + file_.fileName().toStdString() + "': " +
                    file_.errorString().toStdString());
    ++rows_;
}

void FrameCsvWriter::finish()
{
    if (finished_)
        return;
    finished_ = true;
    file_.close();
    QFile::remove(path_);
    if (!QFile::rename(file_.fileName(), path_))
        throw Error("cannot rename the frame CSV '" + file_.fileName().toStdString() + "' to '" +
                    path_.toStdString() + "'");
}

} // namespace aecnn::edge
