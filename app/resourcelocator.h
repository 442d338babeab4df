#pragma once

#include <QString>
#include <QStringList>

namespace attnscope::app {

/// Finds the bundled demo models and samples: $ATTNSCOPE_DATA_DIR, else
/// share/attnscope beside the binary's folder (installed, or the build
/// tree's links to the sources).
class ResourceLocator
{
public:
    explicit ResourceLocator(const QString &argv0);
    QString root() const { return m_root; }
    QString defaultModel() const;
    /// Every model of models/zoo, for the window's model selector.
    QStringList bundledModels() const;
    QString sampleImage() const;
    QString sampleText() const;

private:
    QString m_root;
};

} // namespace attnscope::app
