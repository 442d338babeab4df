// attnscope_bench: the benchmark harness (run by tests/bench/run.sh; not part
// of the test suite). Each mode does one thing and prints JSON; `suite` runs
// the others, and attnscope.bench_python_way (models/attnscope/, the Python way,
// same arguments, same JSON) in child processes, and prints every figure with
// its ratio.
//
//   attnscope_bench warm   --model M --image I [--text T|--text-file F] [--methods LIST] [--repeats N] [--png-dir D]
//   attnscope_bench cold   --model M --image I [--text ...] --method rollout --png OUT.png
//   attnscope_bench memory --model M --image I [--text ...] --method relevance
//   attnscope_bench open   --model M         (opening only: milliseconds and the memory it took)
//   attnscope_bench matmul [--size 2048]
//   attnscope_bench startup                 (does nothing: the cost of starting a process with LibTorch)
//   attnscope_bench suite  --bench-dir DIR [--source REPO] [--app build/app/attnscope]
//                          [--out results.json] [--repeats N] [--quick]

#include "core/io/atomicfile.h"
#include "core/bundle/modelbundle.h"
#include "core/bundle/modelbundle_p.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/engine/memorypolicy.h"
#include "core/error.h"
#include "core/explain/explainer.h"
#include "core/io/inputloader.h"
#include "core/io/pngwriter.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "core/render/colormap.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

using namespace attnscope::core;
using Clock = std::chrono::steady_clock;

namespace {

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double residentMb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    }
    return 0.0;
}

double peakMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct Args
{
    std::map<std::string, std::string> values;
    std::string get(const std::string &key, const std::string &fallback = "") const
    {
        const auto it = values.find(key);
        return it == values.end() ? fallback : it->second;
    }
    bool has(const std::string &key) const { return values.count(key) != 0; }
};

Args parseArgs(int argc, char **argv)
{
    Args a;
    for (int i = 2; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--quick") {
            a.values[key] = "1";
        } else if (i + 1 < argc) {
            a.values[key] = argv[++i];
        } else {
            throw Error("missing a value after " + key);
        }
    }
    return a;
}

std::vector<std::string> split(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        out.push_back(item);
    return out;
}

std::string textOf(const Args &a)
{
    return a.has("--text-file") ? TextFile::read(a.get("--text-file"), size_t(1) << 20) : a.get("--text");
}

/// What AttnScope does for one request: decode and prepare the inputs, run
/// the model, explain with one method, colour the heatmap over the image and
/// write it. Returns the forward pass's milliseconds.
double explainToPng(const std::shared_ptr<ModelBundle> &bundle, const std::string &image, const std::string &text,
                    Method method, const std::string &png)
{
    const ModelInput input = InputLoader::load(bundle->manifest(), image, text);
    const bool gradients = method == Method::Relevance || method == Method::GradCam;
    auto run = InferenceEngine::run(bundle, input, gradients ? Gradients::Record : Gradients::Later);
    MethodOptions options;
    options.method = method;
    const Explanation e = Explainer::explain(*run, options);
    if (!e.hasPatchScores())
        throw Error(std::string(methodName(method)) + " gave no image scores");
    const std::vector<float> heat = Heatmap::upsample(Heatmap::normalize(e.patchScores), e.gridRows, e.gridCols,
                                                      input.source.width, input.source.height,
                                                      Interpolation::Bilinear);
    const RgbaImage overlay = Overlay::blend(input.source, heat, Colormap::get(ColormapKind::Viridis), 0.5f);
    if (!png.empty())
        PngWriter::write(overlay, png);
    return run->forwardMilliseconds();
}

int warm(const Args &a)
{
    const auto start = Clock::now();
    auto bundle = ModelBundle::load(a.get("--model"));
    const double loadMs = millisecondsSince(start);
    const std::string text = textOf(a);
    const int repeats = std::stoi(a.get("--repeats", "10"));
    Json methods = Json::object(), forward = Json::object();
    for (const std::string &name : split(a.get("--methods", "raw,rollout,relevance,gradcam"))) {
        const Method method = parseMethod(name);
        const std::string png = a.has("--png-dir") ? a.get("--png-dir") + "/attnscope_" + name + ".png" : "";
        Json times = Json::array(), forwards = Json::array();
        for (int n = 0; n <= repeats; ++n) { // the first run warms up
            const auto t = Clock::now();
            const double f = explainToPng(bundle, a.get("--image"), text, method, png);
            if (n > 0) {
                times.push(millisecondsSince(t));
                forwards.push(f);
            }
        }
        methods.set(name, times);
        forward.set(name, forwards);
    }
    Json out = Json::object();
    out.set("load_ms", loadMs);
    out.set("methods", methods);
    out.set("forward_ms", forward);
    std::printf("%s\n", out.dump(-1).c_str());
    return 0;
}

int cold(const Args &a)
{
    auto bundle = ModelBundle::load(a.get("--model"));
    explainToPng(bundle, a.get("--image"), textOf(a), parseMethod(a.get("--method", "rollout")), a.get("--png"));
    return 0;
}

int memory(const Args &a)
{
    const double base = residentMb();
    auto bundle = ModelBundle::load(a.get("--model"));
    const double loaded = peakMb();
    // What the explanation must hold at least: the weights, and every
    // attention map in fp32.
    double weights = 0.0;
    for (const auto &p : bundle->impl().parameters())
        weights += static_cast<double>(p.numel() * p.element_size());
    const Manifest &m = bundle->manifest();
    double maps = 0.0;
    for (size_t i = 0; i < m.attentions.size(); ++i) {
        const double q = m.streams[static_cast<size_t>(m.attentions[i].queryStream)].length();
        const double k = m.streams[static_cast<size_t>(m.attentions[i].keyStream)].length();
        maps += bundle->headCounts()[i] * q * k * 4.0;
    }
    explainToPng(bundle, a.get("--image"), textOf(a), parseMethod(a.get("--method", "rollout")), "");
    Json out = Json::object();
    out.set("base_mb", base);
    out.set("peak_mb", peakMb());
    out.set("load_peak_mb", loaded);
    out.set("weights_mb", weights / (1024.0 * 1024.0));
    out.set("maps_mb", maps / (1024.0 * 1024.0));
    std::printf("%s\n", out.dump(-1).c_str());
    return 0;
}

/// The bytes a model's opening reads: an archive, or a checkpoint's weights.
double modelFileMb(const std::string &path)
{
    const std::filesystem::path p(path);
    const auto file = std::filesystem::is_directory(p) ? p / "model.safetensors" : p;
    return static_cast<double>(std::filesystem::file_size(file)) / (1024.0 * 1024.0);
}

/// Opening alone: how long ModelBundle::load takes and how much memory
/// it adds at its peak (a checkpoint is mapped, so its pages come in on the
/// first run, not here).
int openOnly(const Args &a)
{
    const double base = residentMb();
    const auto start = Clock::now();
    auto bundle = ModelBundle::load(a.get("--model"));
    const double ms = millisecondsSince(start);
    Json out = Json::object();
    out.set("open_ms", ms);
    out.set("open_mb", peakMb() - base);
    out.set("file_mb", modelFileMb(a.get("--model")));
    std::printf("%s\n", out.dump(-1).c_str());
    return 0;
}

/// GFLOP/s of a large float32 matrix product, the best of several.
double matmulGflops(int64_t n)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({n, n}), y = torch::randn({n, n});
    torch::Tensor z = torch::mm(x, y); // warm-up
    double best = 0.0;
    for (int i = 0; i < 5; ++i) {
        const auto t = Clock::now();
        z = torch::mm(x, y);
        const double s = millisecondsSince(t) / 1e3;
        best = std::max(best, 2.0 * static_cast<double>(n) * n * n / s / 1e9);
    }
    return best;
}

int matmul(const Args &a)
{
    Json out = Json::object();
    out.set("gflops", matmulGflops(std::stoll(a.get("--size", "2048"))));
    out.set("threads", torch::get_num_threads());
    std::printf("%s\n", out.dump(-1).c_str());
    return 0;
}

// ------------------------------------------------------------------ suite

std::string quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs a command; returns its standard output (its last line parsed as
/// JSON when `json`), and its wall time.
Json runChild(const std::string &command, double *wallMs = nullptr)
{
    const auto start = Clock::now();
    FILE *pipe = popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe)
        throw Error("cannot run " + command);
    std::string output;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        output.append(buffer, n);
    const int status = pclose(pipe);
    if (wallMs)
        *wallMs = millisecondsSince(start);
    if (status != 0)
        throw Error("failed (" + std::to_string(status) + "): " + command);
    const size_t end = output.find_last_not_of("\n");
    if (end == std::string::npos)
        return Json();
    const size_t begin = output.rfind('\n', end);
    return Json::parse(output.substr(begin == std::string::npos ? 0 : begin + 1, end + 1));
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    // Nearest rank: with fewer than 100 runs, p99 is the slowest.
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

const Json &field(const Json &object, const std::string &key)
{
    const Json *value = object.find(key);
    if (!value)
        throw Error("the JSON a benchmark printed has no \"" + key + "\"");
    return *value;
}

std::vector<double> numbers(const Json &array)
{
    std::vector<double> out;
    for (const Json &x : array.toArray())
        out.push_back(x.toNumber());
    return out;
}

double median(std::vector<double> v) { return percentile(std::move(v), 50.0); }

struct Case
{
    std::string name, model, image, text, textFile;
    int repeats = 10;
    double flops = 0.0;
};

std::string inputArgs(const Case &c)
{
    std::string s = " --model " + quote(c.model) + " --image " + quote(c.image);
    if (!c.textFile.empty())
        s += " --text-file " + quote(c.textFile);
    else
        s += " --text " + quote(c.text);
    return s;
}

int suite(const Args &a, const std::string &self)
{
    const std::string dir = a.get("--bench-dir", "build/bench");
    const std::string source = a.get("--source", ".");
    const std::string python =
        "PYTHONPATH=" + quote(source + "/models") + " /usr/bin/python3 -m attnscope.bench_python_way";
    const std::string app = a.get("--app", "");
    const int repeats = std::stoi(a.get("--repeats", "10"));
    const bool quick = a.has("--quick");
    const std::string pngDir = dir + "/png";
    std::filesystem::create_directories(pngDir);

    std::vector<Case> cases;
    const std::string sample = source + "/resources/samples/samples_00000.png";
    for (const char *zoo : {"shapes_single_stream", "shapes_co_attention", "shapes_late_fusion"})
        cases.push_back({zoo, source + "/models/zoo/" + zoo + ".pt", sample, "is the red circle left of the blue square ?",
                         "", repeats});
    for (int tokens : {197, 577, 2048}) {
        const std::string stem = dir + "/models/vitb_" + std::to_string(tokens);
        if ((quick && tokens != 197) || !std::filesystem::exists(stem + ".pt"))
            continue;
        Case c{"vit-b " + std::to_string(tokens), stem + ".pt", dir + "/models/bench_image.png", "",
               tokens == 2048 ? dir + "/models/bench_text.txt" : "",
               tokens == 197 ? std::max(3, repeats / 2) : (tokens == 577 ? 3 : 2)};
        const Json info = Json::parse(TextFile::read(stem + ".json", 1 << 16));
        c.flops = field(info, "forward_flops").toNumber();
        cases.push_back(c);
    }

    Json results = Json::object();
    const double matmul = matmulGflops(2048);
    results.set("matmul_gflops", matmul);
    results.set("threads", torch::get_num_threads());
    std::vector<double> startups;
    for (int n = 0; n < 3; ++n) {
        double ms = 0.0;
        runChild(quote(self) + " startup", &ms);
        startups.push_back(ms);
    }
    const double startupMs = median(startups);
    results.set("libtorch_startup_ms", startupMs);
    Json all = Json::array();
    std::printf("%-22s %-10s %10s %10s %10s %10s %8s\n", "model", "figure", "attnscope", "python", "ratio", "target", "");
    const auto row = [](const std::string &model, const std::string &figure, double ours, double theirs,
                        double target) {
        const double ratio = ours / theirs;
        std::printf("%-22s %-10s %10.1f %10.1f %10.2f %10s %8s\n", model.c_str(), figure.c_str(), ours, theirs, ratio,
                    target > 0 ? ("<= " + std::to_string(target).substr(0, 4)).c_str() : "",
                    target > 0 ? (ratio <= target ? "ok" : "MISSED") : "");
        std::fflush(stdout);
    };
    for (const Case &c : cases) {
        Json entry = Json::object();
        entry.set("model", c.name);
        const bool demo = c.flops == 0.0;
        const std::string methods = " --methods raw,rollout,relevance,gradcam --repeats " + std::to_string(c.repeats)
                                    + " --png-dir " + quote(pngDir);
        const Json ours = runChild(quote(self) + " warm" + inputArgs(c) + methods);
        const Json theirs = runChild(python + " warm" + inputArgs(c) + methods);
        row(c.name, "load ms", field(ours, "load_ms").toNumber(), field(theirs, "load_ms").toNumber(), 0);
        entry.set("load_ms", Json(Json::Array{field(ours, "load_ms"), field(theirs, "load_ms")}));
        Json warmJson = Json::object();
        for (const char *method : {"raw", "rollout", "relevance", "gradcam"}) {
            const std::vector<double> x = numbers(field(field(ours, "methods"), method));
            const std::vector<double> y = numbers(field(field(theirs, "methods"), method));
            const double target = demo ? 0.5 : (c.name == "vit-b 197" ? 0.9 : 0.0);
            row(c.name, std::string(method) + " p50", percentile(x, 50), percentile(y, 50), target);
            row(c.name, std::string(method) + " p99", percentile(x, 99), percentile(y, 99), 0);
            Json m = Json::object();
            m.set("attnscope_p50_ms", percentile(x, 50));
            m.set("attnscope_p99_ms", percentile(x, 99));
            m.set("python_p50_ms", percentile(y, 50));
            m.set("python_p99_ms", percentile(y, 99));
            m.set("ratio_p50", percentile(x, 50) / percentile(y, 50));
            if (target > 0)
                m.set("target_ratio", target);
            warmJson.set(method, m);
        }
        entry.set("warm", warmJson);
        const double forwardMs = median(numbers(field(field(ours, "forward_ms"), "raw")));
        if (demo) {
            // The forward pass runs in the same TorchScript interpreter as
            // the Python way's: AttnScope's forward against the Python way's
            // whole request is the lowest ratio anything around it can reach.
            row(c.name, "raw fwd", forwardMs, percentile(numbers(field(field(theirs, "methods"), "raw")), 50), 0);
            entry.set("forward_ms", forwardMs);
        } else {
            const double gflops = c.flops / (forwardMs / 1e3) / 1e9;
            std::printf("%-22s %-10s %10.1f %10.1f %10.2f %10s %8s\n", c.name.c_str(), "GFLOP/s", gflops, matmul,
                        gflops / matmul, c.name == "vit-b 577" ? ">= 0.5" : "",
                        c.name == "vit-b 577" ? (gflops / matmul >= 0.5 ? "ok" : "MISSED") : "");
            entry.set("forward_ms", forwardMs);
            entry.set("forward_gflops", gflops);
            entry.set("forward_share_of_matmul", gflops / matmul);
        }
        // Cold start to the first heatmap PNG: a new process each time, the
        // median of three.
        std::vector<double> coldOurs, coldTheirs;
        for (int n = 0; n < 3; ++n) {
            double ms = 0.0;
            runChild(quote(self) + " cold" + inputArgs(c) + " --method rollout --png " + quote(pngDir + "/cold.png"), &ms);
            coldOurs.push_back(ms);
            runChild(python + " cold" + inputArgs(c) + " --method rollout --png " + quote(pngDir + "/cold_py.png"), &ms);
            coldTheirs.push_back(ms);
        }
        row(c.name, "cold ms", median(coldOurs), median(coldTheirs), demo ? 0.33 : 0);
        entry.set("cold_ms", Json(Json::Array{Json(median(coldOurs)), Json(median(coldTheirs))}));
        if (demo) // a process that only starts, with LibTorch linked: the floor of any cold start
            row(c.name, "cold floor", startupMs, median(coldTheirs), 0);
        Json mem = Json::object();
        for (const char *method : {"raw", "rollout", "relevance"}) {
            const std::string args = inputArgs(c) + " --method " + method;
            const Json x = runChild(quote(self) + " memory" + args);
            const Json y = runChild(python + " memory" + args);
            const double used = field(x, "peak_mb").toNumber() - field(x, "base_mb").toNumber();
            const double usedPy = field(y, "peak_mb").toNumber() - field(y, "base_mb").toNumber();
            const double floor = field(x, "weights_mb").toNumber() + field(x, "maps_mb").toNumber();
            row(c.name, std::string("MB ") + method, used, usedPy, 0);
            Json m = Json::object();
            m.set("attnscope_mb", used);
            m.set("python_mb", usedPy);
            m.set("weights_plus_maps_mb", floor);
            m.set("share_of_weights_plus_maps", used / floor);
            if (c.name == "vit-b 2048") {
                const double target = std::string(method) == "relevance" ? 1.5 : 1.25;
                std::printf("%-22s %-10s %10.2f %10s %10s %10s %8s\n", c.name.c_str(), "x floor", used / floor, "", "",
                            ("<= " + std::to_string(target).substr(0, 4)).c_str(), used / floor <= target ? "ok" : "MISSED");
                m.set("target_share", target);
            }
            mem.set(method, m);
        }
        entry.set("memory", mem);
        // The window: the event loop during a burst of requests, and the
        // repaint after a layer or head change (attnscope --probe).
        if (!app.empty() && (c.name == "shapes_single_stream" || c.name == "vit-b 577" || c.name == "vit-b 2048")) {
            const std::string probeJson = dir + "/probe.json";
            std::string text = c.text;
            if (!c.textFile.empty())
                text = TextFile::read(c.textFile, size_t(1) << 20);
            const int requests = demo ? 50 : 2;
            runChild("QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=" + quote(dir + "/probe-config") + " " + quote(app)
                     + " --model " + quote(c.model) + " --image " + quote(c.image) + " --text " + quote(text)
                     + " --probe " + quote(probeJson) + " --probe-requests " + std::to_string(requests));
            const Json probe = Json::parse(TextFile::read(probeJson, 1 << 20));
            const double repaintTarget = field(probe, "tokens").toNumber() <= 1024 ? 16.7 : 50.0;
            const auto report = [&](const char *figure, double value, double target) {
                std::printf("%-22s %-10s %10.1f %10s %10s %10s %8s\n", c.name.c_str(), figure, value, "", "",
                            ("<= " + std::to_string(target).substr(0, 4)).c_str(), value <= target ? "ok" : "MISSED");
                std::fflush(stdout);
            };
            if (demo)
                report("late max", field(field(probe, "event_loop_late_ms"), "max").toNumber(), 50.0);
            report("layer p99", field(field(probe, "layer_change_ms"), "p99").toNumber(), repaintTarget);
            report("head p99", field(field(probe, "head_change_ms"), "p99").toNumber(), repaintTarget);
            entry.set("window", probe);
        }
        all.push(entry);
    }
    // Checkpoints and archives opened: a ViT-B-sized Hugging Face folder
    // (made by attnscope.make_bench_checkpoint) against loading its state
    // dict and building the model in Python, cold to the first heatmap, and
    // the memory opening takes; the 2,048-token archive against torch.jit.load.
    Json opening = Json::object();
    const std::string checkpoint = dir + "/models/vitb_hf";
    const std::string benchImage = std::filesystem::exists(dir + "/models/bench_image.png")
                                       ? dir + "/models/bench_image.png" : sample;
    auto medianOf = [&](const std::string &command, const char *key, double *wall = nullptr) {
        std::vector<double> values, walls;
        for (int n = 0; n < 3; ++n) {
            double ms = 0.0;
            const Json j = runChild(command, &ms);
            values.push_back(key ? field(j, key).toNumber() : ms);
            walls.push_back(ms);
        }
        if (wall)
            *wall = median(walls);
        return median(values);
    };
    if (std::filesystem::exists(checkpoint + "/model.safetensors")) {
        const std::string model = " --model " + quote(checkpoint);
        const double ours = medianOf(quote(self) + " open" + model, "open_ms");
        const double theirs = medianOf(python + " open" + model, "open_ms");
        row("vit-b hf", "open ms", ours, theirs, 0);
        const Json mem = runChild(quote(self) + " open" + model);
        const Json memPy = runChild(python + " open" + model);
        const double fileMb = field(mem, "file_mb").toNumber();
        row("vit-b hf", "open MB", field(mem, "open_mb").toNumber(), field(memPy, "open_mb").toNumber(), 0);
        const double share = field(mem, "open_mb").toNumber() / fileMb;
        std::printf("%-22s %-10s %10.2f %10s %10s %10s %8s\n", "vit-b hf", "x file", share, "", "", "<= 1.2",
                    share <= 1.2 ? "ok" : "MISSED");
        const std::string input = model + " --image " + quote(benchImage) + " --text '' --method rollout";
        const double cold = medianOf(quote(self) + " cold" + input + " --png " + quote(pngDir + "/hf_cold.png"), nullptr);
        const double coldPy = medianOf(python + " cold" + input + " --png " + quote(pngDir + "/hf_cold_py.png"), nullptr);
        row("vit-b hf", "cold ms", cold, coldPy, 0.8);
        Json c = Json::object();
        c.set("open_ms", Json(Json::Array{Json(ours), Json(theirs)}));
        c.set("open_mb", Json(Json::Array{field(mem, "open_mb"), field(memPy, "open_mb")}));
        c.set("file_mb", fileMb);
        c.set("open_share_of_file", share);
        c.set("cold_ms", Json(Json::Array{Json(cold), Json(coldPy)}));
        opening.set("vit-b hf", c);
    }
    const std::string archive = dir + "/models/vitb_2048.pt";
    if (!quick && std::filesystem::exists(archive)) {
        const std::string model = " --model " + quote(archive);
        const double ours = medianOf(quote(self) + " open" + model, "open_ms");
        const double theirs = medianOf(python + " open" + model, "open_ms");
        row("vit-b 2048", "open ms", ours, theirs, 2.0);
        Json c = Json::object();
        c.set("open_ms", Json(Json::Array{Json(ours), Json(theirs)}));
        opening.set("vit-b 2048", c);
    }
    results.set("opening", opening);
    results.set("cases", all);
    const std::string out = a.get("--out", dir + "/results.json");
    AtomicFile::write(out, results.dump(1) + "\n");
    std::printf("matrix product: %.1f GFLOP/s on %d threads; wrote %s\n", matmul, torch::get_num_threads(), out.c_str());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    returnLargeBlocksToTheSystem(); // as attnscope's main() does
    adaptAllocatorToEachModel(true);
    if (argc < 2) {
        std::fprintf(stderr, "usage: attnscope_bench warm|cold|memory|matmul|startup|suite [options] (see the source's head)\n");
        return 2;
    }
    const std::string mode = argv[1];
    try {
        const Args a = parseArgs(argc, argv);
        if (mode == "warm")
            return warm(a);
        if (mode == "cold")
            return cold(a);
        if (mode == "memory")
            return memory(a);
        if (mode == "open")
            return openOnly(a);
        if (mode == "matmul")
            return matmul(a);
        if (mode == "startup") {
            std::printf("{}\n");
            return 0;
        }
        if (mode == "suite")
            return suite(a, std::filesystem::canonical("/proc/self/exe").string());
        std::fprintf(stderr, "attnscope_bench: unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "attnscope_bench: %s\n", e.what());
        return 1;
    }
}
