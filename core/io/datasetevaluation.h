#pragma once

#include "core/explain/explanation.h"
#include "core/json/json.h"

#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::core {

class ModelBundle;

/// One question of a data set. Boxes are [x0, y0, x1, y1] in the image's pixels.
struct EvalSample
{
    std::string image;
    std::string question;
    std::string answer;
    std::string type;
    std::vector<std::array<float, 4>> boxes;
};

struct MethodScore
{
    Method method = Method::Relevance;
    int pointingHits = 0;
    int pointingTotal = 0;
    std::map<std::string, std::array<int, 2>> pointingByType; ///< type -> {hits, total}
    double positiveAucSum = 0.0;  ///< image patches removed, most relevant first
    double negativeAucSum = 0.0;  ///< least relevant first
    int aucSamples = 0;
    int failures = 0;             ///< samples the method could not explain
    double pointing() const { return pointingTotal ? double(pointingHits) / pointingTotal : 0.0; }
    /// NaN when no curve was measured (JSON null, "-" in the table), never a made-up 0.
    double positiveAuc() const { return aucSamples ? positiveAucSum / aucSamples : std::nan(""); }
    double negativeAuc() const { return aucSamples ? negativeAucSum / aucSamples : std::nan(""); }
};

struct EvaluationReport
{
    std::string model;
    std::string data;
    int samples = 0;
    int correct = 0;
    /// Whether answers were checked: a matching model has no answer to
    /// check unless the data set gives candidate captions (zero-shot).
    bool scored = true;
    int candidates = 0; ///< zero-shot: the candidate captions ranked for each image
    /// What the perturbation curves follow: the target's "probability", or
    /// a matching model's own score ("logit", "cosine"), whose areas are in
    /// the score's units (a logit's can be negative or above 1).
    std::string curveScore = "probability";
    std::map<std::string, std::array<int, 2>> accuracyByType; ///< type -> {correct, total}
    std::vector<MethodScore> methods;

    /// NaN when nothing was scored (JSON null, "-" in the table).
    double accuracy() const { return samples && scored ? double(correct) / samples : std::nan(""); }
    Json toJson() const;
    std::string table() const;
};

/// `attnscope eval`: accuracy, the pointing game and perturbation AUCs over a
/// folder holding dataset.json and its images:
///   {"samples": [{"image": "0001.png", "question": "...", "answer": "yes",
///                 "type": "existence", "boxes": [[x0, y0, x1, y1], ...]}]}
/// "question" may be left out for a model that reads no text. For an
/// image-text matching model (CLIP), a top-level "candidates" list of
/// captions makes it zero-shot classification: each image is ranked against
/// every candidate and is correct when its "answer" (one of the candidates)
/// comes first; the methods explain the image with its answer.
class DatasetEvaluation
{
public:
    using Progress = std::function<void(int done, int total)>;

    static std::vector<EvalSample> readDataset(const std::string &folder);
    /// The data set's candidate captions (empty when it has none).
    static std::vector<std::string> readCandidates(const std::string &folder);
    static EvaluationReport run(const std::shared_ptr<ModelBundle> &bundle, const std::string &folder,
                                const std::vector<Method> &methods, const Progress &progress = {},
                                int limit = -1, bool curves = true);
    /// The pointing game: does the centre of the highest-scoring patch (where
    /// the bilinear heatmap peaks) fall inside one of the boxes? The patch grid
    /// covers the whole image (the stretch resize).
    static bool pointingHit(const std::vector<float> &patchScores, int rows, int cols, int imageWidth,
                            int imageHeight, const std::vector<std::array<float, 4>> &boxes);
};

} // namespace attnscope::core
