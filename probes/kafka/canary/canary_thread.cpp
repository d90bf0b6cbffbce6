#include "probes/kafka/canary/canary_thread.hpp"

#include "exporter/sdk/log_event.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace msgwatch::kafka {

void run_canary_loop(const std::atomic<bool>& stopping, std::chrono::milliseconds interval,
                     const std::function<void()>& round, const std::function<void(std::chrono::milliseconds)>& between,
                     const std::function<void()>& every_second, const std::string& cluster, const char* what) noexcept {
  using namespace std::chrono_literals;
  constexpr auto kLongestWait = 100ms;
  auto next_round = std::chrono::steady_clock::now();
  auto next_second = next_round;
  while (!stopping) {
    try {
      if (std::chrono::steady_clock::now() >= next_round) {
        next_round = std::chrono::steady_clock::now() + interval;
        round();
      }
      const auto until_round =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_round - std::chrono::steady_clock::now());
      between(std::clamp<std::chrono::milliseconds>(until_round, 0ms, kLongestWait));
      if (std::chrono::steady_clock::now() >= next_second) {
        next_second = std::chrono::steady_clock::now() + 1s;
        every_second();
      }
    } catch (const std::exception& e) {
      try {
        log_event(spdlog::level::err, what, {{"cluster", cluster}, {"error", e.what()}});
      } catch (...) {  // logging failed too: carry on
      }
      std::this_thread::sleep_for(kLongestWait);
    } catch (...) {
      std::this_thread::sleep_for(kLongestWait);
    }
  }
}

void log_lost_canary_messages(const std::vector<LostCanaryMessage>& lost, const std::string& cluster,
                              const std::string& topic, const char* what) {
  for (const auto& message : lost) {
    log_event(spdlog::level::warn, std::string(what) + " message lost",
              {{"cluster", cluster},
               {"topic", topic},
               {"partition", std::to_string(message.partition)},
               {"offset", std::to_string(message.offset)},
               {"sequence", std::to_string(message.sequence)},
               {"leader_when_sent", std::to_string(message.leader)},
               {"read_to", message.read_to >= 0 ? std::to_string(message.read_to) : "awaited too long"}});
  }
}

rd_kafka_resp_err_t produce_canary_message(rd_kafka_t* producer, const std::string& topic, std::int32_t partition,
                                           const CanaryMessage& message) {
  const std::string value = encode_canary_message(message);
  return rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_KEY(message.instance.data(), message.instance.size()),
                           RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                           RD_KAFKA_V_OPAQUE(pack_canary_id(partition, message.sequence)), RD_KAFKA_V_END);
}

prometheus::Histogram::BucketBoundaries canary_sla_buckets(std::chrono::milliseconds sla) {
  const double seconds = std::chrono::duration<double>(sla).count();
  prometheus::Histogram::BucketBoundaries buckets;
  for (const double share : {0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0}) {
    buckets.push_back(seconds * share);
  }
  return buckets;
}

}  // namespace msgwatch::kafka
