#pragma once
// Internal to core/bundle: the manifest parser's field reader.

#include "core/bundle/manifest.h"
#include "core/error.h"

#include <cmath>
#include <optional>
#include <string>

namespace attnscope::core {

/// Reads fields with messages that name the source and the JSON path.
class ManifestReader
{
public:
    explicit ManifestReader(const std::string &source) : m_source(source) {}

    [[noreturn]] void fail(const std::string &path, const std::string &what) const
    {
        throw Error(m_source + ": manifest field '" + path + "' " + what);
    }

    const Json &require(const Json &object, const std::string &key, const std::string &path) const
    {
        const Json *value = object.find(key);
        if (!value)
            fail(path, "is missing");
        return *value;
    }

    std::string string(const Json &object, const std::string &key, const std::string &path,
                       const std::optional<std::string> &fallback = std::nullopt) const
    {
        const Json *value = object.find(key);
        if (!value) {
            if (fallback)
                return *fallback;
            fail(path, "is missing");
        }
        if (!value->isString())
            fail(path, std::string("must be a string, not ") + Json::typeName(value->type()));
        return value->toString();
    }

    bool boolean(const Json &object, const std::string &key, const std::string &path,
                 bool fallback) const
    {
        const Json *value = object.find(key);
        if (!value)
            return fallback;
        if (!value->isBool())
            fail(path, "must be true or false");
        return value->toBool();
    }

    int integer(const Json &value, const std::string &path, int minimum) const
    {
        if (!value.isNumber() || value.toNumber() != std::floor(value.toNumber())
            || std::fabs(value.toNumber()) > 1e9)
            fail(path, "must be a whole number");
        const int n = static_cast<int>(value.toNumber());
        if (n < minimum)
            fail(path, "must be at least " + std::to_string(minimum) + ", not " + std::to_string(n));
        return n;
    }

    int integer(const Json &object, const std::string &key, const std::string &path,
                int minimum) const
    {
        return integer(require(object, key, path), path, minimum);
    }

    const Json::Array &array(const Json &value, const std::string &path, size_t minSize) const
    {
        if (!value.isArray())
            fail(path, std::string("must be an array, not ") + Json::typeName(value.type()));
        if (value.toArray().size() < minSize)
            fail(path, "must have at least " + std::to_string(minSize) + " element(s)");
        return value.toArray();
    }

    const Json &object(const Json &value, const std::string &path) const
    {
        if (!value.isObject())
            fail(path, std::string("must be an object, not ") + Json::typeName(value.type()));
        return value;
    }

    std::array<float, 3> triple(const Json &object, const std::string &key, const std::string &path,
                                std::array<float, 3> fallback) const
    {
        const Json *value = object.find(key);
        if (!value)
            return fallback;
        const auto &items = array(*value, path, 3);
        if (items.size() != 3)
            fail(path, "must have exactly 3 numbers (one per colour channel)");
        std::array<float, 3> out{};
        for (size_t i = 0; i < 3; ++i) {
            if (!items[i].isNumber() || !std::isfinite(items[i].toNumber()))
                fail(path, "must hold finite numbers");
            out[i] = static_cast<float>(items[i].toNumber());
        }
        return out;
    }

    Modality modality(const Json &value, const std::string &path) const
    {
        if (!value.isString())
            fail(path, "must be \"image\", \"text\" or \"special\"");
        const std::string &s = value.toString();
        if (s == "image")
            return Modality::Image;
        if (s == "text")
            return Modality::Text;
        if (s == "special")
            return Modality::Special;
        fail(path, "must be \"image\", \"text\" or \"special\", not \"" + s + "\"");
    }

private:
    const std::string &m_source;
};

} // namespace attnscope::core
