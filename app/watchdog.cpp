#include "app/watchdog.h"

#include "app/commandline.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace attnscope::app {

Watchdog::Watchdog(const CommandOptions &options, int defaultSeconds, std::string command)
{
    const double seconds = options.number("--time-limit", defaultSeconds);
    if (!(seconds >= 0) || seconds > 7 * 24 * 3600.0)
        throw UsageError{"--time-limit must be a number of seconds up to a week (0 for none)"};
    if (seconds == 0)
        return;
    m_thread = std::thread([this, seconds, command = std::move(command)] {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (m_finished.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return m_done; }))
            return;
        std::fprintf(stderr,
                     "attnscope: error: %s did not finish within %g s (--time-limit): the model's forward pass may "
                     "never return; stopped\n",
                     command.c_str(), seconds);
        std::fflush(stderr);
        std::_Exit(1);
    });
}

Watchdog::~Watchdog()
{
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_done = true;
    }
    m_finished.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

} // namespace attnscope::app
