#include "core/io/inputloader.h"

#include "core/bundle/manifest.h"
#include "core/image/imagedecoder.h"
#include "core/image/imagepreprocessor.h"
#include "core/text/tokenizer.h"

namespace attnscope::core {

ModelInput InputLoader::load(const Manifest &manifest, const std::string &imagePath, const std::string &text)
{
    ModelInput input = fromImage(manifest, ImageDecoder::decodeFile(imagePath), text);
    input.imagePath = imagePath;
    return input;
}

ModelInput InputLoader::fromImage(const Manifest &manifest, const RgbImage &image, const std::string &text)
{
    ModelInput input;
    input.source = image;
    input.height = manifest.image.height;
    input.width = manifest.image.width;
    input.pixels = ImagePreprocessor::normalize(ImagePreprocessor::resize(image, manifest.image), manifest.image);
    input.rawText = text;
    if (manifest.text.maxLength > 0)
        input.text = Tokenizer::create(manifest.text)->encode(text);
    return input;
}

} // namespace attnscope::core
