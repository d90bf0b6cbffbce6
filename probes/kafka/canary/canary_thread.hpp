#pragma once
// What the canary's threads share: their loop, the buckets of their latency histograms, and
// the log line of a lost message.
//
// The loop of a canary thread: a round every interval (on a steady clock, so that a step of
// the wall clock neither skips nor repeats one), and in between `between(wait)`, which may
// wait up to `wait` (at most 100 ms, so that the loop sees `stopping` soon), and at most once
// a second `every_second()` (the tracker's expiry: it walks every pending message). An
// exception from any is logged with `what` and the loop goes on after 100 ms: a canary
// thread never ends before it is told to.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "probes/kafka/canary/canary_message.hpp"
#include "probes/kafka/canary/canary_tracker.hpp"

#include <librdkafka/rdkafka.h>
#include <prometheus/histogram.h>

namespace msgwatch::kafka {

void run_canary_loop(const std::atomic<bool>& stopping, std::chrono::milliseconds interval,
                     const std::function<void()>& round, const std::function<void(std::chrono::milliseconds)>& between,
                     const std::function<void()>& every_second, const std::string& cluster, const char* what) noexcept;

// Queues `message` for `partition` of `topic`, keyed by its instance, its partition and
// sequence carried to the delivery report (pack_canary_id). librdkafka's answer: an error
// here means it was not queued.
rd_kafka_resp_err_t produce_canary_message(rd_kafka_t* producer, const std::string& topic, std::int32_t partition,
                                           const CanaryMessage& message);

// One warning per lost message of `topic`, with the offset where the broker acknowledged it
// and how far the consumer read: where to look in the partition's log. `what`: "canary" or
// "transactional canary".
void log_lost_canary_messages(const std::vector<LostCanaryMessage>& lost, const std::string& cluster,
                              const std::string& topic, const char* what);

// Multiples of an SLA, from well inside it (0.2 %) to twice past it.
prometheus::Histogram::BucketBoundaries canary_sla_buckets(std::chrono::milliseconds sla);

}  // namespace msgwatch::kafka
