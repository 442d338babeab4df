#include "core/io/sessionfile.h"

#include "core/error.h"
#include "core/json/json.h"

#include <cmath>
#include <cstring>

namespace attnscope::core {

namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

class Reader
{
public:
    Reader(const Json &object, std::string source)
        : m_object(object)
        , m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string &key, const std::string &what) const
    {
        throw Error(m_source + ": \"" + key + "\" " + what);
    }

    const Json *get(const std::string &key, Json::Type type, bool required) const
    {
        const Json *v = m_object.find(key);
        if (!v) {
            if (required)
                fail(key, "is missing");
            return nullptr;
        }
        if (v->type() != type)
            fail(key, std::string("must be ") + Json::typeName(type) + ", not " + Json::typeName(v->type()));
        return v;
    }

    void string(const std::string &key, std::string &out, bool required = false) const
    {
        if (const Json *v = get(key, Json::Type::String, required))
            out = v->toString();
    }

    void integer(const std::string &key, int &out, int low, int high) const
    {
        if (const Json *v = get(key, Json::Type::Number, false)) {
            const double d = v->toNumber();
            if (d != std::floor(d) || d < low || d > high)
                fail(key, "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high));
            out = static_cast<int>(d);
        }
    }

    void number(const std::string &key, double &out, double low, double high) const
    {
        if (const Json *v = get(key, Json::Type::Number, false)) {
            const double d = v->toNumber();
            if (!(d >= low && d <= high))
                fail(key, "must be a number from " + std::to_string(low) + " to " + std::to_string(high));
            out = d;
        }
    }

    void boolean(const std::string &key, bool &out) const
    {
        if (const Json *v = get(key, Json::Type::Bool, false))
            out = v->toBool();
    }

private:
    const Json &m_object;
    std::string m_source;
};

constexpr int kLargest = 1 << 24;

} // namespace

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

Session Session::parse(const std::string &text, const std::string &source)
{
    const Json root = Json::parse(text, source);
    if (!root.isObject())
        throw Error(source + ": a session file is a JSON object");
    const Reader top(root, source);
    std::string format;
    top.string("format", format, true);
    if (format != kFormat)
        throw Error(source + ": \"format\" is \"" + format + "\"; this AttnScope reads \"" + kFormat + "\"");

    Session s;
    const Json *model = top.get("model", Json::Type::Object, true);
    const Reader m(*model, source + ": model");
    m.string("path", s.modelPath, true);
    m.string("sha256", s.modelSha256);
    const Json *image = top.get("image", Json::Type::Object, true);
    const Reader i(*image, source + ": image");
    i.string("path", s.imagePath);
    i.string("sha256", s.imageSha256);
    std::string embedded;
    i.string("data", embedded);
    if (!embedded.empty()) {
        try {
            s.imageData = Base64::decode(embedded);
        } catch (const Error &e) {
            throw Error(source + ": image \"data\": " + e.what());
        }
    }
    if (s.imagePath.empty() && s.imageData.empty())
        throw Error(source + ": image has neither \"path\" nor \"data\"");
    top.string("text", s.text);

    const Json *view = top.get("view", Json::Type::Object, false);
    if (view) {
        const Reader v(*view, source + ": view");
        v.string("method", s.method);
        v.string("device", s.device);
        v.integer("target", s.target, -1, kLargest);
        v.integer("attention", s.attention, -1, kLargest);
        v.integer("head", s.head, -1, kLargest);
        v.integer("selected_token", s.selectedToken, -1, kLargest);
        v.string("colormap", s.colormap);
        v.number("opacity", s.opacity, 0.0, 1.0);
        v.boolean("smooth", s.smooth);
        v.boolean("grid", s.grid);
        v.number("zoom", s.zoom, 1.0, 64.0);
        v.number("pan_x", s.panX, -1e6, 1e6);
        v.number("pan_y", s.panY, -1e6, 1e6);
        v.integer("tab", s.tab, 0, 16);
    }
    return s;
}

std::string Session::toJson() const
{
    Json root = Json::object();
    root.set("format", kFormat);
    Json model = Json::object();
    model.set("path", modelPath);
    model.set("sha256", modelSha256);
    root.set("model", model);
    Json image = Json::object();
    image.set("path", imagePath);
    image.set("sha256", imageSha256);
    if (!imageData.empty())
        image.set("data", Base64::encode(imageData));
    root.set("image", image);
    root.set("text", text);
    Json view = Json::object();
    view.set("method", method);
    view.set("device", device);
    view.set("target", target);
    view.set("attention", attention);
    view.set("head", head);
    view.set("selected_token", selectedToken);
    view.set("colormap", colormap);
    view.set("opacity", opacity);
    view.set("smooth", smooth);
    view.set("grid", grid);
    view.set("zoom", zoom);
    view.set("pan_x", panX);
    view.set("pan_y", panY);
    view.set("tab", tab);
    root.set("view", view);
    return root.dump(1) + "\n";
}

} // namespace attnscope::core
