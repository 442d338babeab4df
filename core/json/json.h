#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::core {

/// A small JSON value: null, bool, number, string, array or object (keys keep
/// their insertion order), for manifests, result files and sessions. Read and
/// written by nlohmann-json (locale-independent numbers, strict UTF-8) behind
/// this value type, which keeps that header out of core's public ones and
/// adds AttnScope's limits: repeated member names and numbers beyond a double
/// are refused, nesting is bounded, errors say line and column. The reader is
/// a fuzzing target.
class Json
{
public:
    enum class Type { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool value);
    Json(int value);
    Json(int64_t value);
    Json(double value);
    Json(const char *value);
    Json(std::string value);
    Json(Array value);
    Json(Object value);

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    /// Parses text; throws Error("<source>: line L, column C: what") on bad input.
    static Json parse(const std::string &text, const std::string &source = "JSON");

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }
    bool isBool() const { return m_type == Type::Bool; }
    bool isNumber() const { return m_type == Type::Number; }
    bool isString() const { return m_type == Type::String; }
    bool isArray() const { return m_type == Type::Array; }
    bool isObject() const { return m_type == Type::Object; }

    bool toBool() const { return m_bool; }
    double toNumber() const { return m_number; }
    const std::string &toString() const { return m_string; }
    const Array &toArray() const { return m_array; }
    const Object &toObject() const { return m_object; }

    /// Object member, or nullptr when absent (or when this is no object).
    const Json *find(const std::string &key) const;
    bool contains(const std::string &key) const { return find(key) != nullptr; }

    /// Appends to an array / sets an object member (replacing an existing key).
    void push(Json value);
    void set(const std::string &key, Json value);
    /// Appends an object member without looking for the name (the reader,
    /// which refused repeated names already).
    void appendMember(std::string key, Json value);

    /// Serialises; indent < 0 gives one line. Non-finite numbers become null.
    std::string dump(int indent = -1) const;

    static const char *typeName(Type type);

private:
    void dumpTo(std::string &out, int indent, int depth) const;

    Type m_type = Type::Null;
    bool m_bool = false;
    double m_number = 0.0;
    std::string m_string;
    Array m_array;
    Object m_object;
};

} // namespace attnscope::core
