#pragma once

#include <memory>
#include <string>

#include <QByteArray>
#include <QString>

namespace aecnn::agent {

// A model the edge deployed to this agent; opaque here so that no LibTorch
// header reaches moc-processed code.
struct DeployedModel;

struct ModelGeometry {
    int height = 0;
    int width = 0;
    int channels = 0;
    int classes = 0;
};
ModelGeometry geometryOf(const DeployedModel& model);
QString describe(const DeployedModel& model); // "model loaded: ..." for DeployResult

// Collects a model sent as DeployBegin / DeployChunk... / DeployEnd. Refuses a
// declared or actual size above the cap, and a SHA-256 mismatch, before anything is loaded.
class ModelReceiver {
public:
    explicit ModelReceiver(qint64 maxBytes) : maxBytes_(maxBytes) {}
    void begin(const QString& name, quint64 size, const QByteArray& sha256); // throws aecnn::Error
    void append(const QByteArray& chunk);                                   // throws aecnn::Error
    // Verifies and loads; throws aecnn::Error. The receiver is reset either way.
    std::shared_ptr<const DeployedModel> finish();
    bool active() const { return active_; }

private:
    void reset();
    qint64 maxBytes_;
    bool active_ = false;
    QString name_;
    quint64 size_ = 0;
    QByteArray sha256_;
    QByteArray data_;
};

} // namespace aecnn::agent
