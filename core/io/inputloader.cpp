#include "core/io/inputloader.h"

#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/image/imagedecoder.h"
#include "core/image/imagepreprocessor.h"
#include "core/text/tokenizer.h"

namespace attnscope::core {

ModelInput InputLoader::load(const Manifest &manifest, const std::string &imagePath, const std::string &text,
                             const std::string &pair)
{
    checkTextLength(text); // before the image is decoded
    checkTextLength(pair);
    if (!manifest.readsImage())
        return fromImage(manifest, RgbImage{}, text, pair);
    ModelInput input = fromImage(manifest, ImageDecoder::decodeFile(imagePath), text, pair);
    input.imagePath = imagePath;
    return input;
}

void InputLoader::checkTextLength(const std::string &text)
{
    if (text.size() > kMaxTextBytes)
        throw Error("the text is " + std::to_string(text.size() / 1000) + " kB long; AttnScope reads at most "
                    + std::to_string(kMaxTextBytes >> 20) + " MB of text (a model reads a few hundred words at most)");
}

ModelInput InputLoader::fromImage(const Manifest &manifest, const RgbImage &image, const std::string &text,
                                  const std::string &pair)
{
    checkTextLength(text);
    checkTextLength(pair);
    ModelInput input;
    if (manifest.takesImage() && image.width == 0) {
        // A version 1 model that reads no image still takes one: zeros, the
        // mean colour once normalised.
        input.height = manifest.image.height;
        input.width = manifest.image.width;
        input.pixels.assign(static_cast<size_t>(3) * input.height * input.width, 0.0f);
    } else if (manifest.takesImage()) {
        input.source = image;
        input.height = manifest.image.height;
        input.width = manifest.image.width;
        input.pixels = ImagePreprocessor::normalize(ImagePreprocessor::resize(image, manifest.image), manifest.image);
    }
    input.rawText = text;
    input.rawPair = pair;
    if (manifest.text.maxLength > 0) {
        const auto tokenizer = Tokenizer::of(manifest.text);
        if (!pair.empty() && !manifest.readsPairs())
            throw Error("this model reads one text, not a pair of texts");
        input.text = manifest.text.pair || !pair.empty() ? tokenizer->encodeWithPair(text, pair) : tokenizer->encode(text);
    }
    return input;
}

} // namespace attnscope::core
