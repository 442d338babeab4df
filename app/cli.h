#pragma once

#include <string>
#include <vector>

namespace attnscope::app {

/// True when argv names a CLI subcommand (info, explain, eval, help, version).
bool isCliCommand(const std::vector<std::string> &args);
/// Runs the subcommand; returns the process exit code (0 ok, 1 failed, 2 bad usage).
int runCli(const std::vector<std::string> &args);

} // namespace attnscope::app
