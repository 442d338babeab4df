#include "ui/worker/explainworker.h"

#include "core/engine/cancelscope.h"
#include "core/engine/device.h"
#include "core/engine/errormessage.h"
#include "core/explain/attentionsinks.h"
#include "core/image/imagepreprocessor.h"
#include "core/io/modelcard.h"

#include "ui/export/qtimages.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/explain/headstatistics.h"
#include "core/explain/perturbationtest.h"
#include "core/io/inputloader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <cerrno>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace attnscope::ui {

namespace {

constexpr qint64 kProbeTimeoutMs = 120000;

/// Rollout's discard ratio and sink choice as one key part of the caches.
int rolloutVariant(const ExplainRequest &request)
{
    return static_cast<int>(std::lround(request.discardRatio * 1000)) + (request.excludeSinks ? 100000 : 0);
}

QString runKey(const ExplainRequest &request)
{
    const QFileInfo image(request.imagePath);
    return QStringLiteral("%1\n%2\n%3\n%4\n%5\n%6")
        .arg(request.modelPath, request.imagePath, image.lastModified().toString(Qt::ISODateWithMs), request.text,
             request.pair)
        .arg(static_cast<int>(request.device));
}

/// A model file as it is now: the CPU fallback holds for this version only.
QString modelVersion(const QString &path)
{
    return path + QLatin1Char('\n') + QFileInfo(path).lastModified().toString(Qt::ISODateWithMs);
}

} // namespace

ExplainWorker::ExplainWorker(std::shared_ptr<const std::atomic<quint64>> latest)
    : m_latest(std::move(latest))
{
}

ExplainWorker::~ExplainWorker() = default;

void ExplainWorker::process(const ExplainRequest &request) noexcept
{
    if (request.generation < m_latest->load())
        return; // superseded before it started
    m_current.store(request.generation);
    try {
        // Every LibTorch operator of this request asks first whether a newer
        // request (or Esc) superseded it: a forward pass, a backward pass or
        // a relevance product stops within one operator.
        const core::CancelScope scope([this] { return m_current.load() < m_latest->load(); });
        // After CUDA ran out of memory for this model, at any step of a
        // request, the whole request runs again on the CPU, and the model
        // stays there.
        const QString version = modelVersion(request.modelPath);
        const core::DeviceChoice device = m_cpuFallback == version ? core::DeviceChoice::Cpu : request.device;
        ExplainResult result;
        core::runWithCpuFallback(device, [&](core::DeviceChoice on) {
            if (on != device) {
                m_run.reset();
                m_bundle.reset();
                m_cpuFallback = version;
            }
            result = explain(request, on);
        });
        emit finished(result);
    } catch (const core::Error &e) {
        // Cancelled: dropped by the controller, which moved on already.
        emit failed(request.generation, QString::fromStdString(e.what()));
    } catch (const std::bad_alloc &) {
        emit failed(request.generation, QStringLiteral("AttnScope ran out of memory for this input; try a smaller "
                                                       "image or text, or close other programs"));
    } catch (const std::exception &e) {
        // LibTorch's and OpenCV's own exceptions, in one line without their
        // backtraces or source locations.
        emit failed(request.generation, QString::fromStdString(core::errorMessage(e)));
    } catch (...) {
        emit failed(request.generation, QStringLiteral("something unexpected went wrong; the previous result stays"));
    }
    if (m_run && !m_run->hasMaps())
        m_run.reset(); // a failure took the run's maps with it: the next request runs the model again
    emit idle(request.generation);
}

void ExplainWorker::report(int done, int total, const QString &step)
{
    emit progress(m_current.load(), done, total, step);
}

ExplainResult ExplainWorker::explain(const ExplainRequest &request, core::DeviceChoice device)
{
    QElapsedTimer timer;
    timer.start();
    ExplainResult result;
    result.reusedRun = !openAndRun(request, device);
    if (request.generation < m_latest->load())
        return result; // dropped by the controller anyway
    core::CapturedRun &run = *m_run;
    describe(request, run, result);
    if (device != request.device) // on the CPU instead of the device asked for: CUDA ran out of memory
        result.notice = QStringLiteral("The GPU ran out of memory for this model, so it runs on the CPU.");
    if (request.generation < m_latest->load())
        return result; // dropped by the controller anyway; skip the explanation
    explainView(request, run, result);
    measure(request, run, result);
    result.totalMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return result;
}

bool ExplainWorker::openAndRun(const ExplainRequest &request, core::DeviceChoice device)
{
    const QDateTime modified = QFileInfo(request.modelPath).lastModified();
    const bool opening = !m_bundle || m_bundlePath != request.modelPath || m_bundleDevice != device
                         || m_bundleModified != modified;
    if (opening)
        report(0, 2, tr("Opening the model"));
    if (!request.probeProgram.isEmpty())
        probe(request, modified);
    if (opening)
        report(1, 2, tr("Opening the model"));
    ensureBundle(request, device, modified);
    const QString key = runKey(request);
    if (m_run && key == m_runKey)
        return false;
    m_run.reset();
    m_modality.clear();
    m_heads.clear();
    m_faithfulness.clear();
    m_explanations.clear();
    m_trust.clear();
    if (key.section(QLatin1Char('\n'), 0, 2) != m_runKey.section(QLatin1Char('\n'), 0, 2))
        m_zeroShot.clear(); // another image or model: rank again (the caption itself does not matter)
    const core::Manifest &m = m_bundle->manifest();
    if (m.readsImage() && request.imagePath.isEmpty())
        throw core::Error(tr("This model looks at an image: open one (File > Open image, Ctrl+O).").toStdString());
    const core::ModelInput input = core::InputLoader::load(m, request.imagePath.toStdString(), request.text.toStdString(),
                                                           m.readsPairs() ? request.pair.toStdString() : std::string());
    if (request.generation < m_latest->load())
        return true; // dropped by the controller anyway
    // Raw attention and rollout need no autograd graph; without it the
    // forward pass is quicker and keeps no layer's activations. Asking
    // for a gradient later runs the model again, with the graph.
    const bool gradients = request.method == core::Method::Relevance || request.method == core::Method::GradCam
                           || request.modality || request.heads || request.faithfulness;
    report(0, 0, tr("Running the model"));
    m_run = core::InferenceEngine::run(m_bundle, input, gradients ? core::Gradients::Record : core::Gradients::Later);
    m_runKey = key;
    return true;
}

void ExplainWorker::describe(const ExplainRequest &request, const core::CapturedRun &run, ExplainResult &result) const
{
    const core::Manifest &m = m_bundle->manifest();
    const core::ModelInput &input = run.input();
    result.generation = request.generation;
    result.modelPath = request.modelPath;
    result.imagePath = request.imagePath;
    result.text = request.text;
    result.pair = request.pair;
    result.modelName = QString::fromStdString(m.name);
    result.readsImage = m.readsImage();
    result.readsText = m.readsText();
    result.takesPairs = m.readsPairs();
    result.matchesCaptions = m.task == core::Task::Matching && m.readsImage() && m.readsText();
    result.deviceName = QString::fromStdString(m_bundle->deviceName());
    result.prediction = run.prediction();
    result.forwardMs = result.reusedRun ? 0.0 : run.forwardMilliseconds();
    result.truncated = input.text.truncated();
    result.wordCount = input.text.wordCount;
    result.droppedWords = input.text.droppedWords;
    result.setText(input.text);
    result.unknownNote = QString::fromStdString(input.text.unknownWordsNote(m.text.unkToken));
    const core::StreamLayout layout(m, input.text);
    result.layout = layout.tokens();
    // Attention sinks marked where tokens are named (matrix, teaching), and said.
    const std::vector<core::AttentionSink> sinks = core::AttentionSinks::find(run);
    for (const core::AttentionSink &s : sinks) {
        if (s.sink || s.registerToken) // registers: tokens without content by design, sinks or not
            result.layout[static_cast<size_t>(layout.streamOffset(s.stream) + s.index)].label += " \u2693";
    }
    result.sinksLeftOut = request.excludeSinks;
    result.sinkNote = QString::fromStdString(core::AttentionSinks::describe(
        sinks, [&](const core::AttentionSink &s) { return layout.tokens()[static_cast<size_t>(layout.streamOffset(s.stream) + s.index)].label; }));
    for (const auto &stream : m.streams)
        result.streamNames << QString::fromStdString(stream.name);
    const std::vector<int> headCounts = run.headCounts();
    for (size_t i = 0; i < m.attentions.size(); ++i) {
        const core::AttentionSpec &spec = m.attentions[i];
        AttentionMapInfo info;
        info.layer = spec.layer;
        info.cross = spec.kind == core::AttentionKind::Cross;
        info.query = result.streamNames.value(spec.queryStream);
        info.key = result.streamNames.value(spec.keyStream);
        info.heads = i < headCounts.size() ? headCounts[i] : 0;
        result.maps << info;
    }
    result.image = QtImages::toQImage(input.source);
    result.chanceNote = QString::fromStdString(core::nearChanceNote(result.prediction));
    result.imageNote = QString::fromStdString(core::ImagePreprocessor::fitNote(input.source.width, input.source.height, m.image));
    const core::InputRegion region = core::ImagePreprocessor::region(input.source.width, input.source.height, m.image);
    result.inputRegion = QRectF(region.x, region.y, region.width, region.height);
    for (const std::string &note : m_bundle->notes()) // as the checkpoint was opened (a resized grid, a default)
        result.limitNotes << QString::fromStdString(note).replace(0, 1, QString::fromStdString(note).left(1).toUpper());
    for (const core::ModelCard::Limit &limit : core::ModelCard::forModel(request.modelPath.toStdString()).limitsFor(request.text.toStdString()))
        result.limitNotes << QStringLiteral("Known limit of this model (its card): %1").arg(QString::fromStdString(limit.text));
}

void ExplainWorker::explainView(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result)
{
    if (result.maps.isEmpty())
        throw core::Error("the model returns no attention maps, so there is nothing to explain");
    // The matrix view's map and head; raw attention explains with the same.
    core::MethodOptions view;
    view.method = core::Method::RawAttention;
    view.target = request.target;
    view.attention = request.attention >= 0 && request.attention < result.maps.size()
        ? request.attention
        : core::Explainer::defaultAttention(run);
    view.head = request.head >= 0 && request.head < result.maps[view.attention].heads ? request.head : -1;
    result.attention = core::Explainer::explain(run, view);
    result.attentionIndex = view.attention;
    result.head = view.head;

    core::MethodOptions options = view;
    options.method = request.method;
    options.fusion = request.fusion;
    options.discardRatio = request.discardRatio;
    options.excludeSinks = request.excludeSinks;
    if (request.method == core::Method::RawAttention) {
        result.explanation = result.attention;
    } else {
        // Kept per method and target for this run: a layer or head change
        // only recomputes the raw view above (relevance at 2,048 tokens is
        // seconds of matrix products).
        const std::tuple<int, int, int, int> key{static_cast<int>(request.method), request.target,
                                                 static_cast<int>(request.fusion),
                                                 rolloutVariant(request)};
        auto cached = m_explanations.find(key);
        if (cached == m_explanations.end()) {
            report(0, 0, tr("Explaining"));
            cached = m_explanations.emplace(key, core::Explainer::explain(run, options)).first;
        }
        result.explanation = cached->second;
    }

}

void ExplainWorker::measure(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result)
{
    const int target = result.explanation.target;
    if (request.trust)
        result.trust = trustCheck(request, run, result);
    if (request.modality)
        result.modality = modalityWeights(run, result.explanation);
    if (request.heads) {
        auto headStats = m_heads.find(target);
        if (headStats == m_heads.end())
            headStats = m_heads.emplace(target, core::HeadStatistics::compute(run, target, 48, [this](int done, int total) {
                                         report(done, total, tr("Head grid"));
                                     })).first;
        result.heads = headStats->second;
    }
    result.teachQuery = request.teachQuery;
    if (request.teachQuery >= 0) {
        try {
            result.teaching = core::AttentionStep::compute(run, result.attentionIndex, std::max(0, result.head),
                                                           request.teachQuery);
        } catch (const core::Error &e) {
            result.teachingError = QString::fromStdString(e.what());
        }
    }
    if (!request.candidates.isEmpty())
        rankCandidates(request, run, result);
    if (request.faithfulness) {
        const auto cachedCurves = m_faithfulness.find(target);
        if (cachedCurves != m_faithfulness.end()) {
            result.faithfulness = cachedCurves->second;
        } else {
            result.faithfulness = faithfulness(run, target, request.generation);
            if (request.generation == m_latest->load()) // complete, not cut short by a newer request
                m_faithfulness.emplace(target, result.faithfulness);
        }
    }
}

void ExplainWorker::rankCandidates(const ExplainRequest &request, core::CapturedRun &run, ExplainResult &result)
{
    // The same image and candidates rank the same: kept until the image,
    // model or device changes (a new run clears it).
    if (m_zeroShotCandidates == request.candidates && !m_zeroShot.empty()) {
        result.zeroShot = m_zeroShot;
        return;
    }
    std::vector<std::string> captions;
    for (const QString &c : request.candidates)
        captions.push_back(c.toStdString());
    try {
        report(0, 0, tr("Ranking %1 captions").arg(captions.size()));
        m_zeroShot = core::ZeroShot::rank(*m_bundle, run.input(), captions);
        m_zeroShotCandidates = request.candidates;
        result.zeroShot = m_zeroShot;
    } catch (const core::Error &e) {
        if (e.kind() == core::Error::Kind::Cancelled)
            throw;
        result.zeroShotError = QString::fromStdString(e.what());
    }
}

core::TrustCheck ExplainWorker::trustCheck(const ExplainRequest &request, core::CapturedRun &run, const ExplainResult &result)
{
    // Raw attention's map follows the selected map and head; rollout's its
    // fusion and discard ratio.
    const int target = result.explanation.target;
    const bool raw = request.method == core::Method::RawAttention;
    const bool rollout = request.method == core::Method::Rollout;
    const std::tuple<int, int, int, int> key{
        static_cast<int>(request.method), target, raw ? result.attentionIndex : rollout ? static_cast<int>(request.fusion) : -1,
        raw ? result.head : rollout ? rolloutVariant(request) : -1};
    auto cached = m_trust.find(key);
    if (cached == m_trust.end()) {
        const core::Modality modality = result.explanation.hasPatchScores() ? core::Modality::Image : core::Modality::Text;
        report(0, 0, tr("Checking the map"));
        cached = m_trust.emplace(key, core::TrustCheck::run(*m_bundle, run.input(), target, result.explanation, modality)).first;
    }
    return cached->second;
}

void ExplainWorker::ensureBundle(const ExplainRequest &request, core::DeviceChoice device, const QDateTime &modified)
{
    if (m_bundle && m_bundlePath == request.modelPath && m_bundleDevice == device && m_bundleModified == modified)
        return;
    m_run.reset();
    m_bundle.reset();
    m_bundle = core::ModelBundle::load(request.modelPath.toStdString(), device);
    // Every pass of this bundle asks first whether its request is still the
    // latest: Esc, a newer request or closing the window stop it at the next
    // pass or attention map of the backward pass.
    m_bundle->setCancelCheck([this] { return m_current.load() < m_latest->load(); });
    m_bundlePath = request.modelPath;
    m_bundleDevice = device;
    m_bundleModified = modified;
}

void ExplainWorker::probe(const ExplainRequest &request, const QDateTime &modified)
{
    const QFileInfo file(request.modelPath);
    const QString key = QStringLiteral("%1\n%2\n%3").arg(file.absoluteFilePath(), modified.toString(Qt::ISODateWithMs))
                            .arg(file.size());
    if (m_probed.contains(key) || !file.exists())
        return; // known good, or missing: the in-process load says so
    // A checkpoint folder or .safetensors file holds data, not code, read by
    // AttnScope's own (fuzzed) reader: nothing there can crash a loader.
    if (file.isDir() || file.suffix().compare(QLatin1String("safetensors"), Qt::CaseInsensitive) == 0)
        return;
    const std::string path = request.modelPath.toStdString();
    QProcess child;
    child.setProgram(request.probeProgram);
    // On the CPU: the check must not take GPU memory from the real run.
    child.setArguments({QStringLiteral("info"), request.modelPath, QStringLiteral("--device"), QStringLiteral("cpu")});
    child.start();
    if (!child.waitForStarted(10000))
        throw core::Error(path + ": could not start the separate process that checks new models ("
                          + child.errorString().toStdString() + ")");
    QElapsedTimer waited;
    waited.start();
    while (!child.waitForFinished(100)) {
        if (request.generation < m_latest->load() || waited.elapsed() > kProbeTimeoutMs) {
            child.kill();
            child.waitForFinished(5000);
            if (request.generation < m_latest->load())
                throw core::Error("superseded"); // dropped by the controller
            throw core::Error(path + ": loading the model took longer than " + std::to_string(kProbeTimeoutMs / 1000)
                              + " s in the process that checks new models, so it was stopped");
        }
    }
    if (child.exitStatus() == QProcess::CrashExit)
        throw core::Error(path + ": this file crashed PyTorch's model loader. AttnScope checks new models in a "
                                 "separate process, so nothing else was affected; the file is damaged or was not "
                                 "written by a PyTorch AttnScope can read.");
    if (child.exitCode() != 0) {
        // The child's message line ("attnscope: error: <what>") says what is
        // wrong; LibTorch may have printed warnings before it.
        const QString prefix = QStringLiteral("attnscope: error: ");
        const QStringList lines = QString::fromUtf8(child.readAllStandardError()).split(QLatin1Char('\n'));
        for (auto line = lines.crbegin(); line != lines.crend(); ++line)
            if (line->startsWith(prefix))
                throw core::Error(line->mid(prefix.size()).trimmed().toStdString());
        throw core::Error(path + ": the model could not be loaded (the process that checks new models ended with code "
                          + std::to_string(child.exitCode()) + ")");
    }
    m_probed.insert(key);
}

core::ModalityWeights ExplainWorker::modalityWeights(core::CapturedRun &run, const core::Explanation &explanation)
{
    const int target = explanation.target;
    const auto cached = m_modality.find(target);
    if (cached != m_modality.end())
        return cached->second;
    core::Explanation relevance;
    const core::Explanation *shares = nullptr;
    try {
        if (explanation.method == core::Method::Relevance) {
            shares = &explanation;
        } else {
            core::MethodOptions r;
            r.target = target;
            relevance = core::Explainer::explain(run, r);
            shares = &relevance;
        }
    } catch (const core::Error &) {
        shares = nullptr; // gradients unavailable: the bars show no relevance share
    }
    return m_modality.emplace(target, core::ModalityWeights::compute(run, target, shares)).first->second;
}

std::vector<core::FaithfulnessCurve> ExplainWorker::faithfulness(core::CapturedRun &run, int target, quint64 generation)
{
    std::vector<core::FaithfulnessCurve> out;
    // Counted in curves: two (most and least relevant first) per method and
    // modality the model reads; a method or modality with no scores counts
    // as done at once.
    const core::Manifest &m = m_bundle->manifest();
    const int modalities = (m.findModality(core::Modality::Image).valid() ? 1 : 0)
                           + (m.findModality(core::Modality::Text).valid() ? 1 : 0);
    const int total = static_cast<int>(core::allMethods().size()) * modalities * 2;
    int done = 0;
    const QString step = tr("Faithfulness curves");
    report(done, total, step);
    for (core::Method method : core::allMethods()) {
        if (generation < m_latest->load())
            break; // superseded: the result is dropped anyway
        core::MethodOptions options;
        options.method = method;
        options.target = target;
        core::Explanation e;
        try {
            e = core::Explainer::explain(run, options);
        } catch (const core::Error &) {
            done += modalities * 2; // e.g. no gradients: this method has no curve
            report(done, total, step);
            continue;
        }
        for (core::Modality modality : {core::Modality::Image, core::Modality::Text}) {
            if (!m.findModality(modality).valid())
                continue;
            const bool scored = modality == core::Modality::Image ? e.hasPatchScores() : e.hasTokenScores();
            for (bool positive : {true, false}) {
                if (scored) {
                    core::FaithfulnessCurve c;
                    c.method = method;
                    c.curve = core::PerturbationTest::run(*m_bundle, run.input(), target, e, modality, positive);
                    out.push_back(std::move(c));
                }
                report(++done, total, step);
            }
        }
    }
    return out;
}

} // namespace attnscope::ui
