#pragma once

#include "ui/explainrequest.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace attnscope::core {
class ModelBundle;
}

namespace attnscope::ui {

/// Lives on the worker thread: loads models, runs and explains them. Nothing
/// thrown here escapes a slot; errors become failed(). Requests older than
/// `latest` (written by the GUI thread) are skipped.
class ExplainWorker : public QObject
{
    Q_OBJECT
public:
    explicit ExplainWorker(const std::atomic<quint64> &latest);
    ~ExplainWorker() override;

public slots:
    void process(const attnscope::ui::ExplainRequest &request) noexcept;

signals:
    void finished(const attnscope::ui::ExplainResult &result);
    void failed(quint64 generation, const QString &message);

private:
    ExplainResult explain(const ExplainRequest &request);

    const std::atomic<quint64> &m_latest;
    std::shared_ptr<core::ModelBundle> m_bundle; ///< cached: reused while the path and device stay
    QString m_bundlePath;
    core::DeviceChoice m_bundleDevice = core::DeviceChoice::Auto;
};

} // namespace attnscope::ui
