#include "core/text/clipvocabulary.h"

#include "core/error.h"
#include "core/io/textfile.h"
#include "core/text/bpemodel.h"
#include "core/text/bytelevelpretokenizer.h"
#include "core/text/clipnormalizer.h"
#include "core/text/clippretokenizer.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/unicodeproperties.h"

#include <zlib.h>

#include <algorithm>

namespace attnscope::core {

namespace {

/// The real file is 1.4 MB gzipped, 4.4 MB inflated.
constexpr size_t kMaxInflatedBytes = size_t(64) << 20;

std::string inflateGzip(const std::string &bytes, const std::string &path)
{
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        throw Error(path + ": cannot start reading the gzip data");
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char buffer[1 << 16];
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = reinterpret_cast<Bytef *>(buffer);
        z.avail_out = sizeof buffer;
        status = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - z.avail_out);
        if (out.size() > kMaxInflatedBytes) {
            inflateEnd(&z);
            throw Error(path + ": unpacks to more than " + std::to_string(kMaxInflatedBytes >> 20) + " MB");
        }
        if (status == Z_OK && z.avail_in == 0 && z.avail_out != 0)
            break; // the data ended before the stream did
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END)
        throw Error(path + ": the gzip data is damaged or cut short");
    return out;
}

std::string utf8(char32_t c)
{
    std::string s;
    UnicodeProperties::appendUtf8(c, s);
    return s;
}

} // namespace

std::unique_ptr<SubwordTokenizer> ClipVocabulary::read(const std::string &path)
{
    return parse(TextFile::read(path, kMaxInflatedBytes), path);
}

std::unique_ptr<SubwordTokenizer> ClipVocabulary::parse(const std::string &bytes, const std::string &path)
{
    const bool gzipped = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F
                         && static_cast<unsigned char>(bytes[1]) == 0x8B;
    const std::string text = gzipped ? inflateGzip(bytes, path) : bytes;
    // simple_tokenizer.py: merges = lines[1:49152-256-2+1], each "a b".
    std::vector<BpeModel::Merge> merges;
    size_t start = text.find('\n');
    if (start == std::string::npos)
        throw Error(path + ": a CLIP BPE vocabulary has a header line and then one merge per line");
    ++start;
    for (size_t line = 1; start < text.size() && merges.size() < kMaxMerges; ++line) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string merge = text.substr(start, end - start);
        const size_t space = merge.find(' ');
        if (space == std::string::npos || space == 0 || merge.find(' ', space + 1) != std::string::npos)
            throw Error(path + ": line " + std::to_string(line + 1) + " is not two symbols separated by one space");
        merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
        start = end + 1;
    }
    // The byte symbols in the order of bytes_to_unicode's values (ascending
    // code points), then each with "</w>", then one entry per merge.
    std::vector<char32_t> symbols;
    for (int b = 0; b < 256; ++b)
        symbols.push_back(ByteLevelPreTokenizer::byteSymbol(static_cast<uint8_t>(b)));
    std::sort(symbols.begin(), symbols.end());
    Vocabulary vocabulary;
    int64_t id = 0;
    for (char32_t s : symbols)
        vocabulary.emplace(utf8(s), id++);
    for (char32_t s : symbols)
        vocabulary.emplace(utf8(s) + "</w>", id++);
    for (const BpeModel::Merge &m : merges)
        vocabulary[m.first + m.second] = id++; // a repeated result takes its last id, as CLIP's dict does
    const int64_t sot = id++, eot = id++;
    vocabulary["<|startoftext|>"] = sot;
    vocabulary["<|endoftext|>"] = eot;

    SubwordTokenizer::Parts parts;
    parts.description = "CLIP BPE, " + std::to_string(vocabulary.size()) + " tokens, " + std::to_string(merges.size())
                        + " merges";
    BpeModel::Options options;
    options.endOfWordSuffix = "</w>";
    try {
        parts.model = std::make_unique<BpeModel>(std::move(vocabulary), merges, options);
    } catch (const Error &e) {
        throw Error(path + ": " + e.what());
    }
    parts.normalizer = std::make_shared<ClipNormalizer>();
    parts.preTokenizer = std::make_unique<ClipPreTokenizer>();
    for (const auto &[name, tokenId] : {std::pair<std::string, int64_t>{"<|startoftext|>", sot}, {"<|endoftext|>", eot}}) {
        AddedToken t;
        t.content = name;
        t.id = tokenId;
        t.special = true;
        t.normalized = true; // found after lower-casing, as CLIP's pattern finds it
        parts.addedTokens.push_back(t);
    }
    parts.postProcessor = TemplatePostProcessor::bert("<|startoftext|>", sot, "<|endoftext|>", eot);
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

} // namespace attnscope::core
