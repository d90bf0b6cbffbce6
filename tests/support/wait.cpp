#include "support/wait.hpp"

#include <thread>

namespace msgwatch::test {

void wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds deadline, std::string_view what) {
  wait_until_explained([&]() -> std::string { return predicate() ? "" : "not yet"; }, deadline, what);
}

void wait_until_explained(const std::function<std::string()>& predicate, std::chrono::milliseconds deadline,
                          std::string_view what) {
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + deadline;
  for (;;) {
    std::string state = predicate();
    if (state.empty()) return;
    if (std::chrono::steady_clock::now() >= end) {
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      throw WaitTimeout("timed out after " + std::to_string(waited.count()) + " ms waiting for " + std::string(what) +
                        " (last state: " + state + ")");
    }
    std::this_thread::sleep_for(150ms);
  }
}

}  // namespace msgwatch::test
