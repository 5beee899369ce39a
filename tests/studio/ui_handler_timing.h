#pragma once
// Times every event the UI thread handles (top-level QApplication::notify calls) by
// wall clock and by the UI thread's own CPU time. The CPU time of one handler is what
// work done on the UI thread costs, and a loaded machine cannot inflate it (time spent
// waiting for a core is not counted), unlike the lateness of a timer, which any other
// process on the same cores stretches. Wall time catches handlers that wait (sleep,
// synchronous I/O); it is checked with a wider limit since preemption does inflate it.
// Only the outermost handler is timed: events handled in a nested event loop count
// towards the handler that started that loop.

#include <ctime>

#include <QApplication>
#include <QElapsedTimer>
#include <QThread>

class UiHandlerTimingApplication : public QApplication {
public:
    UiHandlerTimingApplication(int& argc, char** argv) : QApplication(argc, argv) {}

    bool notify(QObject* receiver, QEvent* event) override
    {
        // notify() runs in every thread that has an event loop (the studio's workers
        // too): only the UI thread's handlers are timed, and only the UI thread touches
        // the counters below.
        if (QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        if (depth_++ > 0 || !measuring_) {
            const bool handled = QApplication::notify(receiver, event);
            --depth_;
            return handled;
        }
        QElapsedTimer wall;
        wall.start();
        const double cpuStart = threadCpuMs();
        const bool handled = QApplication::notify(receiver, event);
        const double cpu = threadCpuMs() - cpuStart;
        const double wallMs = static_cast<double>(wall.nsecsElapsed()) / 1e6;
        --depth_;
        ++handlers_;
        if (cpu > maxCpuMs_)
            maxCpuMs_ = cpu;
        if (wallMs > maxWallMs_)
            maxWallMs_ = wallMs;
        return handled;
    }

    void startMeasuring()
    {
        handlers_ = 0;
        maxCpuMs_ = maxWallMs_ = 0.0;
        measuring_ = true;
    }
    void stopMeasuring() { measuring_ = false; }

    long long handlers() const { return handlers_; }
    double maxHandlerCpuMs() const { return maxCpuMs_; }
    double maxHandlerWallMs() const { return maxWallMs_; }

    static UiHandlerTimingApplication* instance() { return static_cast<UiHandlerTimingApplication*>(qApp); }

private:
    static double threadCpuMs()
    {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    }

    int depth_ = 0;
    bool measuring_ = false;
    long long handlers_ = 0;
    double maxCpuMs_ = 0.0;
    double maxWallMs_ = 0.0;
};
