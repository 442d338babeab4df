#include "ui/worker/explaincontroller.h"

#include "ui/worker/explainworker.h"

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace attnscope::ui {

std::atomic<int> ExplainController::s_workerNice{0};
std::atomic<int> ExplainController::s_abandoned{0};

int ExplainController::abandonedWorkers()
{
    return s_abandoned.load();
}

void ExplainController::setWorkerNice(int nice)
{
    s_workerNice.store(nice);
}

ExplainController::ExplainController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ExplainRequest>();
    qRegisterMetaType<ExplainResult>();
    m_worker = new ExplainWorker(m_latest);
    m_thread = new QThread;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &ExplainController::queueRequest, m_worker, &ExplainWorker::process);
    connect(m_worker, &ExplainWorker::finished, this, &ExplainController::onFinished);
    connect(m_worker, &ExplainWorker::failed, this, &ExplainController::onFailed);
    connect(m_worker, &ExplainWorker::idle, this, &ExplainController::workerIdle);
    connect(m_worker, &ExplainWorker::progress, this, [this](quint64 generation, int done, int total, const QString &step) {
        if (generation == m_latest->load() && m_busy)
            emit progressChanged(done, total, step);
    });
    m_thread->setObjectName(QStringLiteral("attnscope-worker"));
    m_thread->start();
#ifdef __linux__
    if (const int nice = s_workerNice.load(); nice != 0) {
        // Runs first on the worker thread: nice is per thread on Linux, and
        // threads started from here inherit it.
        QMetaObject::invokeMethod(
            m_worker, [nice] { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice); }, Qt::QueuedConnection);
    }
#endif
}

ExplainController::~ExplainController()
{
    m_latest->store(~quint64(0)); // let queued requests fall through
    m_thread->quit();
    // The request in flight stops at its next forward pass or attention map
    // (ModelBundle::setCancelCheck). A forward pass that never returns (a
    // loop in a model's TorchScript) cannot be interrupted: after a while
    // the thread is left running, and the application ends the process
    // (abandonedWorkers) instead of waiting for ever.
    if (m_thread->wait(kShutdownWaitMs)) {
        delete m_thread;
    } else {
        s_abandoned.fetch_add(1);
        qWarning("attnscope: the worker did not stop within %d ms; it is left to the end of the process", kShutdownWaitMs);
    }
}

quint64 ExplainController::request(ExplainRequest request)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (request.probeProgram.isEmpty() && !m_trustedModels.contains(request.modelPath))
        request.probeProgram = m_probeProgram;
    request.generation = m_latest->load() + 1;
    m_latest->store(request.generation);
    setBusy(true);
    emit queueRequest(request);
    return request.generation;
}

void ExplainController::setModelProbe(const QString &program, const QStringList &trusted)
{
    m_probeProgram = program;
    m_trustedModels = trusted;
}

void ExplainController::cancel()
{
    m_latest->store(m_latest->load() + 1);
    setBusy(false);
}

void ExplainController::onFinished(const ExplainResult &result)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (result.generation != m_latest->load())
        return; // stale
    setBusy(false);
    emit resultReady(result);
}

void ExplainController::onFailed(quint64 generation, const QString &message)
{
    if (generation != m_latest->load())
        return;
    setBusy(false);
    emit errorOccurred(message);
}

void ExplainController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    emit busyChanged(busy);
}

} // namespace attnscope::ui
