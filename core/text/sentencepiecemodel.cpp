#include "core/text/sentencepiecemodel.h"

#include "core/error.h"
#include "core/io/textfile.h"
#include "core/text/sentencepiecemodule.h"
#include "core/text/subwordtokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace attnscope::core {

namespace {

/// Real models are 0.2 (T5's 32k pieces: 0.8 MB) to a few MB.
constexpr size_t kMaxModelBytes = size_t(64) << 20;

const std::string kSpace = "\xE2\x96\x81"; // U+2581, SentencePiece's whitespace marker

/// The module's functions, looked up once per process.
struct Module
{
    decltype(&attnscope_spm_load) load = nullptr;
    decltype(&attnscope_spm_free) free = nullptr;
    decltype(&attnscope_spm_piece_count) pieceCount = nullptr;
    decltype(&attnscope_spm_id_to_piece) idToPiece = nullptr;
    decltype(&attnscope_spm_unk_id) unkId = nullptr;
    decltype(&attnscope_spm_bos_id) bosId = nullptr;
    decltype(&attnscope_spm_eos_id) eosId = nullptr;
    decltype(&attnscope_spm_encode) encode = nullptr;
    std::string error; ///< why it could not be loaded
};

std::vector<std::string> modulePlaces()
{
    std::vector<std::string> places;
    if (const char *env = std::getenv("ATTNSCOPE_SENTENCEPIECE_MODULE"))
        places.emplace_back(env);
    // Installed: <prefix>/bin/attnscope and <prefix>/<libdir>/attnscope/.
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec)
        places.push_back((exe.parent_path() / ATTNSCOPE_SPM_INSTALLED_DIR / ATTNSCOPE_SPM_MODULE_NAME).string());
    places.emplace_back(ATTNSCOPE_SPM_BUILD_MODULE); // the build tree
    return places;
}

const Module &module()
{
    static Module m;
    static std::once_flag once;
    std::call_once(once, [] {
        void *handle = nullptr;
        std::string tried;
        for (const std::string &place : modulePlaces()) {
            if (!std::filesystem::exists(place)) {
                tried += (tried.empty() ? "" : ", ") + place;
                continue;
            }
            // A link namespace of its own: the library's protobuf never meets
            // LibTorch's (sentencepiecemodule.h).
            handle = dlmopen(LM_ID_NEWLM, place.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (handle)
                break;
            const char *why = dlerror();
            tried += (tried.empty() ? "" : ", ") + place + " (" + (why ? why : "cannot be loaded") + ")";
        }
        if (!handle) {
            m.error = "AttnScope reads SentencePiece models with its module " + std::string(ATTNSCOPE_SPM_MODULE_NAME)
                      + ", which it did not find: looked for " + tried;
            return;
        }
        auto symbol = [&](auto &function, const char *name) {
            function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(handle, name));
            if (!function && m.error.empty())
                m.error = std::string(ATTNSCOPE_SPM_MODULE_NAME) + " lacks " + name + " (a module of another version?)";
        };
        symbol(m.load, "attnscope_spm_load");
        symbol(m.free, "attnscope_spm_free");
        symbol(m.pieceCount, "attnscope_spm_piece_count");
        symbol(m.idToPiece, "attnscope_spm_id_to_piece");
        symbol(m.unkId, "attnscope_spm_unk_id");
        symbol(m.bosId, "attnscope_spm_bos_id");
        symbol(m.eosId, "attnscope_spm_eos_id");
        symbol(m.encode, "attnscope_spm_encode");
    });
    if (!m.error.empty())
        throw Error(m.error);
    return m;
}

void freeModel(AttnscopeSpm *model)
{
    if (model)
        module().free(model);
}

std::string pieceOf(const AttnscopeSpm *model, int id)
{
    size_t size = 0;
    const char *piece = module().idToPiece(model, id, &size);
    return std::string(piece, size);
}

} // namespace

SentencePieceModel::SentencePieceModel(const std::string &bytes, const std::string &path)
    : m_model(nullptr, freeModel)
    , m_path(path)
{
    const Module &m = module();
    char error[512] = {};
    m_model.reset(m.load(bytes.data(), bytes.size(), error, sizeof error));
    if (!m_model)
        throw Error(path + ": not a SentencePiece model (" + error + ")");
    const int size = m.pieceCount(m_model.get());
    for (int id = 0; id < size; ++id)
        m_vocabulary.emplace(pieceOf(m_model.get(), id), id);
    if (m.unkId(m_model.get()) >= 0)
        m_unknownId = m.unkId(m_model.get());
    m_bosId = m.bosId(m_model.get());
    m_eosId = m.eosId(m_model.get());
}

SentencePieceModel::~SentencePieceModel() = default;

std::string SentencePieceModel::description() const
{
    return "SentencePiece, " + std::to_string(m_vocabulary.size()) + " pieces";
}

void SentencePieceModel::tokenize(const AlignedChars &word, std::vector<ModelToken> &out) const
{
    // The word's UTF-8 and where each character starts in it: the library
    // reports pieces as byte spans of its input.
    std::string text;
    std::vector<size_t> starts;
    starts.reserve(word.size() + 1);
    for (size_t i = 0; i < word.size(); ++i) {
        starts.push_back(text.size());
        text += utf8Of(word, i, i + 1);
    }
    starts.push_back(text.size());
    struct Collect
    {
        const std::vector<size_t> *starts;
        std::vector<ModelToken> *out;
        int64_t words = -1;
        // The character a byte belongs to (a byte-fallback piece such as
        // <0xE4> covers part of one: it starts and ends inside it, as the
        // library's own ConvertToUnicodeSpans counts it).
        size_t charAt(uint32_t byte) const
        {
            return static_cast<size_t>(std::upper_bound(starts->begin(), starts->end(), size_t(byte))
                                       - starts->begin()) - 1;
        }
    } collect{&starts, &out};
    auto onPiece = [](void *user, int id, const char *piece, size_t size, uint32_t begin, uint32_t end) {
        auto &c = *static_cast<Collect *>(user);
        ModelToken token;
        token.id = id;
        token.value.assign(piece, size);
        token.begin = c.charAt(begin);
        token.end = std::max(token.begin, c.charAt(end));
        if (c.words < 0 || token.value.compare(0, kSpace.size(), kSpace) == 0)
            ++c.words;
        token.word = c.words;
        c.out->push_back(std::move(token));
    };
    char error[512] = {};
    if (module().encode(m_model.get(), text.data(), text.size(), onPiece, &collect, error, sizeof error) != 0)
        throw Error(m_path + ": SentencePiece could not read the text (" + error + ")");
}

std::optional<int64_t> SentencePieceModel::idOf(const std::string &token) const
{
    const auto it = m_vocabulary.find(token);
    if (it == m_vocabulary.end())
        return std::nullopt;
    return it->second;
}

std::unique_ptr<SubwordTokenizer> SentencePieceModel::tokenizer(const std::string &bytes, const std::string &path,
                                                                const Options &options)
{
    auto model = std::make_unique<SentencePieceModel>(bytes, path);
    SubwordTokenizer::Parts parts;
    parts.description = model->description();
    using Piece = TemplatePostProcessor::Piece;
    std::vector<Piece> single;
    std::vector<Piece> pair;
    std::map<std::string, TemplatePostProcessor::SpecialToken> specials;
    auto special = [&](bool wanted, int id, const char *what) -> std::string {
        if (!wanted)
            return {};
        if (id < 0 || id >= static_cast<int>(model->m_vocabulary.size()))
            throw Error(path + ": the model has no " + what + " token to put around the text");
        const std::string name = pieceOf(model->m_model.get(), id);
        specials[name] = TemplatePostProcessor::SpecialToken{{id}, {name}};
        return name;
    };
    const std::string bos = special(options.addBos, model->m_bosId, "beginning-of-sequence");
    const std::string eos = special(options.addEos, model->m_eosId, "end-of-sequence");
    for (int sequence = 0; sequence < 2; ++sequence) {
        std::vector<Piece> &pieces = sequence == 0 ? single : pair;
        for (int part = 0; part <= sequence; ++part) {
            if (!bos.empty())
                pieces.push_back(Piece{false, 0, bos, part});
            pieces.push_back(Piece{true, part, {}, part});
            if (!eos.empty())
                pieces.push_back(Piece{false, 0, eos, part});
        }
    }
    parts.postProcessor.emplace(std::move(single), std::move(pair), std::move(specials));
    parts.model = std::move(model);
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

std::unique_ptr<SubwordTokenizer> SentencePieceModel::readTokenizer(const std::string &path, const Options &options)
{
    return tokenizer(TextFile::read(path, kMaxModelBytes), path, options);
}

} // namespace attnscope::core
