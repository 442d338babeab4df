#pragma once

#include "ui/worker/explainrequest.h"

#include <QString>

namespace attnscope::ui {

/// A one-page PDF for a domain expert: the image and its heatmap, the answer
/// and its confidence, the most relevant words, the modality weights, the
/// method and how faithful it was on this input, the model card's summary,
/// and plainly what the picture does and does not show. Written atomically;
/// throws core::Error naming the file on failure.
class ReportWriter
{
public:
    struct Content
    {
        ExplainResult result;  ///< with faithfulness curves, when computed
        QString modelFile;
        QString cardSummary;   ///< first paragraph of the model card; may be empty
        QString text;          ///< the question or caption as typed

        /// A result as the window shows it: its model file, card and text.
        static Content of(const ExplainResult &result);
    };

    static void write(const Content &content, const QString &path);
    /// The first paragraph of the model card beside a model (NAME.md for
    /// NAME.pt) after its title; empty when there is none.
    static QString cardSummary(const QString &modelPath);
    /// What attention-based explanations show and what they do not.
    static QString caveat();
};

} // namespace attnscope::ui
