#pragma once
// Driving an io_context from a test: step it until a condition holds, with a generous
// bound, so that a hang fails the test instead of the run.

#include "probes/kafka/client/kafka_error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace msgwatch::kafka::test {

using namespace std::chrono_literals;

// Runs handlers until `done()` or the bound passes; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return done();
}

struct TaskOutcome {
  bool done = false;
  std::exception_ptr error;
};

// Starts `task` on the io_context; the outcome says when it ended and how.
template <class Awaitable>
std::shared_ptr<TaskOutcome> start(boost::asio::io_context& io, Awaitable task) {
  auto outcome = std::make_shared<TaskOutcome>();
  boost::asio::co_spawn(io, std::move(task), [outcome](std::exception_ptr error) {
    outcome->done = true;
    outcome->error = error;
  });
  return outcome;
}

// Runs `task` to its end (bounded) and rethrows what it threw.
template <class Awaitable>
void run_task(boost::asio::io_context& io, Awaitable task, std::chrono::milliseconds bound = 30s) {
  const auto outcome = start(io, std::move(task));
  if (!run_until(
          io, [&] { return outcome->done; }, bound))
    throw std::runtime_error("the task did not end in time");
  if (outcome->error) std::rethrow_exception(outcome->error);
}

// The message of a KafkaError, or a description of anything else.
inline std::string error_message(const std::exception_ptr& error) {
  if (!error) return "(no error)";
  try {
    std::rethrow_exception(error);
  } catch (const KafkaError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a KafkaError: ") + e.what();
  }
  return "(unknown exception)";
}

}  // namespace msgwatch::kafka::test
