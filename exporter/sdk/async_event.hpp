#pragma once
// A signal from one coroutine (or completion handler) to one waiting coroutine on the same
// io_context thread. Boost 1.74 has no channels; a timer that never expires by itself and
// is cancelled by set() does the job.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace msgwatch {

class AsyncEvent {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AsyncEvent(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  void set() {
    set_ = true;
    timer_.cancel();
  }
  [[nodiscard]] bool is_set() const { return set_; }

  // Waits until set() or the deadline; returns whether it was set. One waiter at a time.
  boost::asio::awaitable<bool> wait_until(Clock::time_point deadline) {
    while (!set_ && Clock::now() < deadline) {
      timer_.expires_at(deadline);
      boost::system::error_code ignored;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    co_return set_;
  }

  boost::asio::awaitable<void> wait() { co_await wait_until(Clock::time_point::max()); }

 private:
  boost::asio::steady_timer timer_;
  bool set_ = false;
};

}  // namespace msgwatch
