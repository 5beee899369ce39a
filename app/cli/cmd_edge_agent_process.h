#pragma once

#include <memory>
#include <string>

#include <QString>

class QProcess;

namespace aecnn::cli {

// A tokenless aecnn-agent on loopback, started as a child process for live
// measurements (reproduce fig5). Stopped (terminate, then kill) when destroyed.
class LocalAgentProcess {
public:
    // `agentPath` empty = next to this executable (build tree or install), then PATH.
    // Throws aecnn::Error when it cannot be found or does not start listening in time.
    LocalAgentProcess(const QString& agentPath, const std::string& dataset, int threads, int startTimeoutMs = 120000);
    ~LocalAgentProcess();
    LocalAgentProcess(const LocalAgentProcess&) = delete;
    LocalAgentProcess& operator=(const LocalAgentProcess&) = delete;

    quint16 port() const { return port_; }
    QString program() const { return program_; }

private:
    std::unique_ptr<QProcess> process_;
    QString program_;
    quint16 port_ = 0;
};

} // namespace aecnn::cli
