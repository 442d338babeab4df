#pragma once

#include "ui/worker/explainrequest.h"

#include <QObject>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <memory>

namespace attnscope::ui {

class ExplainWorker;

/// Owns the worker thread. request() never blocks: it numbers the request and
/// queues it; results of superseded requests are dropped here, so only the
/// latest request's result or error reaches the window.
class ExplainController : public QObject
{
    Q_OBJECT
public:
    explicit ExplainController(QObject *parent = nullptr);
    ~ExplainController() override;

    /// The nice value (Linux) the worker thread of every controller made from
    /// now on gives itself when it starts; LibTorch's threads, which it
    /// starts, inherit it. 0 (the default) leaves priorities alone: the
    /// library changes no process-wide state unless the application, which
    /// knows it owns the process, asks once at start-up.
    static void setWorkerNice(int nice);
    /// Worker threads that did not stop when their controller was destroyed
    /// (stuck in a forward pass that never returns). The application ends the
    /// process with _Exit when there are any, rather than wait for them.
    static int abandonedWorkers();

    /// Returns the request's generation number.
    quint64 request(ExplainRequest request);
    /// Model files not in `trusted` are first loaded by `program` in a child
    /// process (ExplainRequest::probeProgram) unless the request names its
    /// own; an empty program: every model loads in-process.
    void setModelProbe(const QString &program, const QStringList &trusted);
    /// Drops the request in flight: its result will not be shown.
    void cancel();
    bool isBusy() const { return m_busy; }

signals:
    void resultReady(const attnscope::ui::ExplainResult &result);
    void errorOccurred(const QString &message);
    void busyChanged(bool busy);
    /// The current request's progress (ExplainWorker::progress); stale
    /// requests' progress is dropped.
    void progressChanged(int done, int total, const QString &step);
    /// The worker thread let go of a request (finished, failed or stopped).
    void workerIdle(quint64 generation);
    void queueRequest(const attnscope::ui::ExplainRequest &request); // to the worker

private:
    void onFinished(const ExplainResult &result);
    void onFailed(quint64 generation, const QString &message);
    void setBusy(bool busy);

    static std::atomic<int> s_workerNice;

    static std::atomic<int> s_abandoned;
    static constexpr int kShutdownWaitMs = 3000;

    QThread *m_thread = nullptr; ///< deleted once it has stopped; left running (abandoned) if it never does
    ExplainWorker *m_worker = nullptr;
    /// Shared with the worker, which may outlive the controller (abandoned).
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    bool m_busy = false;
    QString m_probeProgram;
    QStringList m_trustedModels;
};

} // namespace attnscope::ui
