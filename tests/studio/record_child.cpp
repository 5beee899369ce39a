// Child process of test_studio_record: records N live frames to a CSV with the
// live view, reports "recorded N" on stdout, then waits to be killed without
// ever stopping the recording.
#include <QApplication>
#include <QThread>
#include <cstdio>

#include "aecnn/widgets/live_view.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: studio_record_child PATH ROWS\n");
        return 2;
    }
    aecnn::widgets::LiveView view;
    aecnn::widgets::ExportContext context;
    context.model = QStringLiteral("record-child");
    view.setExportContext(context);
    QString error;
    if (!view.startRecording(QString::fromLocal8Bit(argv[1]), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const int rows = QByteArray(argv[2]).toInt();
    for (int i = 0; i < rows; ++i) {
        aecnn::widgets::LiveSample sample;
        sample.sequence = i;
        sample.correct = i % 2;
        sample.bytes = 1000 + i;
        sample.measured.iotMs = 0.5 * i;
        view.appendSample(sample);
    }
    std::printf("recorded %d\n", rows);
    std::fflush(stdout);
    for (;;)
        QThread::sleep(1); // killed by the test
}
