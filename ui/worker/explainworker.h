#pragma once

#include "ui/worker/explainrequest.h"

#include <QObject>

#include <QDateTime>
#include <QSet>

#include <atomic>
#include <map>
#include <tuple>
#include <memory>
#include <utility>

namespace attnscope::core {
class CapturedRun;
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
    explicit ExplainWorker(std::shared_ptr<const std::atomic<quint64>> latest);
    ~ExplainWorker() override;

public slots:
    void process(const attnscope::ui::ExplainRequest &request) noexcept;

signals:
    void finished(const attnscope::ui::ExplainResult &result);
    void failed(quint64 generation, const QString &message);
    /// The worker finished with a request, however it ended (a probe measures
    /// how soon a cancelled one lets go).
    void idle(quint64 generation);
    /// Where request `generation` is: `done` of `total` steps of `step` (a
    /// sentence such as "Faithfulness curves"); total 0 when the step cannot
    /// be counted (one forward pass).
    void progress(quint64 generation, int done, int total, const QString &step);

private:
    /// The request on `device` (the CPU after CUDA ran out of memory).
    ExplainResult explain(const ExplainRequest &request, core::DeviceChoice device);
    /// Opens the model (probing a new file first) and runs it, unless the
    /// last run had the same inputs; false: that run is reused.
    bool openAndRun(const ExplainRequest &request, core::DeviceChoice device);
    /// The run's inputs, tokens, layout, maps and notes into `result`.
    void describe(const ExplainRequest &request, const core::CapturedRun &run, ExplainResult &result) const;
    /// The matrix view's map and head, and the method's explanation (cached).
    void explainView(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result);
    /// What the visible tabs asked for: trust check, modality weights, head
    /// statistics, the teaching step, faithfulness curves (each cached).
    void measure(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result);
    /// Zero-shot: the request's candidates ranked against the run's image.
    void rankCandidates(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result);
    core::TrustCheck trustCheck(const ExplainRequest &request, core::CapturedRun &run, const ExplainResult &result);
    /// Loads the model in a child process first (request.probeProgram), once
    /// per file version; throws core::Error with the child's message, or
    /// saying that it crashed.
    void probe(const ExplainRequest &request, const QDateTime &modified);
    /// The bundle for the request, loaded or reused.
    void ensureBundle(const ExplainRequest &request, core::DeviceChoice device, const QDateTime &modified);
    std::vector<core::FaithfulnessCurve> faithfulness(core::CapturedRun &run, int target, quint64 generation);
    /// progress() for the request being worked on.
    void report(int done, int total, const QString &step);
    /// Cached per target for the current run.
    core::ModalityWeights modalityWeights(core::CapturedRun &run, const core::Explanation &explanation);

    std::shared_ptr<const std::atomic<quint64>> m_latest;
    std::atomic<quint64> m_current{0}; ///< the request being worked on
    std::shared_ptr<core::ModelBundle> m_bundle; ///< cached: reused while the path and device stay
    QString m_bundlePath;
    QDateTime m_bundleModified;
    core::DeviceChoice m_bundleDevice = core::DeviceChoice::Auto;
    /// The last forward pass, reused while the inputs stay the same; with the
    /// modality weights computed for it, per target (they cost extra passes).
    std::unique_ptr<core::CapturedRun> m_run;
    QString m_runKey;
    QString m_cpuFallback;  ///< model version (path, time) that ran out of GPU memory: it stays on the CPU
    QSet<QString> m_probed; ///< model files (path, size, time) the child process loaded cleanly
    /// Per (method, requested target, rollout's fusion, its discard ratio in thousandths), this run.
    std::map<std::tuple<int, int, int, int>, core::Explanation> m_explanations;
    std::map<int, core::ModalityWeights> m_modality;
    std::map<int, std::vector<core::HeadStatistic>> m_heads;
    std::map<int, std::vector<core::FaithfulnessCurve>> m_faithfulness;
    /// Per (method, explained target, map, head) - raw attention's map
    /// follows the selected map and head - for this run.
    std::map<std::tuple<int, int, int, int>, core::TrustCheck> m_trust;
    std::vector<core::ZeroShotCandidate> m_zeroShot; ///< the last ranking, for m_zeroShotCandidates
    QStringList m_zeroShotCandidates;
};

} // namespace attnscope::ui
