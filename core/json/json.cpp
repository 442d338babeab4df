#include "core/json/json.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <unordered_set>

namespace attnscope::core {

namespace {

constexpr int kMaxDepth = 256;

// nlohmann's SAX interface says where an error is, but not where a member
// name or a number is; reading the text through an iterator that counts
// what the lexer consumed gives those positions too.
class CountingIterator
{
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char *;
    using reference = const char &;

    CountingIterator(const char *at, size_t *consumed)
        : m_at(at)
        , m_consumed(consumed)
    {
    }
    reference operator*() const { return *m_at; }
    CountingIterator &operator++()
    {
        ++m_at;
        ++*m_consumed;
        return *this;
    }
    CountingIterator operator++(int)
    {
        CountingIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const CountingIterator &other) const { return m_at == other.m_at; }
    bool operator!=(const CountingIterator &other) const { return m_at != other.m_at; }

private:
    const char *m_at;
    size_t *m_consumed;
};

/// "line L, column C" of a byte offset (both from 1, columns in bytes).
std::string lineAndColumn(const std::string &text, size_t offset)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// Builds a Json from nlohmann's SAX events, with what JSON itself allows
/// but AttnScope does not: repeated member names (the first would silently
/// lose), numbers beyond a double (1e999), nesting deeper than kMaxDepth.
class Builder : public nlohmann::json_sax<nlohmann::json>
{
public:
    Builder(const std::string &text, const size_t &consumed)
        : m_text(text)
        , m_consumed(consumed)
    {
    }

    bool null() override { return add(Json()); }
    bool boolean(bool value) override { return add(Json(value)); }
    bool number_integer(number_integer_t value) override { return add(Json(static_cast<int64_t>(value))); }
    bool number_unsigned(number_unsigned_t value) override { return add(Json(static_cast<double>(value))); }
    bool number_float(number_float_t value, const string_t &) override
    {
        if (!std::isfinite(value))
            return fail(numberStart(m_consumed), "number out of range");
        return add(Json(value));
    }
    bool string(string_t &value) override { return add(Json(std::move(value))); }
    bool binary(binary_t &) override { return fail(m_consumed, "binary values are not JSON"); }
    bool start_object(std::size_t) override { return open(Json::object()); }
    bool key(string_t &value) override
    {
        Level &level = m_stack.back();
        if (!level.keys.insert(value).second)
            return fail(keyStart(), "member name \"" + value + "\" appears twice");
        level.key = std::move(value);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(Json::array()); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string &, const nlohmann::json::exception &e) override
    {
        // `position` counts the characters the lexer took, the one where it
        // noticed the error last.
        const size_t at = position > 0 ? position - 1 : 0;
        if (e.id == 406) // a number beyond a double: where it starts
            return fail(numberStart(position), "number out of range");
        // "[json.exception.parse_error.101] parse error at line 1, column 4:
        // syntax error while parsing value - invalid literal; last read:
        // '...'; expected ..." without the prefix, nlohmann's own position
        // (it counts a newline it read as the next line's column 0) and the
        // echo of the input (which may hold any bytes).
        std::string what = e.what();
        const size_t colon = what.find(": ");
        if (what.find(" at line ") != std::string::npos && colon != std::string::npos)
            what.erase(0, colon + 2);
        const size_t echo = what.find("; last read: '");
        if (echo != std::string::npos) {
            const size_t end = what.find("'; expected", echo);
            what.erase(echo, end == std::string::npos ? std::string::npos : end + 1 - echo);
        }
        return fail(at, what);
    }

    Json result() { return std::move(m_root); }
    const std::string &error() const { return m_error; }

private:
    struct Level
    {
        Json value;
        std::string key;
        std::unordered_set<std::string> keys;
    };

    bool fail(size_t offset, const std::string &what)
    {
        m_error = lineAndColumn(m_text, offset) + ": " + what;
        return false;
    }
    bool add(Json value)
    {
        if (m_stack.empty()) {
            m_root = std::move(value);
            return true;
        }
        Level &level = m_stack.back();
        if (level.value.isArray()) {
            level.value.push(std::move(value));
        } else {
            // set() would search the members for the name again: the key
            // set above has refused repeats, so append.
            level.value.appendMember(std::move(level.key), std::move(value));
        }
        return true;
    }
    bool open(Json container)
    {
        if (m_stack.size() >= static_cast<size_t>(kMaxDepth))
            return fail(m_consumed > 0 ? m_consumed - 1 : 0, "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
        m_stack.push_back(Level{std::move(container), {}, {}});
        return true;
    }
    bool close()
    {
        Json done = std::move(m_stack.back().value);
        m_stack.pop_back();
        return add(std::move(done));
    }
    // The lexer has read the key's closing quote: back to its opening one
    // (one not escaped by an odd run of backslashes).
    size_t keyStart() const
    {
        size_t i = std::min(m_consumed, m_text.size());
        if (i > 0)
            --i; // the closing quote
        while (i > 0) {
            --i;
            if (m_text[i] != '"')
                continue;
            size_t slashes = 0;
            while (slashes < i && m_text[i - 1 - slashes] == '\\')
                ++slashes;
            if (slashes % 2 == 0)
                return i;
        }
        return 0;
    }
    // The number's first character, from a position at or just past its end.
    size_t numberStart(size_t end) const
    {
        size_t i = std::min(end, m_text.size());
        while (i > 0 && std::string_view("0123456789+-.eE").find(m_text[i - 1]) != std::string_view::npos)
            --i;
        if (i < end && i < m_text.size() && std::string_view("0123456789+-.eE").find(m_text[i]) == std::string_view::npos)
            ++i;
        return i;
    }

    const std::string &m_text;
    const size_t &m_consumed;
    std::vector<Level> m_stack;
    Json m_root;
    std::string m_error;
};

// A number as nlohmann writes it: whole numbers as integers; a value that a
// float holds exactly (scores, probabilities, every map AttnScope computes)
// in the shortest digits that read back as that float; others as a double.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

void appendNumber(std::string &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    if (value == std::floor(value) && std::fabs(value) < 9.0e15)
        out += nlohmann::json(static_cast<std::int64_t>(value)).dump();
    else if (static_cast<double>(static_cast<float>(value)) == value)
        out += FloatJson(static_cast<float>(value)).dump();
    else
        out += nlohmann::json(value).dump();
}

// Strings are written as valid UTF-8 whatever they hold: a byte that starts
// no well-formed sequence (a manifest's Latin-1 label, a file name) becomes
// U+FFFD, so every file AttnScope writes is JSON a strict reader accepts.
void appendString(std::string &out, const std::string &text)
{
    out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
    size_t consumed = 0;
    Builder builder(text, consumed);
    const CountingIterator first(text.data(), &consumed), last(text.data() + text.size(), &consumed);
    if (!nlohmann::json::sax_parse(first, last, &builder, nlohmann::json::input_format_t::json, true, false))
        throw Error(source + ": " + builder.error());
    return builder.result();
}

void Json::appendMember(std::string key, Json value)
{
    if (m_type != Type::Object)
        *this = object();
    m_object.emplace_back(std::move(key), std::move(value));
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
    case Type::String: appendString(out, m_string); break;
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
            appendString(out, m_object[i].first);
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
