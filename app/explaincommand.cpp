#include "app/explaincommand.h"

#include "app/modeloptions.h"
#include "app/watchdog.h"
#include "core/io/atomicfile.h"
#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/errormessage.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/attentionsinks.h"
#include "core/explain/explainer.h"
#include "core/explain/streamlayout.h"
#include "core/explain/zeroshot.h"
#include "core/explain/modalityweights.h"
#include "core/explain/perturbationtest.h"
#include "core/explain/trustcheck.h"
#include "core/image/imagedecoder.h"
#include "core/image/imagepreprocessor.h"
#include "core/io/explanationjson.h"
#include "core/io/modelcard.h"
#include "core/io/npywriter.h"
#include "core/io/pngwriter.h"
#include "core/io/regularfile.h"
#include "core/io/sha256.h"
#include "core/io/textfile.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"
#include "ui/export/qtimages.h"
#include "ui/export/reportwriter.h"

#include <QGuiApplication>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace attnscope::app {

using namespace attnscope::core;

namespace {

/// One choice among a few words, or UsageError naming them.
std::string oneOf(const CommandOptions &o, const char *option, const std::string &fallback,
                  std::initializer_list<const char *> choices, const char *say)
{
    const std::string value = o.get(option, fallback);
    for (const char *choice : choices) {
        if (value == choice)
            return value;
    }
    throw UsageError{std::string(option) + " must be " + say + ", not \"" + value + "\""};
}

void note(const std::string &text)
{
    if (!text.empty())
        std::cerr << "attnscope: note: " << text << "\n";
}

} // namespace

ExplainCommand::ExplainCommand(const std::vector<std::string> &args)
    : m_options(args, "explain", explainOptions())
{
    if (!m_options.positional().empty())
        throw UsageError{"unexpected argument \"" + m_options.positional()[0] + "\""};
    m_out = m_options.require("--out");
}

ExplainCommand::~ExplainCommand() = default;

int ExplainCommand::run()
{
    const Watchdog watchdog(m_options, 1800, "explain");
    readSession();
    readOptions();
    checkSession();
    openModel();
    readInput();
    m_run = InferenceEngine::run(m_bundle, m_input);

    std::error_code ec;
    std::filesystem::create_directories(m_out, ec);
    if (ec)
        throw Error(m_out + ": cannot create the output folder (" + ec.message() + ")");
    const Manifest &m = m_bundle->manifest();
    Json result = Json::object();
    Json model = Json::object();
    model.set("name", m.name);
    model.set("path", m_bundle->path());
    model.set("device", m_bundle->deviceName());
    result.set("model", model);
    result.set("input", describeInput());
    result.set("prediction", ExplanationJson::prediction(m_run->prediction()));
    {
        const StreamLayout layout(m, m_input.text);
        const std::vector<AttentionSink> sinks = AttentionSinks::find(*m_run);
        result.set("attention_sinks", ExplanationJson::sinks(sinks, layout));
        note(AttentionSinks::describe(sinks, [&](const AttentionSink &s) {
            return layout.tokens()[static_cast<size_t>(layout.streamOffset(s.stream) + s.index)].label;
        }));
    }
    if (m_zeroShot.isArray())
        result.set("zero_shot", m_zeroShot); // every candidate, best first; the explained one is input.text
    const Json methods = explainMethods();

    // Relevance shares need the relevance method, even when it was not asked for.
    const Explanation *relevance = nullptr;
    for (const Explanation &e : m_explanations) {
        if (e.method == Method::Relevance)
            relevance = &e;
    }
    Explanation relevanceForShares;
    const Explanation *shares = relevance;
    if (!relevance && m_bundle->gradientsReachable()) {
        MethodOptions options = m_base;
        options.method = Method::Relevance;
        relevanceForShares = Explainer::explain(*m_run, options);
        shares = &relevanceForShares;
    }
    const int explained = m_base.target < 0 ? m_run->prediction().predicted : m_base.target;
    result.set("target", Json(Json::Object{{"index", Json(explained)}, {"label", Json(m.labels[static_cast<size_t>(explained)])}}));
    const ModalityWeights weights = ModalityWeights::compute(*m_run, explained, shares);
    result.set("modality_weights", ExplanationJson::modalityWeights(weights));
    result.set("methods", methods);
    AtomicFile::write(m_out + "/explanation.json", result.dump(1) + "\n");
    if (m_options.has("--report")) {
        if (m_explanations.empty())
            throw Error("no method could explain this input, so there is no report to write");
        // Relevance when it was asked for, else the first method.
        writeReport(relevance ? *relevance : m_explanations.front(), weights);
    }

    const Prediction &p = m_run->prediction();
    note(nearChanceNote(p));
    const auto overlays = std::count_if(m_explanations.begin(), m_explanations.end(),
                                        [](const Explanation &e) { return e.hasPatchScores(); });
    std::printf("%s: \"%s\" (%s) - wrote %s/explanation.json and %zu overlay(s)\n", m.name.c_str(),
                p.label(p.predicted).c_str(), p.formatScore(p.probability(p.predicted)).c_str(), m_out.c_str(),
                static_cast<size_t>(overlays));
    return 0;
}

void ExplainCommand::readSession()
{
    // A session brings its model, image, text and method; the options still
    // choose everything else.
    if (m_options.has("--session")) {
        for (const char *option : {"--model", "--image", "--text", "--text-file"})
            if (m_options.has(option))
                throw UsageError{std::string("--session brings its own model, image and text: drop ") + option};
        const std::string path = m_options.get("--session");
        m_session = Session::parse(TextFile::read(path, size_t(256) << 20), path);
        m_sessionFolder = std::filesystem::path(path).parent_path().string();
    }
    if (m_options.has("--text") && m_options.has("--text-file"))
        throw UsageError{"give --text or --text-file, not both"};
    // A bad value inside the session file is a bad file (exit 1, naming it),
    // not a bad command line; refused as the window refuses it, even where
    // an option would override the value.
    if (m_session) {
        try {
            ModelOptions::methods(m_session->method);
            Colormap::parse(m_session->colormap);
        } catch (const UsageError &e) {
            throw Error(m_options.get("--session") + ": " + e.message);
        } catch (const Error &e) {
            throw Error(m_options.get("--session") + ": " + e.what());
        }
    }
}

void ExplainCommand::readOptions()
{
    const CommandOptions &o = m_options;
    const Session *s = m_session ? &*m_session : nullptr;
    m_methods = ModelOptions::methods(o.get("--method", s ? s->method : "all"));
    m_base.startLayer = o.integer("--start-layer", 0);
    m_base.attention = o.integer("--attention", s ? s->attention : -1);
    const std::string head = o.get("--head", "mean");
    if (head == "mean" || head == "max" || head == "min") {
        m_base.reduction = parseHeadReduction(head);
    } else {
        m_base.head = o.integer("--head", -1);
        if (m_base.head < 0)
            throw UsageError{"--head needs a head number (0, 1, ...) or mean, max or min"};
    }
    m_base.fusion = parseHeadReduction(oneOf(o, "--fusion", s ? s->fusion : "mean", {"mean", "max", "min"}, "mean, max or min"));
    m_base.discardRatio = o.number("--discard-ratio", s ? s->discardRatio : 0.0);
    if (m_base.discardRatio < 0 || m_base.discardRatio >= 1)
        throw UsageError{"--discard-ratio must be at least 0 and below 1"};
    try {
        m_colormap = Colormap::parse(o.get("--colormap", s ? s->colormap : "viridis"));
    } catch (const Error &e) {
        throw UsageError{e.what()};
    }
    m_opacity = o.number("--opacity", s ? s->opacity : 0.5);
    if (m_opacity < 0 || m_opacity > 1)
        throw UsageError{"--opacity must be between 0 and 1"};
    m_overlay = oneOf(o, "--overlay", s ? s->overlay : "spotlight", {"spotlight", "blend"}, "spotlight or blend");
    const std::string interpolation = o.get("--interpolation", "bilinear");
    if (interpolation != "bilinear" && interpolation != "nearest")
        throw UsageError{"--interpolation must be bilinear or nearest"};
    m_interpolation = interpolation;
}

std::string ExplainCommand::besideSession(const std::string &file) const
{
    const std::filesystem::path p(file);
    return p.is_absolute() || m_sessionFolder.empty() ? file : (std::filesystem::path(m_sessionFolder) / p).string();
}

void ExplainCommand::checkSession() const
{
    if (!m_session)
        return;
    const Session &s = *m_session;
    if (!s.imageData.empty() && !s.imageSha256.empty() && Sha256::hex(s.imageData) != s.imageSha256)
        throw Error(m_options.get("--session") + ": the image embedded in the session is damaged (its SHA-256 does not match)");
    if (!s.modelSha256.empty() && Sha256::ofFile(besideSession(s.modelPath)) != s.modelSha256)
        note("the model file " + besideSession(s.modelPath)
             + " has changed since the session was saved (its SHA-256 differs): the explanations may differ from the saved ones");
}

void ExplainCommand::openModel()
{
    m_bundle = ModelBundle::load(m_session ? besideSession(m_session->modelPath) : m_options.require("--model"),
                                 ModelOptions::device(m_options));
    for (const std::string &text : m_bundle->notes())
        note(text);
    const Manifest &m = m_bundle->manifest();
    m_base.target = ModelOptions::target(m_options, m);
    ModelOptions::check(m_options, m_base, *m_bundle);
    if (m_session && !m_options.has("--target")) {
        if (m_session->target >= static_cast<int>(m.labels.size()) && !m.labels.empty())
            throw Error(m_options.get("--session") + ": target label " + std::to_string(m_session->target)
                        + " is out of range (the model has " + std::to_string(m.labels.size()) + " labels)");
        m_base.target = m_session->target;
    }
}

void ExplainCommand::readInput()
{
    const Manifest &m = m_bundle->manifest();
    if (m_session && !m_session->imageData.empty()) {
        m_input = InputLoader::fromImage(m, ImageDecoder::decodeBytes(m_session->imageData, "the session's embedded image"),
                                         m_session->text);
        m_input.imagePath = m_session->imagePath;
        return;
    }
    if (m_session) {
        m_input = InputLoader::load(m, besideSession(m_session->imagePath), m_session->text);
        return;
    }
    // Exactly the inputs the model takes: a missing one or one it would
    // ignore is a mistake on the command line (exit 2).
    const std::string model = m_options.get("--model");
    const std::vector<std::string> candidates = readCandidates();
    const bool hasText = m_options.has("--text") || m_options.has("--text-file") || !candidates.empty();
    const bool hasPair = m_options.has("--text-pair") || m_options.has("--text-pair-file");
    if (m.readsImage() && !m_options.has("--image"))
        throw UsageError{model + " takes an image: give --image"};
    if (!m.readsImage() && m_options.has("--image"))
        throw UsageError{model + " takes no image: leave out --image"};
    if (m.readsText() && !hasText)
        throw UsageError{model + " reads text: give --text or --text-file"};
    if (!m.readsText() && hasText)
        throw UsageError{model + " reads no text: leave out --text and --text-file"};
    if (m.text.pair && !hasPair)
        throw UsageError{model + " reads a pair of texts: give --text-pair (or --text-pair-file) as well"};
    if (hasPair && !m.readsPairs())
        throw UsageError{model + " reads one text, not a pair: leave out --text-pair"};
    if (m_options.has("--text-pair") && m_options.has("--text-pair-file"))
        throw UsageError{"give --text-pair or --text-pair-file, not both"};
    const bool typed = m_options.has("--text") || m_options.has("--text-file");
    const std::string text = typed ? textOption("--text", "--text-file") : std::string();
    const std::string pair = hasPair ? textOption("--text-pair", "--text-pair-file") : std::string();
    m_input = InputLoader::load(m, m.readsImage() ? m_options.get("--image") : std::string(), text, pair);
    if (!candidates.empty())
        rankCandidates(candidates, text);
}

std::vector<std::string> ExplainCommand::readCandidates() const
{
    std::vector<std::string> captions = m_options.all("--candidate");
    if (m_options.has("--candidates-file")) {
        const std::string file = m_options.get("--candidates-file");
        RegularFile::require(file, "candidates");
        for (const std::string &line : TextFile::lines(TextFile::read(file, InputLoader::kMaxTextBytes))) {
            if (!line.empty())
                captions.push_back(line);
        }
        if (captions.empty())
            throw Error(file + ": holds no candidate caption (one per line)");
    }
    if (!captions.empty() && m_bundle->manifest().task != Task::Matching)
        throw UsageError{m_options.get("--model") + " is no matching model: --candidate is for zero-shot ranking "
                         "with a CLIP-like model"};
    return captions;
}

void ExplainCommand::rankCandidates(const std::vector<std::string> &captions, const std::string &chosen)
{
    const Manifest &m = m_bundle->manifest();
    const std::vector<ZeroShotCandidate> ranked = ZeroShot::rank(*m_bundle, m_input, captions);
    m_zeroShot = Json::array();
    std::printf("zero-shot ranking of %zu candidate caption(s) by the model's %s:\n", ranked.size(),
                m.matchScore == MatchScore::Cosine ? "cosine" : m.matchScore == MatchScore::Logit ? "logit" : "score");
    for (size_t i = 0; i < ranked.size(); ++i) {
        const ZeroShotCandidate &c = ranked[i];
        Json j = Json::object();
        j.set("caption", sanitizeUtf8(c.caption));
        j.set("score", static_cast<double>(c.score));
        if (c.probability >= 0.0f)
            j.set("probability", static_cast<double>(c.probability)); // softmax over the candidates
        j.set("truncated", c.truncated);
        Json unknown = Json::array();
        for (const std::string &word : c.unknownWords)
            unknown.push(word);
        j.set("unknown_words", unknown);
        m_zeroShot.push(j);
        std::printf("%4zu  %10.4f  %s%s\n", i + 1, static_cast<double>(c.score),
                    c.probability >= 0.0f ? (std::to_string(std::lround(100.0 * c.probability)) + "%  ").c_str() : "",
                    sanitizeUtf8(c.caption).c_str());
    }
    // The best caption is explained, unless --text names the one to explain.
    if (chosen.empty())
        m_input = InputLoader::fromImage(m, m_input.source, ranked.front().caption);
    m_input.imagePath = m_options.get("--image");
}

std::string ExplainCommand::textOption(const char *option, const char *fileOption) const
{
    // A file: any bytes, read as they are (the tokenizer makes them safe).
    if (!m_options.has(fileOption))
        return m_options.get(option);
    const std::string file = m_options.get(fileOption);
    const uint64_t size = RegularFile::require(file, "text");
    if (size > InputLoader::kMaxTextBytes)
        throw Error(file + ": the text is " + std::to_string(size / 1000) + " kB long; AttnScope reads at most "
                    + std::to_string(InputLoader::kMaxTextBytes >> 20) + " MB of text");
    return TextFile::read(file, InputLoader::kMaxTextBytes);
}

Json ExplainCommand::describeInput() const
{
    const Manifest &m = m_bundle->manifest();
    const ModelInput &input = m_input;
    Json in = Json::object();
    in.set("inputs", m.inputsJson());
    std::string imageNote;
    if (m.readsImage()) {
        in.set("image", input.imagePath);
        in.set("image_size", Json(Json::Array{input.source.height, input.source.width}));
        imageNote = ImagePreprocessor::fitNote(input.source.width, input.source.height, m.image);
        in.set("image_note", imageNote);
        const InputRegion region = ImagePreprocessor::region(input.source.width, input.source.height, m.image);
        // Where the patch grid lies on the image, in its pixels (a crop's
        // window, a padded input's larger frame): [x, y, width, height].
        in.set("input_region", Json(Json::Array{region.x * input.source.width, region.y * input.source.height,
                                                region.width * input.source.width, region.height * input.source.height}));
    }
    if (m.readsText()) {
        in.set("text", sanitizeUtf8(input.rawText));
        if (m.text.pair || !input.rawPair.empty())
            in.set("text_pair", sanitizeUtf8(input.rawPair));
        in.set("tokens", ExplanationJson::tokens(input.text));
        in.set("words", input.text.wordCount);
        in.set("truncated_words", input.text.droppedWords);
        if (m.text.subword())
            in.set("truncated_pieces", input.text.droppedPieces);
        Json unknownWords = Json::array();
        for (const std::string &word : input.text.unknownWords())
            unknownWords.push(word);
        in.set("unknown_words", unknownWords);
    }
    for (const ModelCard::Limit &limit : ModelCard::forModel(m_bundle->path()).limitsFor(input.rawText))
        note("known limit of this model (its card): " + limit.text);
    note(imageNote);
    note(input.text.unknownWordsNote(m.text.unkToken));
    if (input.text.truncated() || input.text.droppedPieces > 0)
        note("the text was cut to the model's " + std::to_string(m.text.maxLength) + " tokens ("
             + std::to_string(input.text.droppedWords) + " words dropped"
             + (m.text.subword() ? ", " + std::to_string(input.text.droppedPieces) + " pieces" : std::string()) + ")");
    return in;
}

Json ExplainCommand::explainMethods()
{
    Json methods = Json::object();
    m_explanations.reserve(m_methods.size());
    for (Method method : m_methods) {
        MethodOptions options = m_base;
        options.method = method;
        try {
            m_explanations.push_back(Explainer::explain(*m_run, options));
        } catch (const Error &e) {
            std::cerr << "attnscope: " << methodName(method) << ": " << e.what() << "\n";
            methods.set(methodName(method), Json(Json::Object{{"error", Json(e.what())}}));
            continue;
        }
        methods.set(methodName(method), explainOne(m_explanations.back()));
    }
    return methods;
}

Json ExplainCommand::explainOne(const Explanation &e)
{
    Json j = ExplanationJson::explanation(e, true);
    // The same numbers as arrays for numpy.load.
    const std::string stem = m_out + "/" + methodName(e.method);
    if (e.hasPatchScores())
        NpyWriter::write(stem + "_patches.npy", {e.gridRows, e.gridCols}, e.patchScores);
    if (e.hasTokenScores())
        NpyWriter::write(stem + "_tokens.npy", {static_cast<int>(e.tokenScores.size())}, e.tokenScores);
    if (!e.matrix.empty())
        NpyWriter::write(stem + "_matrix.npy", {e.matrix.rows(), e.matrix.cols()}, e.matrix.values());
    const RgbImage &source = m_input.source;
    if (e.hasPatchScores()) {
        const InputRegion region = ImagePreprocessor::region(source.width, source.height, m_bundle->manifest().image);
        const std::vector<float> heat = Heatmap::upsample(
            Heatmap::normalize(e.patchScores), e.gridRows, e.gridCols, source.width, source.height,
            m_interpolation == "nearest" ? Interpolation::Nearest : Interpolation::Bilinear, region);
        const std::string png = stem + ".png";
        const float opacity = static_cast<float>(m_opacity);
        PngWriter::write(m_overlay == "blend" ? Overlay::blend(source, heat, Colormap::get(m_colormap), opacity)
                                              : Overlay::spotlight(source, heat, opacity),
                         png);
        j.set("overlay_png", png);
        Json curves = Json::array();
        for (bool positive : {true, false}) {
            FaithfulnessCurve c;
            c.method = e.method;
            c.curve = PerturbationTest::run(*m_bundle, m_input, e.target, e, Modality::Image, positive);
            curves.push(ExplanationJson::curve(c.curve));
            m_faithfulness.push_back(std::move(c));
        }
        j.set("perturbation", curves);
    }
    const TrustCheck trust = TrustCheck::run(*m_bundle, m_input, e.target, e, e.hasPatchScores() ? Modality::Image : Modality::Text);
    Json t = Json::object();
    t.set("verdict", TrustCheck::verdictName(trust.verdict));
    t.set("sentence", trust.sentence());
    if (trust.removed > 0) {
        t.set("hidden_fraction", static_cast<double>(TrustCheck::kFraction));
        t.set("probability", static_cast<double>(trust.original));
        t.set("without_most_relevant", static_cast<double>(trust.withoutMostRelevant));
        t.set("without_least_relevant", static_cast<double>(trust.withoutLeastRelevant));
        t.set("without_random", static_cast<double>(trust.withoutRandom));
    }
    j.set("trust", t);
    return j;
}

void ExplainCommand::writeReport(const Explanation &shown, const ModalityWeights &weights) const
{
    // The report is drawn with Qt's PDF writer, which needs an application
    // object for its fonts; no window is shown. A program that already has
    // one (a test running the command in-process) lends it.
    static int argc = 1;
    static char name[] = "attnscope";
    static char *argv[] = {name, nullptr};
    std::unique_ptr<QGuiApplication> app;
    if (!QCoreApplication::instance()) {
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    }
    const Manifest &m = m_bundle->manifest();
    const ModelInput &input = m_input;
    ui::ExplainResult r;
    r.modelName = QString::fromStdString(m.name);
    r.deviceName = QString::fromStdString(m_bundle->deviceName());
    r.modelPath = QString::fromStdString(m_bundle->path());
    r.imagePath = QString::fromStdString(input.imagePath);
    r.text = QString::fromStdString(sanitizeUtf8(input.rawText));
    r.prediction = m_run->prediction();
    r.explanation = shown;
    r.modality = weights;
    r.faithfulness = m_faithfulness;
    r.image = ui::QtImages::toQImage(input.source);
    r.setText(input.text);
    r.unknownNote = QString::fromStdString(input.text.unknownWordsNote(m.text.unkToken));
    r.chanceNote = QString::fromStdString(nearChanceNote(r.prediction));
    r.trust = TrustCheck::run(*m_bundle, input, shown.target, shown, shown.hasPatchScores() ? Modality::Image : Modality::Text);
    const std::string path = m_options.get("--report");
    ui::ReportWriter::write(ui::ReportWriter::Content::of(r), QString::fromStdString(path));
    std::printf("wrote the report %s\n", path.c_str());
}

} // namespace attnscope::app
