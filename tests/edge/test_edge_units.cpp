#include <limits>

#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/edge/agent_ratio_follower.h"
#include "aecnn/edge/clock_offset.h"
#include "aecnn/edge/frame_csv.h"
#include "aecnn/edge/stage_summary.h"
#include "aecnn/error.h"
#include "aecnn/latency/device_profile.h"

using namespace aecnn::edge;

class TestEdgeUnits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Adaptive V of one agent at a shared edge: the first switch may follow the first frame;
    // after it, frames still in flight with the old V do not count, and the next switch waits
    // for kSwitchDwellFrames frames of the new V (each switch restarts the agent's stream).
    void ratioFollowerWaitsForFramesOfTheNewRatio()
    {
        AdaptiveRatioSpec spec;
        spec.profile = aecnn::latency::raspberryPi4Profile();
        spec.split = 1;
        spec.deadlineMs = 100.0;
        spec.models = {{4, "v4"}, {8, "v8"}, {16, "v16"}, {64, "v64"}};
        AgentRatioFollower follower(spec);
        const auto frameOf = [](uint64_t sequence, int ratio, int64_t bytes, double comMs) {
            EdgeFrameResult f;
            f.sequence = sequence;
            f.ratio = ratio;
            f.bytes = bytes;
            f.comMs = comMs;
            return f;
        };
        // 500 B in 400 ms (0.01 Mbps): the most compressed V.
        const auto first = follower.observe(frameOf(0, 8, 500, 400.0), 8);
        QVERIFY(first.has_value());
        QCOMPARE(first->fromRatio, 8);
        QCOMPARE(first->toRatio, 64);
        QCOMPARE(first->why, QString("rate"));
        // A fast link from now on (125 kB in 10 ms = 100 Mbps asks for a small V), but first a
        // frame of the old V still in flight, then fewer than kSwitchDwellFrames of the new one.
        QVERIFY(!follower.observe(frameOf(1, 8, 125000, 10.0), 64).has_value());
        uint64_t sequence = 2;
        for (int k = 1; k < AgentRatioFollower::kSwitchDwellFrames; ++k)
            QVERIFY2(!follower.observe(frameOf(sequence++, 64, 125000, 10.0), 64).has_value(), qPrintable(QString::number(k)));
        const auto second = follower.observe(frameOf(sequence, 64, 125000, 10.0), 64);
        QVERIFY(second.has_value());
        QCOMPARE(second->fromRatio, 64);
        QVERIFY2(second->toRatio < 64, qPrintable(QString::number(second->toRatio)));
    }

    void clockOffsetTakesTheShortestRoundTrip()
    {
        ClockOffsetEstimator clock;
        QVERIFY(!clock.hasEstimate());
        // Agent clock = edge clock + 5000 us. Queued exchange: 900 us one way, 100 back.
        clock.addSample(1000, 1000 + 900 + 5000, 2000);
        QCOMPARE(clock.offsetUs(), int64_t(5000 + 400));
        // A symmetric 200 us exchange wins.
        clock.addSample(10000, 10100 + 5000, 10200);
        QCOMPARE(clock.offsetUs(), int64_t(5000));
        QCOMPARE(clock.roundTripUs(), int64_t(200));
        // A slower one later does not replace it; a negative round trip is ignored.
        clock.addSample(20000, 20000 + 5000 + 3000, 24000);
        clock.addSample(30000, 30000, 29000);
        QCOMPARE(clock.offsetUs(), int64_t(5000));
        QCOMPARE(clock.samples(), 3);
        QCOMPARE(clock.toEdgeUs(15000), int64_t(10000));
        clock.reset();
        QVERIFY(!clock.hasEstimate());
    }

    void summaryMeanMedianP95()
    {
        std::vector<double> values;
        for (int i = 20; i >= 1; --i)
            values.push_back(i);
        const auto s = summarize(values);
        QCOMPARE(s.count, 20);
        QCOMPARE(s.mean, 10.5);
        QCOMPARE(s.median, 10.5);
        QCOMPARE(s.p95, 19.0);
        QCOMPARE(s.max, 20.0);
        QCOMPARE(summarize({7.0}).p95, 7.0);
        QCOMPARE(summarize({}).count, 0);
    }

    void csvRowsAreOnDiskBeforeTheEnd()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("run.csv");
        {
            FrameCsvWriter csv(path, {"context line"});
            EdgeFrameResult f;
            f.label = 2;
            f.predicted = 2;
            f.kind = "features";
            f.labelledSoFar = f.correctSoFar = 1;
            csv.append(f);
            f.sequence = 1;
            f.predicted = 1;
            csv.append(f);
            // Flushed per row: a crash now would leave both rows in the partial file.
            QFile partial(path + ".partial");
            QVERIFY(partial.open(QIODevice::ReadOnly));
            const auto lines = partial.readAll().split('\n');
            QCOMPARE(lines.size(), 5); // context, header, 2 rows, empty after the last newline
            QVERIFY(!QFile::exists(path));
        } // destroyed without finish(): still renamed
        QVERIFY(QFile::exists(path));
        QVERIFY(!QFile::exists(path + ".partial"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = file.readAll().split('\n');
        QCOMPARE(lines[0], QByteArray("# context line"));
        QCOMPARE(QString(lines[1]), FrameCsvWriter::header());
        QVERIFY(lines[2].startsWith("0,0,2,2,1,features,"));
        QVERIFY(lines[3].startsWith("1,0,2,1,0,features,"));
        QCOMPARE(lines[2].split(',').size(), FrameCsvWriter::header().split(',').size());
    }

    // A frame without device times (compact frames, frame_timing false): its five device-dependent
    // times are empty cells, the edge's own times are written; summaries leave the NaNs out.
    void untimedFramesHaveEmptyDeviceTimeCells()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("untimed.csv");
        {
            FrameCsvWriter csv(path, {});
            EdgeFrameResult f;
            f.kind = "features";
            f.deviceTimed = false;
            f.iotMs = f.encMs = f.comMs = f.measuredMs = f.predictedMs = std::numeric_limits<double>::quiet_NaN();
            f.decMs = 0.25;
            f.esMs = 1.5;
            csv.append(f);
        }
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = file.readAll().split('\n');
        const auto header = FrameCsvWriter::header().split(',');
        const auto cells = QString(lines[1]).split(',');
        QCOMPARE(cells.size(), header.size());
        for (const char* empty : {"t_iot_ms", "t_enc_ms", "t_com_ms", "measured_ms", "predicted_ms"})
            QCOMPARE(cells[header.indexOf(empty)], QString());
        QCOMPARE(cells[header.indexOf("t_dec_ms")], QString("0.2500"));
        QCOMPARE(cells[header.indexOf("t_es_ms")], QString("1.5000"));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const auto s = summarize({nan, 2.0, nan, 4.0});
        QCOMPARE(s.count, 2);
        QCOMPARE(s.mean, 3.0);
        QCOMPARE(summarize({nan}).count, 0);
    }

    void csvInAMissingFolderIsAClearError()
    {
        QTemporaryDir dir;
        try {
            FrameCsvWriter csv(dir.filePath("missing/run.csv"), {});
            QFAIL("no error");
        } catch (const aecnn::Error& e) {
            QVERIFY(QString(e.what()).contains("missing/run.csv.partial"));
        }
    }
};

QTEST_GUILESS_MAIN(TestEdgeUnits)
#include "test_edge_units.moc"
