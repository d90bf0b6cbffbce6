#pragma once
// Tests wait for conditions, never for fixed times: a sleep is either too short on a loaded
// machine or wastes time on an idle one. Deadlines are generous because timing is not what
// the tests assert.

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace msgwatch::test {

using namespace std::chrono_literals;

// Thrown when a deadline passes, so callers can add context (a log tail) to timeouts
// without wrapping failures that already carry it.
class WaitTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Polls `predicate` every 150 ms until it returns true. Throws WaitTimeout naming
// `what` and the elapsed time when `deadline` passes. Exceptions from the predicate
// propagate: a predicate that can fail transiently should catch and return false.
void wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds deadline, std::string_view what);

// Same, for predicates that can explain why they are not yet satisfied: `predicate` returns
// an empty string when done, otherwise the current state, which the timeout message quotes
// (e.g. "lag is 598, want 600").
void wait_until_explained(const std::function<std::string()>& predicate, std::chrono::milliseconds deadline,
                          std::string_view what);

}  // namespace msgwatch::test
