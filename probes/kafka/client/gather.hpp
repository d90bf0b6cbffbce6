#pragma once
// Runs coroutines concurrently on the current executor and waits for all of them: one
// request per broker goes out at once, and a failing broker costs only its own slot.

#include "exporter/sdk/async_event.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <vector>

namespace msgwatch::kafka {

template <class T>
struct Outcome {
  std::optional<T> value;
  std::exception_ptr error;  // set when value is empty
};

template <class T>
boost::asio::awaitable<std::vector<Outcome<T>>> gather(std::vector<boost::asio::awaitable<T>> tasks) {
  auto executor = co_await boost::asio::this_coro::executor;
  struct State {
    explicit State(const boost::asio::any_io_executor& ex, std::size_t count)
        : remaining(count), outcomes(count), all_done(ex) {}
    std::size_t remaining;
    std::vector<Outcome<T>> outcomes;
    AsyncEvent all_done;
  };
  auto state = std::make_shared<State>(executor, tasks.size());
  if (tasks.empty()) co_return std::vector<Outcome<T>>{};
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    boost::asio::co_spawn(executor, std::move(tasks[i]), [state, i](std::exception_ptr error, T value) {
      if (error) {
        state->outcomes[i].error = error;
      } else {
        state->outcomes[i].value = std::move(value);
      }
      if (--state->remaining == 0) state->all_done.set();
    });
  }
  co_await state->all_done.wait();
  co_return std::move(state->outcomes);
}

}  // namespace msgwatch::kafka
