#include "core/io/sessionfile.h"

#include "core/io/base64.h"

#include "core/error.h"
#include "core/json/json.h"

#include <cmath>

namespace attnscope::core {

namespace {

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
    // No image: the model sees none (a text classifier).
    static const Json kNoImage = Json::object();
    const Json *image = top.get("image", Json::Type::Object, false);
    const Reader i(image ? *image : kNoImage, source + ": image");
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
    if (image && s.imagePath.empty() && s.imageData.empty())
        throw Error(source + ": image has neither \"path\" nor \"data\" (leave \"image\" out for a model that sees none)");
    top.string("text", s.text);
    top.string("pair", s.pair);
    if (const Json *candidates = top.get("candidates", Json::Type::Array, false)) {
        for (const Json &c : candidates->toArray()) {
            if (!c.isString())
                throw Error(source + ": every entry of \"candidates\" must be a caption (a string)");
            s.candidates.push_back(c.toString());
        }
    }

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
        v.string("overlay", s.overlay);
        v.string("fusion", s.fusion);
        if (s.fusion != "mean" && s.fusion != "max" && s.fusion != "min")
            throw Error(source + ": view.fusion must be \"mean\", \"max\" or \"min\", not \"" + s.fusion + "\"");
        v.number("discard_ratio", s.discardRatio, 0.0, 0.999);
        v.boolean("without_sinks", s.withoutSinks);
        if (s.overlay != "spotlight" && s.overlay != "blend")
            throw Error(source + ": view.overlay must be \"spotlight\" or \"blend\", not \"" + s.overlay + "\"");
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
    if (!imagePath.empty() || !imageData.empty())
        root.set("image", image);
    root.set("text", text);
    if (!pair.empty())
        root.set("pair", pair);
    if (!candidates.empty()) {
        Json list = Json::array();
        for (const std::string &c : candidates)
            list.push(c);
        root.set("candidates", list);
    }
    Json view = Json::object();
    view.set("method", method);
    view.set("device", device);
    view.set("target", target);
    view.set("attention", attention);
    view.set("head", head);
    view.set("selected_token", selectedToken);
    view.set("colormap", colormap);
    view.set("opacity", opacity);
    view.set("overlay", overlay);
    view.set("fusion", fusion);
    view.set("discard_ratio", discardRatio);
    view.set("without_sinks", withoutSinks);
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
