#include "app/cli.h"
#include "app/commandline.h"

#include "app/explaincommand.h"
#include "app/modeloptions.h"
#include "app/tokenizecommand.h"
#include "app/watchdog.h"
#include "core/io/atomicfile.h"
#include "core/bundle/modeldescription.h"
#include "core/bundle/modelbundle.h"
#include "core/engine/device.h"
#include "core/engine/errormessage.h"
#include "core/error.h"
#include "core/io/datasetevaluation.h"
#include "core/io/textfile.h"

#include <cstdio>
#include <iostream>
#include <set>

#include <unistd.h>

namespace attnscope::app {

using namespace attnscope::core;

namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;

using Options = CommandOptions;

int cmdInfo(const std::vector<std::string> &args)
{
    const Options o(args, "info", infoOptions());
    const Watchdog watchdog(o, 600, "info");
    if (o.positional().size() != 1)
        throw UsageError{"info needs exactly one model file"};
    const auto bundle = ModelBundle::load(o.positional()[0], ModelOptions::device(o));
    bundle->validate(); // info says the model is valid: it runs the probe
    const Json d = ModelDescription::of(*bundle);
    if (o.has("--json")) {
        std::cout << d.dump(2) << "\n";
        return 0;
    }
    const Manifest &m = bundle->manifest();
    std::cout << "model:       " << m.name << "\n";
    if (!m.description.empty())
        std::cout << "description: " << m.description << "\n";
    std::cout << "file:        " << bundle->path() << "\n"
              << "task:        " << taskName(m.task) << " ("
              << m.labels.size() << " labels)\n"
              << "inputs:      " << d.find("inputs")->dump(-1) << "\n";
    if (m.takesImage())
        std::cout << "image:       " << m.image.height << "x" << m.image.width << " pixels"
                  << (m.readsImage() ? "" : " (passed, but no stream holds image patches)") << "\n";
    if (m.text.maxLength > 0 && m.text.subword())
        std::cout << "text:        " << d.find("tokenizer_description")->toString() << " (" << m.text.file << "), up to "
                  << m.text.maxLength << " tokens" << (m.text.pair ? ", a pair of texts" : "") << "\n";
    else if (m.text.maxLength > 0)
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
        std::cout << " " << m.describeDecision(token) << ";";
    std::cout << "\n";
    if (m.gates)
        std::cout << "gates:       learned modality gates in output \"" << m.gates->output << "\"\n";
    if (m.attentionInputs)
        std::cout << "teaching:    queries, keys" << (m.attentionInputs->values.empty() ? "" : " and values")
                  << " of every map exported\n";
    std::cout << "device:      " << bundle->deviceName() << "\n"
              << "gradients:   " << (bundle->gradientsReachable() ? "reach the attention maps" : "do NOT reach the attention maps (gradient methods unavailable)") << "\n"
              << "valid:       yes (manifest and probe forward pass agree)\n";
    for (const std::string &note : bundle->notes())
        std::cout << "note:        " << note << "\n";
    return 0;
}

int cmdExplain(const std::vector<std::string> &args)
{
    return ExplainCommand(args).run();
}

int cmdTokenize(const std::vector<std::string> &args)
{
    return TokenizeCommand(args).run();
}

int cmdEval(const std::vector<std::string> &args)
{
    const Options o(args, "eval", evalOptions());
    const Watchdog watchdog(o, 0, "eval");
    if (!o.positional().empty())
        throw UsageError{"unexpected argument \"" + o.positional()[0] + "\""};
    const std::vector<Method> methods = ModelOptions::methods(o.get("--method", "all"));
    const int limit = o.integer("--limit", -1);
    if (o.has("--limit") && limit < 1)
        throw UsageError{"--limit must be 1 or more"};
    const auto bundle = ModelBundle::load(o.require("--model"), ModelOptions::device(o));
    const EvaluationReport report = DatasetEvaluation::run(
        bundle, o.require("--data"), methods,
        [](int done, int total) {
            if (!isatty(fileno(stderr)))
                return; // a progress counter only where someone watches it
            std::fprintf(stderr, "\r%d/%d", done, total);
            if (done == total)
                std::fprintf(stderr, "\n");
        },
        limit, !o.has("--no-curves"));
    std::cout << report.table();
    if (o.has("--json"))
        AtomicFile::write(o.get("--json"), report.toJson().dump(1) + "\n");
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
    static const std::set<std::string> commands{"info", "explain", "eval", "tokenize", "help", "--help", "-h", "--version"};
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
                          : command == "eval" ? cmdEval : command == "tokenize" ? cmdTokenize : nullptr;
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
