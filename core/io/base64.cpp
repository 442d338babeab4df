#include "core/io/base64.h"

#include "core/error.h"

#include <cstring>

namespace attnscope::core {

namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string Base64::encode(const std::vector<uint8_t> &data)
{
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    for (size_t i = 0; i < data.size(); i += 3) {
        const uint32_t n = uint32_t(data[i]) << 16 | (i + 1 < data.size() ? uint32_t(data[i + 1]) << 8 : 0)
            | (i + 2 < data.size() ? data[i + 2] : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
}

std::vector<uint8_t> Base64::decode(const std::string &text)
{
    if (text.size() % 4 != 0)
        throw Error("base64 data has a length that is not a multiple of 4");
    std::vector<uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        uint32_t n = 0;
        int pad = 0;
        for (size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            int v = 0;
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++pad;
            } else {
                if (pad > 0)
                    throw Error("base64 data has characters after its padding");
                const char *at = c ? std::strchr(kAlphabet, c) : nullptr;
                if (!at)
                    throw Error("base64 data has a character outside its alphabet");
                v = static_cast<int>(at - kAlphabet);
            }
            n = n << 6 | static_cast<uint32_t>(v);
        }
        out.push_back(static_cast<uint8_t>(n >> 16));
        if (pad < 2)
            out.push_back(static_cast<uint8_t>(n >> 8));
        if (pad < 1)
            out.push_back(static_cast<uint8_t>(n));
    }
    return out;
}

} // namespace attnscope::core
