#include "ui/explainworker.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/io/inputloader.h"
#include "core/render/colormap.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"

#include <QElapsedTimer>

namespace attnscope::ui {

ExplainWorker::ExplainWorker(const std::atomic<quint64> &latest)
    : m_latest(latest)
{
}

ExplainWorker::~ExplainWorker() = default;

void ExplainWorker::process(const ExplainRequest &request) noexcept
{
    if (request.generation < m_latest.load())
        return; // superseded before it started
    try {
        ExplainResult result = explain(request);
        emit finished(result);
    } catch (const core::Error &e) {
        emit failed(request.generation, QString::fromStdString(e.what()));
    } catch (const std::exception &e) {
        emit failed(request.generation, QStringLiteral("Unexpected error: %1").arg(QString::fromStdString(e.what())));
    } catch (...) {
        emit failed(request.generation, QStringLiteral("Unexpected error of unknown kind"));
    }
}

ExplainResult ExplainWorker::explain(const ExplainRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    if (!m_bundle || m_bundlePath != request.modelPath || m_bundleDevice != request.device) {
        m_bundle.reset();
        m_bundle = core::ModelBundle::load(request.modelPath.toStdString(), request.device);
        m_bundlePath = request.modelPath;
        m_bundleDevice = request.device;
    }
    const core::Manifest &m = m_bundle->manifest();
    const core::ModelInput input = core::InputLoader::load(m, request.imagePath.toStdString(), request.text.toStdString());
    auto run = core::InferenceEngine::run(m_bundle, input);

    ExplainResult result;
    result.generation = request.generation;
    result.modelName = QString::fromStdString(m.name);
    result.deviceName = QString::fromStdString(m_bundle->deviceName());
    result.prediction = run->prediction();
    result.forwardMs = run->forwardMilliseconds();
    result.truncated = input.text.truncated();
    for (size_t i = 0; i < input.text.tokens.size(); ++i) {
        result.tokens << QString::fromStdString(input.text.tokens[i]);
        result.padding << (input.text.mask[i] == 0);
    }
    if (request.generation < m_latest.load())
        return result; // dropped by the controller anyway; skip the explanation
    core::MethodOptions options;
    options.method = request.method;
    result.explanation = core::Explainer::explain(*run, options);
    if (result.explanation.hasPatchScores()) {
        const auto heat = core::Heatmap::upsample(core::Heatmap::normalize(result.explanation.patchScores),
                                                  result.explanation.gridRows, result.explanation.gridCols,
                                                  input.source.width, input.source.height, core::Interpolation::Bilinear);
        const core::RgbaImage overlay = core::Overlay::blend(input.source, heat,
                                                             core::Colormap::get(core::ColormapKind::Viridis), 0.5f);
        // Deep copy: the QImage must own its pixels once the buffer goes away.
        result.overlay = QImage(overlay.pixels.data(), overlay.width, overlay.height, overlay.width * 4,
                                QImage::Format_RGBA8888)
                             .copy();
    }
    result.totalMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return result;
}

} // namespace attnscope::ui
