#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace attnscope::app {

class CommandOptions;

/// A time limit on a whole command (`--time-limit`, 0: none): a model whose
/// forward pass never returns (a loop in its TorchScript) cannot be
/// interrupted from outside, so when the limit passes the watchdog says so
/// and ends the process with exit code 1. It ends with the command that made
/// it, so a command run inside another program (the tests) leaves no timer
/// behind.
class Watchdog
{
public:
    /// Throws UsageError for a limit that is not 0 to a week of seconds.
    Watchdog(const CommandOptions &options, int defaultSeconds, std::string command);
    ~Watchdog();
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

private:
    std::mutex m_mutex;
    std::condition_variable m_finished;
    bool m_done = false;
    std::thread m_thread;
};

} // namespace attnscope::app
