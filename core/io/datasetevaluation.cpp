#include "core/io/datasetevaluation.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/explain/zeroshot.h"
#include "core/explain/perturbationtest.h"
#include "core/image/imagedecoder.h"
#include "core/io/inputloader.h"
#include "core/io/textfile.h"

#include <algorithm>
#include <cstdio>

namespace attnscope::core {

std::vector<EvalSample> DatasetEvaluation::readDataset(const std::string &folder)
{
    const std::string path = folder + "/dataset.json";
    const Json root = Json::parse(TextFile::read(path), path);
    const Json *samples = root.find("samples");
    if (!samples || !samples->isArray())
        throw Error(path + ": needs a \"samples\" array");
    std::vector<EvalSample> out;
    for (size_t i = 0; i < samples->toArray().size(); ++i) {
        const Json &s = samples->toArray()[i];
        const std::string where = path + ": samples[" + std::to_string(i) + "]";
        auto text = [&](const char *key, bool required) {
            const Json *v = s.find(key);
            if (!v) {
                if (required)
                    throw Error(where + " has no \"" + key + "\"");
                return std::string();
            }
            if (!v->isString())
                throw Error(where + ": \"" + key + "\" must be a string");
            return v->toString();
        };
        EvalSample sample;
        sample.image = text("image", true);
        sample.question = text("question", false);
        sample.answer = text("answer", true);
        sample.type = text("type", false);
        if (sample.type.empty())
            sample.type = "all";
        if (const Json *boxes = s.find("boxes")) {
            if (!boxes->isArray())
                throw Error(where + ": \"boxes\" must be an array of [x0, y0, x1, y1]");
            for (const Json &box : boxes->toArray()) {
                if (!box.isArray() || box.toArray().size() != 4)
                    throw Error(where + ": every box must be [x0, y0, x1, y1]");
                std::array<float, 4> b{};
                for (size_t k = 0; k < 4; ++k) {
                    if (!box.toArray()[k].isNumber())
                        throw Error(where + ": box coordinates must be numbers");
                    b[k] = static_cast<float>(box.toArray()[k].toNumber());
                }
                sample.boxes.push_back(b);
            }
        }
        out.push_back(sample);
    }
    return out;
}

std::vector<std::string> DatasetEvaluation::readCandidates(const std::string &folder)
{
    const std::string path = folder + "/dataset.json";
    const Json root = Json::parse(TextFile::read(path), path);
    std::vector<std::string> out;
    const Json *candidates = root.find("candidates");
    if (!candidates)
        return out;
    if (!candidates->isArray())
        throw Error(path + ": \"candidates\" must be a list of captions");
    for (const Json &c : candidates->toArray()) {
        if (!c.isString() || c.toString().empty())
            throw Error(path + ": every candidate caption must be a non-empty string");
        if (std::find(out.begin(), out.end(), c.toString()) != out.end())
            throw Error(path + ": the candidate \"" + c.toString() + "\" is listed twice");
        out.push_back(c.toString());
    }
    return out;
}

bool DatasetEvaluation::pointingHit(const std::vector<float> &patchScores, int rows, int cols, int imageWidth,
                                    int imageHeight, const std::vector<std::array<float, 4>> &boxes)
{
    if (patchScores.empty() || rows <= 0 || cols <= 0)
        return false;
    const auto best = std::max_element(patchScores.begin(), patchScores.end());
    const int index = static_cast<int>(best - patchScores.begin());
    const double cx = (index % cols + 0.5) * imageWidth / cols;
    const double cy = (index / cols + 0.5) * imageHeight / rows;
    for (const auto &b : boxes) {
        if (cx >= b[0] && cx < b[2] && cy >= b[1] && cy < b[3])
            return true;
    }
    return false;
}

EvaluationReport DatasetEvaluation::run(const std::shared_ptr<ModelBundle> &bundle, const std::string &folder,
                                        const std::vector<Method> &methods, const Progress &progress, int limit,
                                        bool curves)
{
    const std::vector<EvalSample> samples = readDataset(folder);
    const std::vector<std::string> candidates = readCandidates(folder);
    const Manifest &manifest = bundle->manifest();
    const bool matching = manifest.task == Task::Matching;
    if (!candidates.empty() && !(matching && manifest.readsImage() && manifest.readsText()))
        throw Error(folder + "/dataset.json lists candidate captions, which only an image-text matching model ranks; "
                             "this model is no such model");
    EvaluationReport report;
    report.model = bundle->path();
    report.data = folder;
    report.scored = !matching || !candidates.empty();
    if (matching && bundle->manifest().matchScore == MatchScore::Logit)
        report.curveScore = "logit";
    else if (matching && bundle->manifest().matchScore == MatchScore::Cosine)
        report.curveScore = "cosine";
    report.candidates = static_cast<int>(candidates.size());
    for (Method m : methods) {
        MethodScore score;
        score.method = m;
        report.methods.push_back(score);
    }
    const int total = limit < 0 ? static_cast<int>(samples.size())
                                : std::min(limit, static_cast<int>(samples.size()));
    // No accuracy of 0.0% for nothing measured.
    if (samples.empty())
        throw Error(folder + ": the data set has no samples (dataset.json's \"samples\" is empty)");
    if (total <= 0)
        throw Error("--limit " + std::to_string(limit) + " leaves no sample to evaluate");
    // Several questions share an image: decode each image once.
    std::string decodedPath;
    RgbImage decoded;
    for (int i = 0; i < total; ++i) {
        const EvalSample &sample = samples[static_cast<size_t>(i)];
        const std::string imagePath = folder + "/" + sample.image;
        if (imagePath != decodedPath) {
            decoded = ImageDecoder::decodeFile(imagePath);
            decodedPath = imagePath;
        }
        if (manifest.readsText() && sample.question.empty() && candidates.empty())
            throw Error(folder + "/dataset.json: sample " + std::to_string(i) + " has no \"question\", and the model "
                                 "reads text");
        // Zero-shot: the image with its answer caption is what is explained.
        const std::string &text = candidates.empty() || !sample.question.empty() ? sample.question : sample.answer;
        ModelInput input = InputLoader::fromImage(manifest, decoded, manifest.readsText() ? text : std::string());
        input.imagePath = imagePath;
        bool correct = false;
        if (!candidates.empty()) {
            if (std::find(candidates.begin(), candidates.end(), sample.answer) == candidates.end())
                throw Error(folder + "/dataset.json: sample " + std::to_string(i) + "'s answer \"" + sample.answer
                            + "\" is not one of the candidate captions");
            correct = ZeroShot::rank(*bundle, input, candidates).front().caption == sample.answer;
        }
        auto run = InferenceEngine::run(bundle, input);
        const int predicted = run->prediction().predicted;
        if (candidates.empty())
            correct = !matching && predicted < static_cast<int>(manifest.labels.size())
                      && manifest.labels[static_cast<size_t>(predicted)] == sample.answer;
        ++report.samples;
        report.correct += correct ? 1 : 0;
        auto &byType = report.accuracyByType[sample.type];
        byType[0] += correct ? 1 : 0;
        byType[1] += 1;
        for (MethodScore &score : report.methods) {
            Explanation e;
            try {
                MethodOptions options;
                options.method = score.method;
                e = Explainer::explain(*run, options);
            } catch (const Error &) {
                ++score.failures;
                continue;
            }
            if (!e.hasPatchScores())
                continue;
            if (!sample.boxes.empty()) {
                const bool hit = pointingHit(e.patchScores, e.gridRows, e.gridCols, input.source.width,
                                             input.source.height, sample.boxes);
                score.pointingHits += hit ? 1 : 0;
                score.pointingTotal += 1;
                auto &t = score.pointingByType[sample.type + (sample.answer.empty() ? "" : ":" + sample.answer)];
                t[0] += hit ? 1 : 0;
                t[1] += 1;
            }
            if (!curves)
                continue; // 2 x 10 forward passes per method and sample
            score.positiveAucSum += PerturbationTest::run(*bundle, input, e.target, e, Modality::Image, true).auc;
            score.negativeAucSum += PerturbationTest::run(*bundle, input, e.target, e, Modality::Image, false).auc;
            score.aucSamples += 1;
        }
        if (progress)
            progress(i + 1, total);
    }
    return report;
}

Json EvaluationReport::toJson() const
{
    Json out = Json::object();
    out.set("model", model);
    out.set("data", data);
    out.set("samples", samples);
    out.set("accuracy", scored ? Json(accuracy()) : Json());
    if (candidates > 0)
        out.set("zero_shot_candidates", candidates);
    out.set("curve_score", curveScore);
    Json types = Json::object();
    for (const auto &[type, counts] : accuracyByType) {
        if (!scored)
            break;
        Json t = Json::object();
        t.set("correct", counts[0]);
        t.set("total", counts[1]);
        t.set("accuracy", counts[1] ? double(counts[0]) / counts[1] : 0.0);
        types.set(type, t);
    }
    out.set("accuracy_by_type", types);
    Json ms = Json::object();
    for (const MethodScore &s : methods) {
        Json m = Json::object();
        m.set("pointing_game", s.pointing());
        m.set("pointing_hits", s.pointingHits);
        m.set("pointing_total", s.pointingTotal);
        Json pt = Json::object();
        for (const auto &[type, counts] : s.pointingByType) {
            Json t = Json::object();
            t.set("hits", counts[0]);
            t.set("total", counts[1]);
            t.set("pointing_game", counts[1] ? double(counts[0]) / counts[1] : 0.0);
            pt.set(type, t);
        }
        m.set("pointing_by_type", pt);
        m.set("positive_auc", s.positiveAuc());
        m.set("negative_auc", s.negativeAuc());
        m.set("auc_samples", s.aucSamples);
        m.set("failures", s.failures);
        ms.set(methodName(s.method), m);
    }
    out.set("methods", ms);
    return out;
}

std::string EvaluationReport::table() const
{
    std::string out;
    char line[1024];
    if (scored) {
        std::snprintf(line, sizeof line, "model: %s\ndata:  %s\nsamples: %d   accuracy: %.1f%%%s\n", model.c_str(),
                      data.c_str(), samples, 100.0 * accuracy(),
                      candidates > 0 ? (" (zero-shot over " + std::to_string(candidates) + " candidate captions)").c_str()
                                     : "");
    } else {
        std::snprintf(line, sizeof line, "model: %s\ndata:  %s\nsamples: %d   accuracy: - (a matching model's answers "
                      "are checked against candidate captions: list them as \"candidates\" in dataset.json)\n",
                      model.c_str(), data.c_str(), samples);
    }
    out += line;
    for (const auto &[type, counts] : accuracyByType) {
        if (!scored)
            break;
        std::snprintf(line, sizeof line, "  %-24s %5.1f%%  (%d/%d)\n", type.c_str(),
                      counts[1] ? 100.0 * counts[0] / counts[1] : 0.0, counts[0], counts[1]);
        out += line;
    }
    std::snprintf(line, sizeof line, "\n%-10s %14s %14s %14s\n", "method", "pointing game", "positive AUC",
                  "negative AUC");
    out += line;
    auto area = [](double value) {
        char text[32];
        std::snprintf(text, sizeof text, "%14.4f", value);
        return std::isnan(value) ? std::string(13, ' ') + "-" : std::string(text);
    };
    for (const MethodScore &s : methods) {
        std::snprintf(line, sizeof line, "%-10s %13.1f%% %s %s\n", methodName(s.method), 100.0 * s.pointing(),
                      area(s.positiveAuc()).c_str(), area(s.negativeAuc()).c_str());
        out += line;
    }
    out += "(positive AUC: lower is more faithful; negative AUC: higher is more faithful)\n";
    if (curveScore != "probability")
        out += "(the curves follow the model's score, a " + curveScore
               + ", not a probability: the areas are in its units and can be below 0 or above 1)\n";
    return out;
}

} // namespace attnscope::core
