#include "app/cli.h"
#include "app/commandline.h"

#include "core/explain/faithfulnessareas.h"
#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/errormessage.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/explain/modalityweights.h"
#include "core/explain/perturbationtest.h"
#include "core/explain/trustcheck.h"
#include "core/io/npywriter.h"
#include "core/io/datasetevaluation.h"
#include "core/image/imagedecoder.h"
#include "core/image/imagepreprocessor.h"
#include "core/io/explanationjson.h"
#include "core/io/modelcard.h"
#include "core/io/regularfile.h"
#include "core/io/sessionfile.h"
#include "core/io/sha256.h"
#include "core/io/inputloader.h"
#include "core/io/pngwriter.h"
#include "core/io/textfile.h"
#include "core/render/colormap.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"
#include "ui/export/qtimages.h"
#include "ui/export/reportwriter.h"

#include <QGuiApplication>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <chrono>
#include <cstdlib>

#include <unistd.h>

namespace attnscope::app {

using namespace attnscope::core;

namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;

using Options = CommandOptions;

std::vector<Method> parseMethods(const std::string &text)
{
    if (text.empty() || text == "all")
        return allMethods();
    std::vector<Method> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
            out.push_back(parseMethod(name));
        } catch (const Error &e) {
            throw UsageError{e.what()};
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

DeviceChoice deviceOption(const Options &o)
{
    try {
        return parseDeviceChoice(o.get("--device", "auto"));
    } catch (const Error &e) {
        throw UsageError{e.what()};
    }
}

/// A limit on the whole command: a model whose forward pass never returns
/// (a loop in its TorchScript) cannot be interrupted from outside, so after
/// `--time-limit` seconds (0: none) a watchdog says so and ends the process
/// with exit code 1.
void startWatchdog(const Options &o, int defaultSeconds, const std::string &command)
{
    const double seconds = o.number("--time-limit", defaultSeconds);
    if (!(seconds >= 0) || seconds > 7 * 24 * 3600.0)
        throw UsageError{"--time-limit must be a number of seconds up to a week (0 for none)"};
    if (seconds == 0)
        return;
    std::thread([seconds, command] {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        std::fprintf(stderr,
                     "attnscope: error: %s did not finish within %g s (--time-limit): the model's forward pass may "
                     "never return; stopped\n",
                     command.c_str(), seconds);
        std::fflush(stderr);
        std::_Exit(kFailed);
    }).detach();
}

/// `index:N`, `label:NAME`, or a plain value that can mean only one of them.
int target(const Options &o, const Manifest &m)
{
    if (!o.has("--target"))
        return -1;
    const std::string t = o.get("--target");
    const int labels = static_cast<int>(m.labels.size());
    auto labelIndex = [&](const std::string &name) {
        for (int i = 0; i < labels; ++i) {
            if (m.labels[static_cast<size_t>(i)] == name)
                return i;
        }
        return -1;
    };
    auto indexOf = [&](const std::string &digits) {
        int index = -1;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        return error == std::errc() && end == digits.data() + digits.size() && index >= 0 && index < labels ? index : -1;
    };
    const std::string range = "0 to " + std::to_string(labels - 1);
    if (t.rfind("index:", 0) == 0) {
        const int index = indexOf(t.substr(6));
        if (index < 0)
            throw UsageError{"--target " + t + ": the model's label indices are " + range};
        return index;
    }
    if (t.rfind("label:", 0) == 0) {
        const int index = labelIndex(t.substr(6));
        if (index < 0)
            throw UsageError{"--target " + t + ": the model has no label \"" + t.substr(6) + "\""};
        return index;
    }
    const int byLabel = labelIndex(t), byIndex = indexOf(t);
    if (byLabel >= 0 && byIndex >= 0 && byLabel != byIndex)
        throw UsageError{"--target " + t + " is ambiguous: say label:" + t + " for the label \"" + t + "\" (index "
                         + std::to_string(byLabel) + ") or index:" + t + " for \"" + m.labels[static_cast<size_t>(byIndex)] + "\""};
    if (byLabel >= 0)
        return byLabel;
    if (byIndex >= 0)
        return byIndex;
    throw UsageError{"--target " + t + " is neither a label of the model nor a label index (" + range
                     + "); use label:NAME or index:N"};
}

/// The options that name maps, heads and layers, checked against the model.
void checkAgainstModel(const Options &o, const MethodOptions &base, const ModelBundle &bundle)
{
    const Manifest &m = bundle.manifest();
    const int maps = static_cast<int>(m.attentions.size());
    if (o.has("--attention") && (base.attention < 0 || base.attention >= maps))
        throw UsageError{"--attention " + o.get("--attention") + ": the model returns maps 0 to " + std::to_string(maps - 1)};
    if (base.attention >= maps) // from a session: a bad file, not a bad command line
        throw Error("the session's attention map " + std::to_string(base.attention) + " does not exist (the model returns maps 0 to "
                    + std::to_string(maps - 1) + ")");
    if (base.head >= 0) {
        // The map raw attention shows: the one asked for, else any (the
        // default map is chosen per run): the head must exist in each.
        const std::vector<int> &heads = bundle.headCounts();
        int count = 0;
        if (base.attention >= 0)
            count = heads[static_cast<size_t>(base.attention)];
        else if (!heads.empty())
            count = *std::min_element(heads.begin(), heads.end());
        if (base.head >= count)
            throw UsageError{"--head " + o.get("--head") + ": the maps have heads 0 to " + std::to_string(count - 1)
                             + " (or use mean, max or min)"};
    }
    if (o.has("--start-layer") && (base.startLayer < 0 || base.startLayer >= m.layerCount()))
        throw UsageError{"--start-layer " + o.get("--start-layer") + ": the model has layers 0 to "
                         + std::to_string(m.layerCount() - 1)};
}

int cmdInfo(const std::vector<std::string> &args)
{
    const Options o(args, "info", infoOptions());
    startWatchdog(o, 600, "info");
    if (o.positional().size() != 1)
        throw UsageError{"info needs exactly one model file"};
    const auto bundle = ModelBundle::load(o.positional()[0], deviceOption(o));
    const Json d = bundle->describe();
    if (o.has("--json")) {
        std::cout << d.dump(2) << "\n";
        return 0;
    }
    const Manifest &m = bundle->manifest();
    std::cout << "model:       " << m.name << "\n";
    if (!m.description.empty())
        std::cout << "description: " << m.description << "\n";
    std::cout << "file:        " << bundle->path() << "\n"
              << "task:        " << (m.task == Task::Classification ? "classification" : "matching") << " ("
              << m.labels.size() << " labels)\n"
              << "image:       " << m.image.height << "x" << m.image.width << " pixels\n";
    if (m.text.maxLength > 0)
        std::cout << "text:        " << m.text.tokenizer << " tokenizer, " << m.text.vocab.size() << " words, up to "
                  << m.text.maxLength << " tokens\n";
    std::cout << "layers:      " << m.layerCount() << " (" << m.attentions.size() << " attention maps)\n";
    for (const auto &s : m.streams) {
        std::cout << "stream " << s.name << " (" << s.length() << " tokens):";
        for (const auto &g : s.segments) {
            std::cout << " " << g.name << "[" << modalityName(g.modality) << " " << g.length;
            if (g.modality == Modality::Image)
                std::cout << " = " << g.gridRows << "x" << g.gridCols;
            std::cout << "]";
        }
        std::cout << "\n";
    }
    for (size_t i = 0; i < m.attentions.size(); ++i) {
        const auto &a = m.attentions[i];
        std::cout << "  map " << i << ": layer " << a.layer << " " << (a.kind == AttentionKind::Self ? "self " : "cross")
                  << " " << m.streams[static_cast<size_t>(a.queryStream)].name << " -> "
                  << m.streams[static_cast<size_t>(a.keyStream)].name << ", " << bundle->headCounts()[i] << " heads\n";
    }
    std::cout << "decision:   ";
    for (const DecisionToken &token : m.decisions)
        std::cout << " token " << token.index << " of stream " << m.streams[static_cast<size_t>(token.stream)].name << ";";
    std::cout << "\n";
    if (m.gates)
        std::cout << "gates:       learned modality gates in output \"" << m.gates->output << "\"\n";
    if (m.attentionInputs)
        std::cout << "teaching:    queries, keys" << (m.attentionInputs->values.empty() ? "" : " and values")
                  << " of every map exported\n";
    std::cout << "device:      " << bundle->deviceName() << "\n"
              << "gradients:   " << (bundle->gradientsReachable() ? "reach the attention maps" : "do NOT reach the attention maps (gradient methods unavailable)") << "\n"
              << "valid:       yes (manifest and probe forward pass agree)\n";
    return 0;
}

int cmdExplain(const std::vector<std::string> &args)
{
    const Options o(args, "explain", explainOptions());
    if (!o.positional().empty())
        throw UsageError{"unexpected argument \"" + o.positional()[0] + "\""};
    const std::string out = o.require("--out");
    startWatchdog(o, 1800, "explain");
    // A session brings its model, image, text and method; the options still
    // choose everything else.
    std::optional<Session> session;
    std::string sessionFolder;
    if (o.has("--session")) {
        for (const char *option : {"--model", "--image", "--text", "--text-file"})
            if (o.has(option))
                throw UsageError{std::string("--session brings its own model, image and text: drop ") + option};
        const std::string path = o.get("--session");
        session = Session::parse(TextFile::read(path, size_t(256) << 20), path);
        sessionFolder = std::filesystem::path(path).parent_path().string();
    }
    if (o.has("--text") && o.has("--text-file"))
        throw UsageError{"give --text or --text-file, not both"};
    // A bad value inside the session file is a bad file (exit 1, naming it),
    // not a bad command line; refused as the window refuses it, even where
    // an option would override the value.
    if (session) {
        try {
            parseMethods(session->method);
            Colormap::parse(session->colormap);
        } catch (const UsageError &e) {
            throw Error(o.get("--session") + ": " + e.message);
        } catch (const Error &e) {
            throw Error(o.get("--session") + ": " + e.what());
        }
    }
    const std::vector<Method> methods = parseMethods(o.get("--method", session ? session->method : "all"));
    MethodOptions base;
    base.startLayer = o.integer("--start-layer", 0);
    base.attention = o.integer("--attention", session ? session->attention : -1);
    const std::string head = o.get("--head", "mean");
    if (head == "mean" || head == "max" || head == "min") {
        base.reduction = parseHeadReduction(head);
    } else {
        base.head = o.integer("--head", -1);
        if (base.head < 0)
            throw UsageError{"--head needs a head number (0, 1, ...) or mean, max or min"};
    }
    const std::string fusion = o.get("--fusion", session ? session->fusion : "mean");
    if (fusion != "mean" && fusion != "max" && fusion != "min")
        throw UsageError{"--fusion must be mean, max or min, not \"" + fusion + "\""};
    base.fusion = parseHeadReduction(fusion);
    base.discardRatio = o.number("--discard-ratio", session ? session->discardRatio : 0.0);
    if (base.discardRatio < 0 || base.discardRatio >= 1)
        throw UsageError{"--discard-ratio must be at least 0 and below 1"};
    ColormapKind colormap;
    try {
        colormap = Colormap::parse(o.get("--colormap", session ? session->colormap : "viridis"));
    } catch (const Error &e) {
        throw UsageError{e.what()};
    }
    const double opacity = o.number("--opacity", session ? session->opacity : 0.5);
    if (opacity < 0 || opacity > 1)
        throw UsageError{"--opacity must be between 0 and 1"};
    const std::string overlay = o.get("--overlay", session ? session->overlay : "spotlight");
    if (overlay != "spotlight" && overlay != "blend")
        throw UsageError{"--overlay must be spotlight or blend, not \"" + overlay + "\""};
    const std::string interp = o.get("--interpolation", "bilinear");
    if (interp != "bilinear" && interp != "nearest")
        throw UsageError{"--interpolation must be bilinear or nearest"};

    auto besideSession = [&](const std::string &file) {
        const std::filesystem::path p(file);
        return p.is_absolute() || sessionFolder.empty() ? file : (std::filesystem::path(sessionFolder) / p).string();
    };
    if (session && !session->imageData.empty() && !session->imageSha256.empty()
        && Sha256::hex(session->imageData) != session->imageSha256)
        throw Error(o.get("--session") + ": the image embedded in the session is damaged (its SHA-256 does not match)");
    if (session && !session->modelSha256.empty() && Sha256::ofFile(besideSession(session->modelPath)) != session->modelSha256)
        std::cerr << "attnscope: note: the model file " << besideSession(session->modelPath)
                  << " has changed since the session was saved (its SHA-256 differs): the explanations may differ "
                     "from the saved ones\n";
    const auto bundle = ModelBundle::load(session ? besideSession(session->modelPath) : o.require("--model"),
                                          deviceOption(o));
    const Manifest &m = bundle->manifest();
    base.target = target(o, m);
    checkAgainstModel(o, base, *bundle);
    if (session && !o.has("--target")) {
        if (session->target >= static_cast<int>(m.labels.size()) && !m.labels.empty())
            throw Error(o.get("--session") + ": target label " + std::to_string(session->target)
                        + " is out of range (the model has " + std::to_string(m.labels.size()) + " labels)");
        base.target = session->target;
    }
    ModelInput input;
    if (session && !session->imageData.empty()) {
        input = InputLoader::fromImage(m, ImageDecoder::decodeBytes(session->imageData, "the session's embedded image"),
                                       session->text);
        input.imagePath = session->imagePath;
    } else if (session) {
        input = InputLoader::load(m, besideSession(session->imagePath), session->text);
    } else {
        // --text-file: any bytes, read as they are (the tokenizer makes them safe).
        std::string text;
        if (o.has("--text-file")) {
            const std::string file = o.get("--text-file");
            const uint64_t size = RegularFile::require(file, "text");
            if (size > InputLoader::kMaxTextBytes)
                throw Error(file + ": the text is " + std::to_string(size / 1000) + " kB long; AttnScope reads at most "
                            + std::to_string(InputLoader::kMaxTextBytes >> 20) + " MB of text");
            text = TextFile::read(file, InputLoader::kMaxTextBytes);
        } else {
            text = o.require("--text");
        }
        input = InputLoader::load(m, o.require("--image"), text);
    }
    auto run = InferenceEngine::run(bundle, input);

    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec)
        throw Error(out + ": cannot create the output folder (" + ec.message() + ")");

    Json result = Json::object();
    Json model = Json::object();
    model.set("name", m.name);
    model.set("path", bundle->path());
    model.set("device", bundle->deviceName());
    result.set("model", model);
    Json in = Json::object();
    in.set("image", input.imagePath);
    in.set("image_size", Json(Json::Array{input.source.height, input.source.width}));
    in.set("text", sanitizeUtf8(input.rawText));
    in.set("tokens", ExplanationJson::tokens(input.text));
    in.set("words", input.text.wordCount);
    in.set("truncated_words", input.text.droppedWords);
    Json unknownWords = Json::array();
    for (const std::string &word : input.text.unknownWords())
        unknownWords.push(word);
    in.set("unknown_words", unknownWords);
    const std::string imageNote = ImagePreprocessor::fitNote(input.source.width, input.source.height, m.image);
    in.set("image_note", imageNote);
    const InputRegion region = ImagePreprocessor::region(input.source.width, input.source.height, m.image);
    // Where the patch grid lies on the image, in its pixels (a crop's window,
    // a padded input's larger frame): [x, y, width, height].
    in.set("input_region", Json(Json::Array{region.x * input.source.width, region.y * input.source.height,
                                            region.width * input.source.width, region.height * input.source.height}));
    result.set("input", in);
    result.set("prediction", ExplanationJson::prediction(run->prediction()));
    for (const ModelCard::Limit &limit : ModelCard::forModel(bundle->path()).limitsFor(input.rawText))
        std::cerr << "attnscope: note: known limit of this model (its card): " << limit.text << "\n";
    if (!imageNote.empty())
        std::cerr << "attnscope: note: " << imageNote << "\n";
    const std::string unknownNote = input.text.unknownWordsNote(m.text.unkToken);
    if (!unknownNote.empty())
        std::cerr << "attnscope: note: " << unknownNote << "\n";
    if (input.text.truncated())
        std::cerr << "attnscope: note: the text was cut to the model's " << m.text.maxLength << " tokens ("
                  << input.text.droppedWords << " words dropped)\n";

    Json methodsJson = Json::object();
    const Explanation *relevance = nullptr;
    std::vector<Explanation> explanations;
    explanations.reserve(methods.size());
    std::vector<core::FaithfulnessCurve> faithfulness;
    int explainedTarget = base.target < 0 ? run->prediction().predicted : base.target;
    for (Method method : methods) {
        MethodOptions options = base;
        options.method = method;
        try {
            explanations.push_back(Explainer::explain(*run, options));
        } catch (const Error &e) {
            std::cerr << "attnscope: " << methodName(method) << ": " << e.what() << "\n";
            Json failed = Json::object();
            failed.set("error", e.what());
            methodsJson.set(methodName(method), failed);
            continue;
        }
        const Explanation &e = explanations.back();
        if (method == Method::Relevance)
            relevance = &e;
        Json j = ExplanationJson::explanation(e, true);
        // The same numbers as arrays for numpy.load.
        const std::string stem = out + "/" + methodName(method);
        if (e.hasPatchScores())
            NpyWriter::write(stem + "_patches.npy", {e.gridRows, e.gridCols}, e.patchScores);
        if (e.hasTokenScores())
            NpyWriter::write(stem + "_tokens.npy", {static_cast<int>(e.tokenScores.size())}, e.tokenScores);
        if (!e.matrix.empty())
            NpyWriter::write(stem + "_matrix.npy", {e.matrix.rows(), e.matrix.cols()}, e.matrix.values());
        if (e.hasPatchScores()) {
            const std::vector<float> heat = Heatmap::upsample(Heatmap::normalize(e.patchScores), e.gridRows, e.gridCols,
                                                              input.source.width, input.source.height,
                                                              interp == "nearest" ? Interpolation::Nearest : Interpolation::Bilinear,
                                                              region);
            const std::string png = out + "/" + methodName(method) + ".png";
            PngWriter::write(overlay == "blend" ? Overlay::blend(input.source, heat, Colormap::get(colormap), static_cast<float>(opacity))
                                                : Overlay::spotlight(input.source, heat, static_cast<float>(opacity)),
                             png);
            j.set("overlay_png", png);
            Json curves = Json::array();
            for (bool positive : {true, false}) {
                core::FaithfulnessCurve c;
                c.method = method;
                c.curve = PerturbationTest::run(*bundle, input, e.target, e, Modality::Image, positive);
                curves.push(ExplanationJson::curve(c.curve));
                faithfulness.push_back(std::move(c));
            }
            j.set("perturbation", curves);
        }
        const TrustCheck trust = TrustCheck::run(*bundle, input, e.target, e,
                                                 e.hasPatchScores() ? Modality::Image : Modality::Text);
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
        methodsJson.set(methodName(method), j);
    }
    // Relevance shares need the relevance method, even when it was not asked for.
    Explanation relevanceForShares;
    if (!relevance && bundle->gradientsReachable()) {
        MethodOptions options = base;
        options.method = Method::Relevance;
        relevanceForShares = Explainer::explain(*run, options);
        relevance = &relevanceForShares;
    }
    const Json targetJson = Json(Json::Object{{"index", Json(explainedTarget)},
                                          {"label", Json(m.labels[static_cast<size_t>(explainedTarget)])}});
    result.set("target", targetJson);
    const ModalityWeights weights = ModalityWeights::compute(*run, explainedTarget, relevance);
    result.set("modality_weights", ExplanationJson::modalityWeights(weights));
    result.set("methods", methodsJson);
    TextFile::write(out + "/explanation.json", result.dump(1) + "\n");
    if (o.has("--report")) {
        if (explanations.empty())
            throw Error("no method could explain this input, so there is no report to write");
        // The report is drawn with Qt's PDF writer, which needs an application
        // object for its fonts; no window is shown.
        static int argc = 1;
        static char name[] = "attnscope";
        static char *argv[] = {name, nullptr};
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        ui::ReportWriter::Content content;
        ui::ExplainResult &r = content.result;
        r.modelName = QString::fromStdString(m.name);
        r.deviceName = QString::fromStdString(bundle->deviceName());
        r.modelPath = QString::fromStdString(bundle->path());
        r.imagePath = QString::fromStdString(input.imagePath);
        r.prediction = run->prediction();
        // Relevance when it was asked for (the pointer is into `explanations` then), else the first method.
        r.explanation = relevance && relevance != &relevanceForShares ? *relevance : explanations.front();
        r.modality = weights;
        r.faithfulness = faithfulness;
        r.image = ui::QtImages::toQImage(input.source);
        for (size_t i = 0; i < input.text.tokens.size(); ++i) {
            r.tokens << QString::fromStdString(input.text.tokens[i]);
            r.padding << (input.text.mask[i] == 0);
            r.unknown << (i < input.text.unknown.size() && input.text.unknown[i] != 0);
        }
        r.unknownNote = QString::fromStdString(unknownNote);
        r.chanceNote = QString::fromStdString(nearChanceNote(r.prediction));
        r.trust = TrustCheck::run(*bundle, input, r.explanation.target, r.explanation,
                                  r.explanation.hasPatchScores() ? Modality::Image : Modality::Text);
        content.modelFile = r.modelPath;
        content.cardSummary = ui::ReportWriter::cardSummary(r.modelPath);
        content.text = QString::fromStdString(sanitizeUtf8(input.rawText));
        ui::ReportWriter::write(content, QString::fromStdString(o.get("--report")));
        std::printf("wrote the report %s\n", o.get("--report").c_str());
    }

    const Prediction &p = run->prediction();
    const std::string chance = nearChanceNote(p);
    if (!chance.empty())
        std::cerr << "attnscope: note: " << chance << "\n";
    std::printf("%s: \"%s\" (%.1f%%) - wrote %s/explanation.json and %zu overlay(s)\n", m.name.c_str(),
                p.labels[static_cast<size_t>(p.predicted)].c_str(), 100.0 * p.probabilities[static_cast<size_t>(p.predicted)],
                out.c_str(), explanations.size());
    return 0;
}

int cmdEval(const std::vector<std::string> &args)
{
    const Options o(args, "eval", evalOptions());
    startWatchdog(o, 0, "eval");
    if (!o.positional().empty())
        throw UsageError{"unexpected argument \"" + o.positional()[0] + "\""};
    const std::vector<Method> methods = parseMethods(o.get("--method", "all"));
    const int limit = o.integer("--limit", -1);
    if (o.has("--limit") && limit < 1)
        throw UsageError{"--limit must be 1 or more"};
    const auto bundle = ModelBundle::load(o.require("--model"), deviceOption(o));
    const EvaluationReport report = DatasetEvaluation::run(
        bundle, o.require("--data"), methods,
        [](int done, int total) {
            if (!isatty(fileno(stderr)))
                return; // a progress counter only where someone watches it
            std::fprintf(stderr, "\r%d/%d", done, total);
            if (done == total)
                std::fprintf(stderr, "\n");
        },
        limit);
    std::cout << report.table();
    if (o.has("--json"))
        TextFile::write(o.get("--json"), report.toJson().dump(1) + "\n");
    return 0;
}

/// The device the arguments ask for (the command checks the value itself).
DeviceChoice deviceChoiceIn(const std::vector<std::string> &args)
{
    for (size_t i = 2; i < args.size(); ++i) {
        std::string value;
        if (args[i] == "--device" && i + 1 < args.size())
            value = args[i + 1];
        else if (args[i].rfind("--device=", 0) == 0)
            value = args[i].substr(9);
        else
            continue;
        try {
            return parseDeviceChoice(value);
        } catch (const Error &) {
            return DeviceChoice::Cpu; // the command reports the bad value
        }
    }
    return DeviceChoice::Auto;
}

/// The same arguments with the device set to the CPU.
std::vector<std::string> onCpu(const std::vector<std::string> &args)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i >= 2 && args[i] == "--device") {
            ++i;
            continue;
        }
        if (i >= 2 && args[i].rfind("--device=", 0) == 0)
            continue;
        out.push_back(args[i]);
    }
    out.push_back("--device");
    out.push_back("cpu");
    return out;
}

/// The message on one line: a file named "a\nb.png" must not split it (a
/// script reads the line after "attnscope: error: " as the whole message).
std::string oneLine(const std::string &message)
{
    std::string out;
    for (const char c : message) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += '?';
        else
            out += c;
    }
    return out;
}

} // namespace

bool isCliCommand(const std::vector<std::string> &args)
{
    if (args.size() < 2)
        return false;
    static const std::set<std::string> commands{"info", "explain", "eval", "help", "--help", "-h", "--version"};
    return commands.count(args[1]) > 0;
}

int runCli(const std::vector<std::string> &args)
{
    const std::string &command = args[1];
    try {
        if (command == "help" || command == "--help" || command == "-h") {
            std::cout << programHelp();
            return 0;
        }
        if (command == "--version") {
            std::cout << "attnscope " ATTNSCOPE_VERSION "\n";
            return 0;
        }
        using Command = int (*)(const std::vector<std::string> &);
        const Command run = command == "info" ? cmdInfo : command == "explain" ? cmdExplain
                          : command == "eval" ? cmdEval : nullptr;
        if (run) {
            // A GPU out of memory at any step: the whole command again on
            // the CPU (its files are written at its end, whole).
            int code = 0;
            const DeviceChoice asked = deviceChoiceIn(args);
            const bool fellBack = runWithCpuFallback(asked, [&](DeviceChoice device) {
                code = run(device != asked ? onCpu(args) : args);
            });
            if (fellBack)
                std::cerr << "attnscope: note: the GPU ran out of memory, so this ran on the CPU\n";
            return code;
        }
    } catch (const HelpRequested &help) {
        std::cout << help.text;
        return 0;
    } catch (const UsageError &e) {
        std::cerr << "attnscope: " << oneLine(e.message) << "\n" << commandHelp(command);
        return kUsage;
    } catch (const std::exception &e) {
        std::cerr << "attnscope: error: " << oneLine(errorMessage(e)) << "\n";
        return kFailed;
    }
    std::cerr << "attnscope: unknown command \"" << command << "\"\n" << programHelp();
    return kUsage;
}

} // namespace attnscope::app
