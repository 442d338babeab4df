#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QString>

#include <map>
#include <string>
#include <vector>

namespace attnscope::app {

/// A bad option or value: the program prints the message and the command's
/// usage and exits 2.
struct UsageError
{
    std::string message;
};

/// `attnscope CMD --help`: the program prints the text and exits 0.
struct HelpRequested
{
    std::string text;
};

/// One option of a command: `--name VALUE` (or `--name=VALUE`), or a flag
/// when `value` is empty.
struct OptionSpec
{
    const char *name;
    const char *value; ///< what the value is ("FILE", "N"); empty for a flag
    const char *description;
};

/// The options of `attnscope info`, `explain` and `eval`, and of the window.
const std::vector<OptionSpec> &infoOptions();
const std::vector<OptionSpec> &explainOptions();
const std::vector<OptionSpec> &evalOptions();
const std::vector<OptionSpec> &tokenizeOptions();
const std::vector<OptionSpec> &windowOptions();
/// The options as QCommandLineParser takes them (the window's parser).
QList<QCommandLineOption> toQtOptions(const std::vector<OptionSpec> &specs);

/// `attnscope --help`: the commands, then every option of the window and of
/// each command.
std::string programHelp();
/// `attnscope CMD --help`: the command's usage line and every option.
std::string commandHelp(const std::string &command);

/// The options after a subcommand, parsed by QCommandLineParser: `--key
/// value` and `--key=value`, flags, positional arguments. Throws UsageError
/// for an unknown option or a missing value, HelpRequested for --help.
class CommandOptions
{
public:
    CommandOptions(const std::vector<std::string> &args, const std::string &command,
                   const std::vector<OptionSpec> &specs);

    bool has(const std::string &key) const { return m_values.count(key) > 0; }
    std::string get(const std::string &key, const std::string &fallback = {}) const;
    /// Throws UsageError when absent.
    std::string require(const std::string &key) const;
    /// Whole and finite numbers, read the same in every locale; throw
    /// UsageError naming the option otherwise.
    int integer(const std::string &key, int fallback) const;
    double number(const std::string &key, double fallback) const;
    const std::vector<std::string> &positional() const { return m_positional; }
    /// Every value of an option given more than once (--candidate A --candidate B).
    std::vector<std::string> all(const std::string &key) const;

private:
    std::map<std::string, std::string> m_values; ///< "--name" -> value ("1" for a flag); the last when repeated
    std::map<std::string, std::vector<std::string>> m_allValues;
    std::vector<std::string> m_positional;
};

} // namespace attnscope::app
