#pragma once

#include "core/engine/device.h"
#include "core/engine/prediction.h"
#include "core/explain/explanation.h"

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace attnscope::ui {

/// What the user asked for. Requests carry a generation number: the latest
/// wins, and results of older ones are dropped.
struct ExplainRequest
{
    quint64 generation = 0;
    QString modelPath;
    QString imagePath;
    QString text;
    core::Method method = core::Method::Relevance;
    core::DeviceChoice device = core::DeviceChoice::Auto;
};

/// Everything the window shows for one request; plain values, cheap to copy
/// from the worker thread.
struct ExplainResult
{
    quint64 generation = 0;
    QString modelName;
    QString deviceName;
    core::Prediction prediction;
    core::Explanation explanation;
    QStringList tokens;   ///< one per text position
    QVector<bool> padding; ///< per position: a padded (masked) position
    QImage overlay;       ///< heatmap blended over the image, full size
    double forwardMs = 0.0;
    double totalMs = 0.0;
    bool truncated = false;
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::ExplainRequest)
Q_DECLARE_METATYPE(attnscope::ui::ExplainResult)
