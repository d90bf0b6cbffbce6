#pragma once

#include <string>
#include <vector>

namespace msgwatch {

// The whole daemon: flags, config, probes, scheduler, HTTP. Returns the process exit code:
// 0 after a clean stop (SIGINT/SIGTERM) or a passed --config.check, 1 for a bad
// configuration or a port that cannot be bound, 2 for bad flags.
int run_daemon(const std::vector<std::string>& args);

}  // namespace msgwatch
