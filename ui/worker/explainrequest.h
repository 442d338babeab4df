#pragma once

#include "core/engine/device.h"
#include "core/engine/prediction.h"
#include "core/explain/attentionstep.h"
#include "core/explain/explanation.h"
#include "core/explain/headstatistics.h"
#include "core/explain/trustcheck.h"
#include "core/explain/modalityweights.h"
#include "core/explain/faithfulnessareas.h"
#include "core/explain/zeroshot.h"
#include "core/explain/streamlayout.h"
#include "core/text/tokenizer.h"

#include <QImage>
#include <QRectF>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <vector>

namespace attnscope::ui {

/// What the user asked for. Requests carry a generation number: the latest
/// wins, and results of older ones are dropped. A request with the same model,
/// device, image and text as the previous one reuses its forward pass, so
/// switching method, answer, layer or head costs no new run.
struct ExplainRequest
{
    quint64 generation = 0;
    QString modelPath;
    QString imagePath; ///< ignored (may be empty) for a model that takes no image
    QString text;
    QString pair;      ///< the second text of a sentence pair; empty: one text
    /// Zero-shot: candidate captions to rank against the image (matching
    /// models); empty: none.
    QStringList candidates;
    core::Method method = core::Method::Relevance;
    int target = -1;    ///< label to explain; -1: the predicted one
    int attention = -1; ///< attention map shown in the matrix view; -1: the default one
    int head = -1;      ///< head of that map; -1: the heads' mean
    core::HeadReduction fusion = core::HeadReduction::Mean; ///< rollout: how each map's heads are fused
    double discardRatio = 0.0;                              ///< rollout: share of each fused map's lowest entries dropped
    bool excludeSinks = false;                              ///< rollout: attention sinks and registers left out
    core::DeviceChoice device = core::DeviceChoice::Auto;
    bool faithfulness = false; ///< also run the perturbation tests of every method
    bool heads = false;        ///< also compute every head's statistics and thumbnail
    bool modality = true;      ///< compute the modality weights (two occlusion passes per input and answer)
    bool trust = true;         ///< check the shown method's map against its own perturbation test (five passes)
    int teachQuery = -1;       ///< >= 0: step through the selected map and head for this query row
    /// When set, a model file not seen before is first loaded by this program
    /// (`attnscope info MODEL`) in a child process, so a file that crashes
    /// the TorchScript loader cannot take the window down. Empty for trusted
    /// (bundled) models.
    QString probeProgram;
};

using core::FaithfulnessAreas;
using core::FaithfulnessCurve;

/// One attention map the model returns, described for selectors.
struct AttentionMapInfo
{
    int layer = 0;
    bool cross = false;
    QString query; ///< query stream name
    QString key;   ///< key stream name
    int heads = 0;
    QString title() const;
};

/// Everything the window shows for one request; plain values, cheap to copy
/// from the worker thread.
struct ExplainResult
{
    quint64 generation = 0;
    QString modelPath;
    QString imagePath;
    QString text;                    ///< the text as requested
    QString pair;                    ///< the second text, as requested
    QString modelName;
    bool readsImage = true;          ///< the model looks at an image (it has image patches)
    bool readsText = true;           ///< the model reads text
    bool takesPairs = false;         ///< it reads sentence pairs (Manifest::readsPairs)
    bool matchesCaptions = false;    ///< an image-text matching model: zero-shot ranks captions
    QString deviceName;
    core::Prediction prediction;
    core::Explanation explanation;   ///< the chosen method, for the chosen target
    core::Explanation attention;     ///< raw attention of the selected map and head (the matrix view)
    int attentionIndex = 0;          ///< which map `attention` shows
    int head = -1;                   ///< which head; -1: mean
    QVector<AttentionMapInfo> maps;
    std::vector<core::LayoutToken> layout; ///< every token of every stream
    QStringList streamNames;
    core::ModalityWeights modality;
    std::vector<core::HeadStatistic> heads; ///< every head of every map, for the target; when asked for
    /// Positive and negative curves of every method that gives scores, for
    /// the target; empty unless the request asked for them.
    std::vector<core::FaithfulnessCurve> faithfulness;
    core::AttentionStep teaching;    ///< when asked for (teachQuery)
    int teachQuery = -1;             ///< the query row the request asked the step for
    QString teachingError;
    /// The request's candidate captions ranked by the model, best first;
    /// empty when none were asked for or the model matches no captions.
    std::vector<core::ZeroShotCandidate> zeroShot;
    QString zeroShotError;
    QImage image;                    ///< the decoded input image, RGB888, full size
    QStringList tokens;              ///< one per text position
    QVector<bool> padding;           ///< per position: a padded (masked) position
    QStringList words;               ///< the words as typed, each one chip (its pieces' scores summed)
    QVector<int> wordOf;             ///< per text position: its word in `words`; -1 for padding
    double forwardMs = 0.0;
    double totalMs = 0.0;
    bool reusedRun = false;          ///< no forward pass: the previous run was reused
    bool truncated = false;          ///< words were cut to the model's text length
    QVector<bool> unknown;           ///< per text position: a word the model's vocabulary lacks
    core::TrustCheck trust;          ///< how far to trust `explanation` on this input (the badge)
    QString chanceNote;              ///< when the answer itself is close to a guess; empty otherwise
    QStringList limitNotes;          ///< how the model was opened (a checkpoint's notes) and its card's known limits this question runs into
    QString imageNote;               ///< when the image is far from the model's input (squashed, enlarged)
    /// The part of the image the model's input covers (core::InputRegion):
    /// a centre crop's window, a padded input's larger frame.
    QRectF inputRegion{0.0, 0.0, 1.0, 1.0};
    QString unknownNote;             ///< which words those are, in a sentence; empty when none
    QString sinkNote;                ///< the attention sinks found, in a sentence; empty when none
    /// "without sinks": sinks and registers (explanation.sinkTokens) left
    /// out of rollout and of the colour scales of the matrix, the head grid
    /// and the heatmap.
    bool sinksLeftOut = false;
    int wordCount = 0;               ///< words in the text
    int droppedWords = 0;            ///< words left out by that cut
    QString notice;                  ///< something the user should know about this result (e.g. a device fallback)

    /// What the user should know with this result, one sentence each, for
    /// the banner: a device fallback, unknown words, a near-chance answer,
    /// the model card's limits it runs into, the image's fit, a cut text.
    QStringList notes() const;
    /// Fills tokens, padding, unknown, words and wordOf from the input's
    /// text (the worker and the command line's report alike).
    void setText(const core::TokenizedText &text);
    /// Index of the query stream of attention map `map`; -1 if none.
    int queryStreamOf(int map) const;
    /// Layout index of the token at `position` of `stream`; -1 if none.
    int layoutIndexOf(int stream, int position) const;
    /// Layout index of text position `textIndex` / patch `patchIndex`; -1 if none.
    int layoutIndexOfText(int textIndex) const;
    int layoutIndexOfPatch(int patchIndex) const;
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::ExplainRequest)
Q_DECLARE_METATYPE(attnscope::ui::ExplainResult)
