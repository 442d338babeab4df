#include "core/json/json.h"

#include "core/error.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace attnscope::core {

namespace {

constexpr int kMaxDepth = 256;

class Parser
{
public:
    Parser(const std::string &text, const std::string &source)
        : m_text(text)
        , m_source(source)
    {
    }

    Json parseDocument()
    {
        skipSpace();
        Json value = parseValue(0);
        skipSpace();
        if (m_pos != m_text.size())
            fail("unexpected text after the end of the document");
        return value;
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < m_pos && i < m_text.size(); ++i) {
            if (m_text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw Error(m_source + ": line " + std::to_string(line) + ", column "
                    + std::to_string(column) + ": " + what);
    }

    void skipSpace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool consume(const char *literal)
    {
        size_t n = 0;
        while (literal[n] != '\0')
            ++n;
        if (m_text.compare(m_pos, n, literal) == 0) {
            m_pos += n;
            return true;
        }
        return false;
    }

    Json parseValue(int depth)
    {
        if (depth > kMaxDepth)
            fail("nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
        if (m_pos >= m_text.size())
            fail("unexpected end of the document");
        const char c = m_text[m_pos];
        if (c == '{')
            return parseObject(depth);
        if (c == '[')
            return parseArray(depth);
        if (c == '"')
            return Json(parseString());
        if (c == '-' || (c >= '0' && c <= '9'))
            return parseNumber();
        if (consume("true"))
            return Json(true);
        if (consume("false"))
            return Json(false);
        if (consume("null"))
            return Json();
        fail(std::string("unexpected character '") + c + "'");
    }

    Json parseObject(int depth)
    {
        ++m_pos; // '{'
        Json::Object members;
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == '}') {
            ++m_pos;
            return Json(std::move(members));
        }
        // Keys seen so far, so that a member is appended in constant time (an
        // object of 200,000 members used to take minutes) and a repeated name
        // is refused: which of two values a reader keeps is not defined.
        std::unordered_set<std::string> seen;
        while (true) {
            skipSpace();
            if (m_pos >= m_text.size() || m_text[m_pos] != '"')
                fail("expected a quoted member name");
            const size_t keyStart = m_pos;
            std::string key = parseString();
            skipSpace();
            if (m_pos >= m_text.size() || m_text[m_pos] != ':')
                fail("expected ':' after member name \"" + key + "\"");
            ++m_pos;
            skipSpace();
            if (!seen.insert(key).second) {
                m_pos = keyStart;
                fail("member name \"" + key + "\" appears twice");
            }
            Json value = parseValue(depth + 1);
            members.emplace_back(std::move(key), std::move(value));
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == '}') {
                ++m_pos;
                return Json(std::move(members));
            }
            fail("expected ',' or '}' in an object");
        }
    }

    Json parseArray(int depth)
    {
        ++m_pos; // '['
        Json result = Json::array();
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == ']') {
            ++m_pos;
            return result;
        }
        while (true) {
            skipSpace();
            result.push(parseValue(depth + 1));
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == ']') {
                ++m_pos;
                return result;
            }
            fail("expected ',' or ']' in an array");
        }
    }

    static void appendUtf8(std::string &out, uint32_t cp)
    {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    uint32_t parseHex4()
    {
        if (m_pos + 4 > m_text.size())
            fail("incomplete \\u escape");
        uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                value |= static_cast<uint32_t>(c - 'A' + 10);
            else
                fail("invalid hexadecimal digit in a \\u escape");
        }
        return value;
    }

    std::string parseString()
    {
        ++m_pos; // '"'
        std::string out;
        while (true) {
            if (m_pos >= m_text.size())
                fail("unterminated string");
            const char c = m_text[m_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character inside a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_text.size())
                fail("unterminated escape");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                uint32_t cp = parseHex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (!consume("\\u"))
                        fail("unpaired surrogate in a \\u escape");
                    const uint32_t low = parseHex4();
                    if (low < 0xDC00 || low > 0xDFFF)
                        fail("invalid low surrogate in a \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail("unpaired surrogate in a \\u escape");
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                fail(std::string("invalid escape '\\") + e + "'");
            }
        }
    }

    Json parseNumber()
    {
        const size_t start = m_pos;
        if (m_text[m_pos] == '-')
            ++m_pos;
        auto digits = [this] {
            size_t n = 0;
            while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') {
                ++m_pos;
                ++n;
            }
            return n;
        };
        if (digits() == 0)
            fail("invalid number");
        if (m_pos < m_text.size() && m_text[m_pos] == '.') {
            ++m_pos;
            if (digits() == 0)
                fail("invalid number: digits expected after '.'");
        }
        if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-'))
                ++m_pos;
            if (digits() == 0)
                fail("invalid number: digits expected in the exponent");
        }
        // from_chars reads the C locale's format whatever the process locale:
        // QApplication sets LC_NUMERIC from the desktop, and strtod would stop
        // at the '.' of "0.5" under de_DE.
        double value = 0.0;
        const char *first = m_text.data() + start;
        const auto [end, error] = std::from_chars(first, m_text.data() + m_pos, value);
        if (error == std::errc::result_out_of_range)
            fail("number out of range");
        if (error != std::errc() || end != m_text.data() + m_pos)
            fail("invalid number");
        return Json(value);
    }

    const std::string &m_text;
    const std::string &m_source;
    size_t m_pos = 0;
};

/// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t utf8SequenceAt(const std::string &text, size_t i)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80)
        return 1;
    size_t n = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            low = 0xA0;
        if (c == 0xED)
            high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            low = 0x90;
        if (c == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (i + n > text.size())
        return 0;
    if (byte(i + 1) < low || byte(i + 1) > high)
        return 0;
    for (size_t k = 2; k < n; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
            return 0;
    }
    return n;
}

// Strings are written as valid UTF-8 whatever they hold: a byte that starts
// no well-formed sequence (a manifest's Latin-1 label, a file name) becomes
// U+FFFD, so every file AttnScope writes is JSON a strict reader accepts.
void appendEscaped(std::string &out, const std::string &text)
{
    out += '"';
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const size_t n = utf8SequenceAt(text, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";
            } else {
                out.append(text, i, n);
                i += n - 1;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void appendNumber(std::string &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    // to_chars writes '.' whatever the process locale (snprintf wrote "0,55"
    // under de_DE, which is not JSON).
    char buffer[40];
    std::to_chars_result r;
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        r = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 0);
    else // 9 significant digits round-trip a float exactly.
        r = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 9);
    out.append(buffer, r.ptr);
}

} // namespace

Json::Json(bool value) : m_type(Type::Bool), m_bool(value) {}
Json::Json(int value) : m_type(Type::Number), m_number(value) {}
Json::Json(int64_t value) : m_type(Type::Number), m_number(static_cast<double>(value)) {}
Json::Json(double value) : m_type(Type::Number), m_number(value) {}
Json::Json(const char *value) : m_type(Type::String), m_string(value) {}
Json::Json(std::string value) : m_type(Type::String), m_string(std::move(value)) {}
Json::Json(Array value) : m_type(Type::Array), m_array(std::move(value)) {}
Json::Json(Object value) : m_type(Type::Object), m_object(std::move(value)) {}

Json Json::parse(const std::string &text, const std::string &source)
{
    return Parser(text, source).parseDocument();
}

const Json *Json::find(const std::string &key) const
{
    if (m_type != Type::Object)
        return nullptr;
    for (const auto &member : m_object) {
        if (member.first == key)
            return &member.second;
    }
    return nullptr;
}

void Json::push(Json value)
{
    if (m_type != Type::Array) {
        *this = array();
    }
    m_array.push_back(std::move(value));
}

void Json::set(const std::string &key, Json value)
{
    if (m_type != Type::Object)
        *this = object();
    for (auto &member : m_object) {
        if (member.first == key) {
            member.second = std::move(value);
            return;
        }
    }
    m_object.emplace_back(key, std::move(value));
}

std::string Json::dump(int indent) const
{
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

void Json::dumpTo(std::string &out, int indent, int depth) const
{
    auto newline = [&](int level) {
        if (indent < 0)
            return;
        out += '\n';
        out.append(static_cast<size_t>(indent * level), ' ');
    };
    switch (m_type) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += m_bool ? "true" : "false"; break;
    case Type::Number: appendNumber(out, m_number); break;
    case Type::String: appendEscaped(out, m_string); break;
    case Type::Array: {
        out += '[';
        // Arrays of plain numbers stay on one line: matrices remain readable.
        bool flat = true;
        for (const auto &item : m_array)
            flat = flat && !item.isArray() && !item.isObject();
        for (size_t i = 0; i < m_array.size(); ++i) {
            if (i > 0)
                out += flat && indent >= 0 ? ", " : ",";
            if (!flat)
                newline(depth + 1);
            m_array[i].dumpTo(out, indent, depth + 1);
        }
        if (!flat && !m_array.empty())
            newline(depth);
        out += ']';
        break;
    }
    case Type::Object: {
        out += '{';
        for (size_t i = 0; i < m_object.size(); ++i) {
            if (i > 0)
                out += ',';
            newline(depth + 1);
            appendEscaped(out, m_object[i].first);
            out += indent >= 0 ? ": " : ":";
            m_object[i].second.dumpTo(out, indent, depth + 1);
        }
        if (!m_object.empty())
            newline(depth);
        out += '}';
        break;
    }
    }
}

const char *Json::typeName(Type type)
{
    switch (type) {
    case Type::Null: return "null";
    case Type::Bool: return "a boolean";
    case Type::Number: return "a number";
    case Type::String: return "a string";
    case Type::Array: return "an array";
    case Type::Object: return "an object";
    }
    return "unknown";
}

} // namespace attnscope::core
