// The word-level tokenizer and the UTF-8 sanitiser on arbitrary text. The
// first byte picks the options (lower-casing, CLS/SEP, maximum length), so
// the fuzzer explores them too.
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/text/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope::core;
    if (size == 0)
        return 0;
    const uint8_t options = data[0];
    TextSpec spec;
    spec.lowercase = options & 1;
    spec.addCls = options & 2;
    spec.addSep = options & 4;
    spec.maxLength = 1 + (options >> 3); // 1 to 32
    spec.vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "is", "there", "a", "red", "circle", "?", "é", "日本"};
    const std::string text(reinterpret_cast<const char *>(data + 1), size - 1);
    try {
        const auto tokenizer = Tokenizer::create(spec);
        const TokenizedText t = tokenizer->encode(text);
        // What the rest of AttnScope relies on.
        if (t.ids.size() != static_cast<size_t>(spec.maxLength) || t.mask.size() != t.ids.size()
            || t.tokens.size() != t.ids.size())
            std::abort();
        for (int64_t id : t.ids)
            if (id < 0 || id >= static_cast<int64_t>(spec.vocab.size()))
                std::abort();
        for (const std::string &token : t.tokens)
            if (sanitizeUtf8(token) != token) // every display token is already clean UTF-8
                std::abort();
    } catch (const Error &) {
        // the spec is fixed and valid: no error is expected, but one is not a crash
    }
    const std::string clean = sanitizeUtf8(text);
    if (sanitizeUtf8(clean) != clean) // sanitising is idempotent
        std::abort();
    return 0;
}
