#pragma once

#include "app/commandline.h"
#include "core/explain/explanation.h"
#include "core/explain/faithfulnessareas.h"
#include "core/io/inputloader.h"
#include "core/io/sessionfile.h"
#include "core/json/json.h"
#include "core/render/colormap.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::core {
class CapturedRun;
class ModelBundle;
struct ModalityWeights;
}

namespace attnscope::app {

/// `attnscope explain`: one input (from the options or a session) through
/// the chosen methods. Writes explanation.json with every method's scores,
/// trust check and perturbation curves, an overlay PNG and NPY arrays per
/// method, and on request the report a domain expert reads.
class ExplainCommand
{
public:
    /// Reads the options; throws UsageError for a bad one.
    explicit ExplainCommand(const std::vector<std::string> &args);
    ~ExplainCommand();
    /// Throws core::Error (exit 1) or UsageError (exit 2).
    int run();

private:
    void readSession();
    void readOptions();
    void checkSession() const;
    /// A file a session names, beside the session file unless absolute.
    std::string besideSession(const std::string &file) const;
    void openModel();
    void readInput();
    /// --text (--text-pair), or the bytes of --text-file (--text-pair-file).
    std::string textOption(const char *option, const char *fileOption) const;
    /// The input as explanation.json describes it; prints its notes.
    core::Json describeInput() const;
    /// Every method; a method that fails is named, the others still run.
    core::Json explainMethods();
    core::Json explainOne(const core::Explanation &e);
    void writeReport(const core::Explanation &shown, const core::ModalityWeights &weights) const;

    CommandOptions m_options;
    std::string m_out;
    std::optional<core::Session> m_session;
    std::string m_sessionFolder;
    std::vector<core::Method> m_methods;
    core::MethodOptions m_base;
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    double m_opacity = 0.5;
    std::string m_overlay;
    std::string m_interpolation;
    std::shared_ptr<core::ModelBundle> m_bundle;
    core::ModelInput m_input;
    /// Zero-shot: the candidate captions and their ranking (empty otherwise).
    std::vector<std::string> readCandidates() const;
    void rankCandidates(const std::vector<std::string> &captions, const std::string &chosen);
    core::Json m_zeroShot;
    std::unique_ptr<core::CapturedRun> m_run;
    std::vector<core::Explanation> m_explanations; ///< the methods that worked, in order
    std::vector<core::FaithfulnessCurve> m_faithfulness;
};

} // namespace attnscope::app
