#include "progress_printer.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include <unistd.h>

namespace aecnn::cli {
namespace {

std::string formatDuration(double seconds)
{
    const int s = static_cast<int>(seconds + 0.5);
    char buffer[32];
    if (s >= 3600)
        std::snprintf(buffer, sizeof buffer, "%dh%02dm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%dm%02ds", s / 60, s % 60);
    return buffer;
}

} // namespace

ProgressCallback makeProgressPrinter(bool enabled)
{
    if (!enabled)
        return {};
    const bool tty = isatty(STDERR_FILENO) != 0;
    auto lastPrint = std::make_shared<std::chrono::steady_clock::time_point>();
    return [tty, lastPrint](const TrainProgress& p) {
        const bool epochDone = p.step == p.stepsPerEpoch;
        const auto now = std::chrono::steady_clock::now();
        if (tty && !epochDone && now - *lastPrint < std::chrono::milliseconds(200))
            return true;
        if (!tty && !epochDone)
            return true;
        *lastPrint = now;
        const double total = double(p.epochs) * double(p.stepsPerEpoch);
        const double done = double(p.epoch - 1) * double(p.stepsPerEpoch) + double(p.step);
        std::fprintf(stderr, "%s[%s] epoch %d/%d %5.1f%%  loss %.4f  acc %.4f  ETA %s%s", tty ? "\r" : "",
                     p.stage.c_str(), p.epoch, p.epochs, 100.0 * done / total, p.loss, p.accuracy,
                     formatDuration(p.etaSeconds).c_str(), (tty && !epochDone) ? "   " : "\n");
        std::fflush(stderr);
        return true;
    };
}

} // namespace aecnn::cli
