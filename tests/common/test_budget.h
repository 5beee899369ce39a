#pragma once
// Waits inside a test never outlast the test's own CTest TIMEOUT: aecnn_add_test
// exports that limit as AECNN_TEST_TIMEOUT_S, and every wait asks budgetMs(wanted)
// for min(wanted, what is left of it less a margin). On a slow machine a test thus
// fails with its own diagnostic ("QTRY_VERIFY ... timed out", the CLI's stderr)
// instead of being killed by CTest with nothing said.

#include <algorithm>
#include <chrono>

#include <QtGlobal>

namespace aecnn::test {

// Initialised when the test program starts (static initialisation).
inline const std::chrono::steady_clock::time_point kTestProgramStart = std::chrono::steady_clock::now();

// Kept free for the failure report and the program's exit after a timed-out wait.
inline constexpr qint64 kReportMarginMs = 10000;

inline int budgetMs(int wantedMs)
{
    const int limitS = qEnvironmentVariableIntValue("AECNN_TEST_TIMEOUT_S");
    if (limitS <= 0)
        return wantedMs; // run by hand: no CTest limit to stay under
    const qint64 elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - kTestProgramStart)
                               .count();
    const qint64 left = qint64(limitS) * 1000 - kReportMarginMs - elapsed;
    return int(std::clamp<qint64>(left, 1000, wantedMs));
}

} // namespace aecnn::test
