#pragma once

#include <QString>

namespace attnscope::ui {

/// What a model is called in the model boxes: an archive's base name
/// ("shapes_clip"), a checkpoint folder's name, with the folder above it
/// for a layout's subfolder ("deit_small/hf"), a weights file's folder
/// ("model.safetensors" says nothing).
class ModelName
{
public:
    static QString of(const QString &path);
};

} // namespace attnscope::ui
