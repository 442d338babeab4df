#include "app/commandline.h"

#include <QCommandLineParser>
#include <QRegularExpression>
#include <QStringList>

#include <charconv>
#include <cmath>

namespace attnscope::app {

namespace {

const char *kUsage[][2] = {
    {"info", "attnscope info MODEL [options]"},
    {"explain", "attnscope explain --model M [--image I] [--text T|--text-file F] [--text-pair T2] --out DIR [options]\n"
                "       attnscope explain --model CLIP --image I --candidate C1 --candidate C2 ... --out DIR [options]\n"
                "       attnscope explain --session S.attnscope.json --out DIR [options]"},
    {"eval", "attnscope eval --model M --data DIR [options]"},
    {"tokenize", "attnscope tokenize --tokenizer FILE|--model M --text T|--text-file F [--pair T2|--pair-file F2] [--json]"},
};

const std::vector<OptionSpec> &specsOf(const std::string &command)
{
    static const std::vector<OptionSpec> none;
    if (command == "info")
        return infoOptions();
    if (command == "explain")
        return explainOptions();
    if (command == "eval")
        return evalOptions();
    if (command == "tokenize")
        return tokenizeOptions();
    return none;
}

std::string optionLines(const std::vector<OptionSpec> &specs)
{
    std::string out;
    for (const OptionSpec &o : specs) {
        std::string left = std::string("  --") + o.name + (*o.value ? std::string(" ") + o.value : std::string());
        if (left.size() < 26)
            left.resize(26, ' ');
        else
            left += "\n" + std::string(26, ' ');
        out += left + o.description + "\n";
    }
    return out;
}

std::string usageOf(const std::string &command)
{
    for (const auto &u : kUsage)
        if (command == u[0])
            return u[1];
    return {};
}

} // namespace

const std::vector<OptionSpec> &infoOptions()
{
    static const std::vector<OptionSpec> specs{
        {"json", "", "print the description as JSON"},
        {"device", "auto|cpu|cuda", "where to run the model (default auto: CUDA when there is a GPU)"},
        {"time-limit", "SECONDS", "give up after this long (default 600; 0: no limit)"},
    };
    return specs;
}

const std::vector<OptionSpec> &explainOptions()
{
    static const std::vector<OptionSpec> specs{
        {"model", "PATH", "the model: an archive (.pt), or a Hugging Face / timm / OpenAI CLIP checkpoint folder or .safetensors file"},
        {"image", "FILE", "the image (PNG, JPEG, BMP, TIFF, WebP, GIF's first frame); for models that take one"},
        {"text", "TEXT", "the question, caption or sentence; for models that read text"},
        {"text-file", "FILE", "read the text from a UTF-8 file instead"},
        {"text-pair", "TEXT", "the second text of a sentence pair (models that read pairs: token_type_ids, text.pair)"},
        {"text-pair-file", "FILE", "read the second text from a file instead"},
        {"candidate", "CAPTION", "zero-shot (CLIP-like models): a candidate caption, repeated for each; ranked by the "
                                 "model's score, the best (or --text) explained"},
        {"candidates-file", "FILE", "zero-shot: the candidate captions, one per line"},
        {"session", "FILE", "take model, image, text and view from a saved session"},
        {"out", "DIR", "where explanation.json, the overlays and the .npy arrays go"},
        {"method", "all|raw,rollout,relevance,gradcam", "the methods to run (default all)"},
        {"target", "index:N|label:NAME", "the answer to explain (default: the predicted one)"},
        {"start-layer", "N", "rollout's first layer (from 0)"},
        {"attention", "N", "raw attention's map (from 0, as `info` lists them)"},
        {"head", "N|mean|max|min", "raw attention's head (from 0) or how heads combine"},
        {"fusion", "mean|max|min", "how rollout fuses heads (default mean)"},
        {"discard-ratio", "R", "rollout's share of the weakest weights dropped, 0 to 1 (default 0)"},
        {"overlay", "spotlight|blend", "how the overlay PNGs show heat (default spotlight: keeps colours)"},
        {"colormap", "viridis|inferno|magma|turbo|grey", "the blend's colours (default viridis)"},
        {"opacity", "X", "0 to 1: the blend's opacity, or how far the spotlight dims (default 0.5)"},
        {"interpolation", "bilinear|nearest", "how patch scores are upsampled (default bilinear)"},
        {"device", "auto|cpu|cuda", "where to run the model (default auto)"},
        {"report", "FILE.pdf", "also write a report a domain expert can read"},
        {"time-limit", "SECONDS", "give up after this long (default 1800; 0: no limit)"},
    };
    return specs;
}

const std::vector<OptionSpec> &evalOptions()
{
    static const std::vector<OptionSpec> specs{
        {"model", "PATH", "the model: an archive (.pt), or a Hugging Face / timm / OpenAI CLIP checkpoint folder or .safetensors file"},
        {"data", "DIR", "a data set: dataset.json with images, questions, answers and boxes"},
        {"method", "all|raw,rollout,relevance,gradcam", "the methods to score (default all)"},
        {"limit", "N", "only the first N samples"},
        {"no-curves", "", "skip the perturbation curves (20 forward passes per method and sample): accuracy and "
                          "the pointing game only"},
        {"json", "FILE", "also write the numbers as JSON"},
        {"device", "auto|cpu|cuda", "where to run the model (default auto)"},
        {"time-limit", "SECONDS", "give up after this long (default: no limit)"},
    };
    return specs;
}

const std::vector<OptionSpec> &tokenizeOptions()
{
    static const std::vector<OptionSpec> specs{
        {"tokenizer", "FILE", "a tokenizer.json, a WordPiece vocab.txt, a GPT-2 vocab.json (merges.txt beside it), CLIP's "
                              "bpe_simple_vocab_16e6.txt.gz, or a SentencePiece .model"},
        {"model", "PATH", "a model (.pt, or a checkpoint folder): its own tokenizer, cut and padded to its text length"},
        {"cased", "", "a vocab.txt of a cased model: keep case and accents"},
        {"text", "TEXT", "the text to tokenize"},
        {"text-file", "FILE", "read the text from a file instead (any bytes, as they are)"},
        {"pair", "TEXT", "a second text, as a sentence pair (type ids 1)"},
        {"pair-file", "FILE", "read the second text from a file instead"},
        {"json", "", "print tokens, ids, type_ids, offsets and the rest as one JSON object"},
    };
    return specs;
}

const std::vector<OptionSpec> &windowOptions()
{
    static const std::vector<OptionSpec> specs{
        {"model", "PATH", "open this model, an archive or a checkpoint folder (default: the demo model)"},
        {"image", "FILE", "open this image (default: a sample)"},
        {"text", "TEXT", "ask this (default: the sample's question)"},
        {"text-pair", "TEXT", "the second text of a sentence pair (models that read pairs)"},
        {"candidate", "CAPTION", "zero-shot (CLIP-like models): a candidate caption for the Zero-shot tab, repeated for each"},
        {"tab", "NAME", "show this tab: matrix, heads, faithfulness, compare, teaching or zero-shot"},
        {"session", "FILE", "restore a saved session (.attnscope.json)"},
        {"screenshot", "FILE", "save a PNG of the window once the first answer is shown, then quit"},
        {"probe", "FILE", "benchmark: time the GUI thread while the worker runs; write JSON, quit"},
        {"probe-requests", "N", "with --probe: how many requests to time"},
        {"probe-cancel", "FILE", "benchmark: how soon Esc stops relevance; write JSON, quit"},
        {"quit-after", "SECONDS", "close the window after this long (scripted runs)"},
    };
    return specs;
}

QList<QCommandLineOption> toQtOptions(const std::vector<OptionSpec> &specs)
{
    QList<QCommandLineOption> out;
    for (const OptionSpec &o : specs) {
        if (*o.value)
            out << QCommandLineOption(QString::fromLatin1(o.name), QString::fromUtf8(o.description), QString::fromLatin1(o.value));
        else
            out << QCommandLineOption(QString::fromLatin1(o.name), QString::fromUtf8(o.description));
    }
    return out;
}

std::string programHelp()
{
    std::string out = "AttnScope - see inside multimodal transformers\n\n"
                      "usage:\n"
                      "  attnscope [window options]        open the window (on the demo model and a sample)\n"
                      "  attnscope info MODEL [options]    describe a model (archive or checkpoint folder): inputs, maps, labels, checks\n"
                      "  attnscope explain ... --out DIR   explain one input: JSON, overlays, arrays, a report\n"
                      "  attnscope eval --model M --data D score the methods over a data set\n"
                      "  attnscope tokenize --tokenizer F --text T\n"
                      "                                    check a tokenizer: pieces, ids, type ids, offsets\n"
                      "  attnscope CMD --help              one command's options\n"
                      "  attnscope --version\n\n"
                      "window options:\n"
                      + optionLines(windowOptions());
    for (const char *command : {"info", "explain", "eval", "tokenize"})
        out += std::string("\n") + command + " options:\n" + optionLines(specsOf(command));
    out += "\nLayers, maps and heads are numbered from 0 everywhere. Exit status: 0 done, 1 a bad file or a "
           "failed run, 2 bad arguments.\n";
    return out;
}

std::string commandHelp(const std::string &command)
{
    return "usage: " + usageOf(command) + "\n\noptions:\n" + optionLines(specsOf(command))
           + "  --help                  this text\n";
}

CommandOptions::CommandOptions(const std::vector<std::string> &args, const std::string &command,
                               const std::vector<OptionSpec> &specs)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOptions(toQtOptions(specs));
    const QCommandLineOption help(QStringList{QStringLiteral("help"), QStringLiteral("h")});
    parser.addOption(help);
    QStringList arguments{QStringLiteral("attnscope")};
    for (size_t i = 2; i < args.size(); ++i)
        arguments << QString::fromStdString(args[i]);
    if (!parser.parse(arguments)) {
        if (!parser.unknownOptionNames().isEmpty())
            throw UsageError{"unknown option --" + parser.unknownOptionNames().first().toStdString()};
        // "Missing value after '--model'."
        const QRegularExpressionMatch missing =
            QRegularExpression(QStringLiteral("Missing value after '(-*[^']+)'")).match(parser.errorText());
        if (missing.hasMatch())
            throw UsageError{missing.captured(1).toStdString() + " needs a value"};
        throw UsageError{parser.errorText().toStdString()};
    }
    if (parser.isSet(help))
        throw HelpRequested{commandHelp(command)};
    for (const OptionSpec &o : specs) {
        const QString name = QString::fromLatin1(o.name);
        if (!parser.isSet(name))
            continue;
        m_values[std::string("--") + o.name] = *o.value ? parser.value(name).toStdString() : std::string("1");
        for (const QString &value : parser.values(name))
            m_allValues[std::string("--") + o.name].push_back(value.toStdString());
    }
    for (const QString &p : parser.positionalArguments())
        m_positional.push_back(p.toStdString());
}

std::vector<std::string> CommandOptions::all(const std::string &key) const
{
    const auto it = m_allValues.find(key);
    return it == m_allValues.end() ? std::vector<std::string>{} : it->second;
}

std::string CommandOptions::get(const std::string &key, const std::string &fallback) const
{
    const auto it = m_values.find(key);
    return it == m_values.end() ? fallback : it->second;
}

std::string CommandOptions::require(const std::string &key) const
{
    if (!has(key))
        throw UsageError{key + " is required"};
    return get(key);
}

int CommandOptions::integer(const std::string &key, int fallback) const
{
    if (!has(key))
        return fallback;
    const std::string &text = m_values.at(key);
    int v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (error == std::errc() && end == text.data() + text.size())
        return v;
    throw UsageError{key + " needs a whole number, not \"" + text + "\""};
}

double CommandOptions::number(const std::string &key, double fallback) const
{
    if (!has(key))
        return fallback;
    // from_chars reads "0.5" whatever the locale (stod follows LC_NUMERIC).
    const std::string &text = m_values.at(key);
    double v = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (error == std::errc() && end == text.data() + text.size() && std::isfinite(v))
        return v;
    throw UsageError{key + " needs a finite number such as 0.5, not \"" + text + "\""};
}

} // namespace attnscope::app
