// Builds the kafka_lag benchmark's workload on a fresh cluster: many topics (replication
// factor 1), a few messages in every partition, and many consumer groups without members
// that have committed offsets.
//
// The test helpers (KafkaAdmin::create_topic, commit_offsets) do one object per call and
// wait for every broker to agree, which is right for a test and far too slow for 500 topics
// and 2,000 groups. So this uses librdkafka's admin API in bulk: CreateTopics with many
// topics per request, one producer and one flush for all partitions, and many
// AlterConsumerGroupOffsets requests in flight (librdkafka 2.0.2 takes one group per call).
// On a cluster of several brokers it waits until each of them knows every new topic, and
// sends again the messages the producer failed before sending them (a broker that had not
// caught up said their topic had no partitions).
//
// With --transactional-ids N, N transactional producers then each commit one transaction
// (one message to a topic of its own, `<prefix>-transactions`, which no group reads), so
// that the coordinators hold N transactional ids for the cycle's transaction requests to
// list and describe.
//
// Prints what it built, and the lag the daemon must then report, one `name value unit` line
// each, so the bench can check the daemon's output against it.
//
//   build_workload --bootstrap HOST:PORT --topics N --groups N
//                  [--partitions 10] [--group-partitions 10] [--messages 20] [--prefix bench]
//                  [--topics-per-request 100] [--commits-in-flight 64] [--transactional-ids 0]

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/kafka_admin.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Deleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
  void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
  void operator()(rd_kafka_AlterConsumerGroupOffsets_t* p) const { rd_kafka_AlterConsumerGroupOffsets_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const { rd_kafka_topic_partition_list_destroy(p); }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Deleter>;

struct Options {
  std::string bootstrap;
  int topics = 0;
  int partitions = 10;
  int groups = 0;
  int group_partitions = 10;
  int messages = 20;
  std::string prefix = "bench";
  int topics_per_request = 100;
  int commits_in_flight = 64;
  int transactional_ids = 0;
};

std::string topic_name(const Options& o, int t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-topic-%04d", t);
  return o.prefix + buf;
}

std::string group_name(const Options& o, int g) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-group-%05d", g);
  return o.prefix + buf;
}

// Group g commits on the first group_partitions partitions of topic g % topics, at offsets
// spread over 0..messages, so that lag values differ and their sum is known exactly.
int group_topic(const Options& o, int g) { return g % o.topics; }
std::int64_t committed_offset(const Options& o, int g, int p) { return (g + p) % (o.messages + 1); }

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void figure(const std::string& name, double value, const char* unit) {
  std::printf("%s %.10g %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

void progress(const std::string& text) { std::fprintf(stderr, "build_workload: %s\n", text.c_str()); }

void check(rd_kafka_resp_err_t err, std::string_view what) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string(what) + ": " + rd_kafka_err2name(err) + " (" + rd_kafka_err2str(err) + ")");
  }
}

Ptr<rd_kafka_t> make_client(const Options& o, const std::vector<std::pair<std::string, std::string>>& settings,
                            void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                            void* opaque = nullptr) {
  Ptr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error("librdkafka property " + key + "=" + value + ": " + errstr);
    }
  };
  set("bootstrap.servers", o.bootstrap);
  set("client.id", "msgwatch-bench");
  for (const auto& [key, value] : settings) set(key, value);
  if (on_delivery != nullptr) rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf.get(), opaque);
  // rd_kafka_new takes the configuration only on success.
  Ptr<rd_kafka_t> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr));
  if (!rk) throw std::runtime_error(std::string("rd_kafka_new: ") + errstr);
  static_cast<void>(conf.release());  // now owned by the client
  return rk;
}

Ptr<rd_kafka_AdminOptions_t> admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
  Ptr<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(rk, op));
  char errstr[512];
  const int ms = static_cast<int>(timeout.count());
  check(rd_kafka_AdminOptions_set_request_timeout(options.get(), ms, errstr, sizeof errstr), errstr);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS) {
    // The broker answers once the topics exist (or the time is up), not right away.
    check(rd_kafka_AdminOptions_set_operation_timeout(options.get(), ms, errstr, sizeof errstr), errstr);
  }
  return options;
}

Ptr<rd_kafka_event_t> poll_event(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout, std::string_view what) {
  Ptr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count())));
  if (!event) throw std::runtime_error(std::string(what) + ": no result from librdkafka in time");
  check(rd_kafka_event_error(event.get()), what);
  return event;
}

void create_topics(const Options& o, rd_kafka_t* rk) {
  Ptr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk));
  auto options = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, 180s);
  int requests = 0;
  // All requests are sent at once: librdkafka pipelines them to the controller.
  for (int first = 0; first < o.topics; first += o.topics_per_request) {
    std::vector<Ptr<rd_kafka_NewTopic_t>> owned;
    std::vector<rd_kafka_NewTopic_t*> batch;
    for (int t = first; t < std::min(o.topics, first + o.topics_per_request); ++t) {
      char errstr[512];
      Ptr<rd_kafka_NewTopic_t> topic(
          rd_kafka_NewTopic_new(topic_name(o, t).c_str(), o.partitions, 1, errstr, sizeof errstr));
      if (!topic) throw std::runtime_error("NewTopic " + topic_name(o, t) + ": " + errstr);
      batch.push_back(topic.get());
      owned.push_back(std::move(topic));
    }
    rd_kafka_CreateTopics(rk, batch.data(), batch.size(), options.get(), queue.get());
    ++requests;
  }
  for (int r = 0; r < requests; ++r) {
    auto event = poll_event(queue.get(), 200s, "CreateTopics");
    const auto* result = rd_kafka_event_CreateTopics_result(event.get());
    if (result == nullptr)
      throw std::runtime_error(std::string("CreateTopics: unexpected ") + rd_kafka_event_name(event.get()));
    size_t count = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      // TOPIC_ALREADY_EXISTS is an error too: on a reused broker the offsets and the
      // expected lag would not be what this program computes.
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* text = rd_kafka_topic_result_error_string(topics[i]);
        throw std::runtime_error(std::string("create topic ") + rd_kafka_topic_result_name(topics[i]) + ": " +
                                 rd_kafka_err2name(err) + " " + (text != nullptr ? text : "") +
                                 " (the bench needs a fresh broker)");
      }
    }
  }
}

// "" once the metadata lists every topic with all partitions led; else the first problem.
std::string unled_partitions(const Options& o, const rd_kafka_metadata_t& md) {
  std::map<std::string_view, const rd_kafka_metadata_topic_t*> by_name;
  for (int i = 0; i < md.topic_cnt; ++i) by_name.emplace(md.topics[i].topic, &md.topics[i]);
  int missing = 0;
  int unled = 0;
  for (int t = 0; t < o.topics; ++t) {
    const auto found = by_name.find(topic_name(o, t));
    if (found == by_name.end() || found->second->partition_cnt != o.partitions) {
      ++missing;
      continue;
    }
    for (int p = 0; p < found->second->partition_cnt; ++p) {
      const auto& partition = found->second->partitions[p];
      if (partition.err != RD_KAFKA_RESP_ERR_NO_ERROR || partition.leader < 0) ++unled;
    }
  }
  if (missing == 0 && unled == 0) return "";
  return std::to_string(missing) + " topics missing or short, " + std::to_string(unled) + " partitions without leader";
}

// How the workload's partitions are spread over the brokers: their number, and the most
// partitions any one of them leads (its open files and memory maps grow with that).
struct Placement {
  std::vector<std::string> brokers;  // host:port
  int most_led = 0;
};

Placement placement(const Options& o, const rd_kafka_metadata_t& md) {
  std::map<std::int32_t, int> led;
  for (int i = 0; i < md.topic_cnt; ++i) {
    if (!std::string_view(md.topics[i].topic).starts_with(o.prefix + "-topic-")) continue;
    for (int p = 0; p < md.topics[i].partition_cnt; ++p) ++led[md.topics[i].partitions[p].leader];
  }
  Placement result;
  for (int i = 0; i < md.broker_cnt; ++i) {
    result.brokers.push_back(std::string(md.brokers[i].host) + ":" + std::to_string(md.brokers[i].port));
  }
  for (const auto& [broker, count] : led) result.most_led = std::max(result.most_led, count);
  return result;
}

// Polls metadata through `rk` until it lists every topic with all partitions led; returns
// that metadata's placement.
std::optional<Placement> poll_until_led(const Options& o, rd_kafka_t* rk, Clock::time_point until,
                                        std::string& problem) {
  while (Clock::now() < until) {
    const rd_kafka_metadata_t* raw = nullptr;
    // All topics: a request naming topics could create them on a broker that allows it.
    if (rd_kafka_metadata(rk, 1, nullptr, &raw, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Ptr<const rd_kafka_metadata_t> md(raw);
      problem = unled_partitions(o, *md);
      if (problem.empty()) return placement(o, *md);
    }
    std::this_thread::sleep_for(200ms);
  }
  return std::nullopt;
}

// Every broker answers Metadata from its own copy of the cluster's metadata, which a busy
// broker applies late: a producer that asks it about a topic created moments before may hear
// that the topic has no partitions, and fail its messages. So on a cluster of several
// brokers this also asks each broker alone (a client bootstrapped with it only, which has
// no other connection to ask) until each reports the whole workload.
Placement wait_for_leaders(const Options& o, rd_kafka_t* rk, std::chrono::seconds deadline) {
  const auto until = Clock::now() + deadline;
  std::string problem = "no metadata yet";
  auto result = poll_until_led(o, rk, until, problem);
  if (result && result->brokers.size() > 1) {
    for (const auto& broker : result->brokers) {
      Options alone = o;
      alone.bootstrap = broker;
      auto client = make_client(alone, {});
      if (!poll_until_led(o, client.get(), until, problem)) {
        problem = "broker " + broker + ": " + problem;
        result.reset();
        break;
      }
    }
  }
  if (!result) throw std::runtime_error("topics not ready after " + std::to_string(deadline.count()) + "s: " + problem);
  return *result;
}

struct DeliveryCounts {
  long delivered = 0;
  long failed = 0;
  std::string first_failure;
  std::vector<long> resend;  // messages (by index) that were never sent
};

// C callback, runs inside rd_kafka_poll/flush on this thread; must not throw into C.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) noexcept {
  auto* counts = static_cast<DeliveryCounts*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++counts->delivered;
    return;
  }
  try {
    // Failed in the client before it was sent (the topic's metadata said it had no such
    // partition): sending it again cannot duplicate it.
    if (msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      counts->resend.push_back(static_cast<long>(reinterpret_cast<std::uintptr_t>(msg->_private)));
      return;
    }
    if (counts->failed++ == 0) counts->first_failure = rd_kafka_err2name(msg->err);
  } catch (...) {
    ++counts->failed;  // out of memory for the diagnostic: still a failure
  }
}

// Writes `messages` messages to every partition; returns how many had to be sent again.
long produce_all(const Options& o) {
  DeliveryCounts counts;
  // Large batches and a generous queue: one flush at the end for every partition.
  auto rk = make_client(o,
                        {{"linger.ms", "50"},
                         {"acks", "all"},
                         {"queue.buffering.max.messages", "2000000"},
                         {"batch.num.messages", "10000"},
                         {"message.timeout.ms", "180000"}},
                        &on_delivery, &counts);
  const long total = static_cast<long>(o.topics) * o.partitions * o.messages;
  // Message `index` is number index % messages of its partition; the index travels as the
  // message's opaque, so that a failed one can be sent again.
  const auto send = [&](long index) {
    const int m = static_cast<int>(index % o.messages);
    const int p = static_cast<int>(index / o.messages % o.partitions);
    const std::string topic = topic_name(o, static_cast<int>(index / o.messages / o.partitions));
    const std::string value = "bench-" + std::to_string(m);
    for (;;) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(index))), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        counts.resend.push_back(index);  // refused at once, for the same reason
        return;
      }
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        check(err, "produce to " + topic + "/" + std::to_string(p));
        return;
      }
      rd_kafka_poll(rk.get(), 100);
    }
  };
  for (long index = 0; index < total; ++index) {
    send(index);
    if (index % 1000 == 999) rd_kafka_poll(rk.get(), 0);
  }
  check(rd_kafka_flush(rk.get(), 180000), "flush");
  long resent = 0;
  for (int round = 1; !counts.resend.empty() && counts.failed == 0; ++round) {
    if (round > 20) throw std::runtime_error("messages still unsent after 20 rounds");
    std::vector<long> again;
    again.swap(counts.resend);
    progress("sending " + std::to_string(again.size()) + " messages again (round " + std::to_string(round) +
             "): a broker did not know their topic yet");
    std::this_thread::sleep_for(2s);
    resent += static_cast<long>(again.size());
    for (const long index : again) send(index);
    check(rd_kafka_flush(rk.get(), 180000), "flush");
  }
  if (counts.failed != 0 || counts.delivered != total) {
    throw std::runtime_error("produced " + std::to_string(counts.delivered) + " of " + std::to_string(total) +
                             " messages; " + std::to_string(counts.failed) + " failed, first: " + counts.first_failure);
  }
  return resent;
}

// The coordinator is still loading or moving, or the request timed out: worth another try.
bool retriable(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
      return true;
    default:
      return false;
  }
}

class OffsetCommitter {
 public:
  OffsetCommitter(const Options& o, rd_kafka_t* rk)
      : o_(o),
        rk_(rk),
        queue_(rd_kafka_queue_new(rk)),
        options_(admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, 30s)) {}

  int committed() const { return committed_; }
  int retries() const { return retries_; }

  void run() {
    // The first commit creates __consumer_offsets and waits for its coordinators; doing it
    // alone keeps 2,000 requests from all retrying against a loading coordinator.
    std::deque<int> pending;
    for (int g = 0; g < o_.groups; ++g) pending.push_back(g);
    if (!pending.empty()) {
      const int first = pending.front();
      pending.pop_front();
      for (std::deque<int> retry{first}; !retry.empty();) {
        send(first);
        retry.clear();
        receive(retry);
      }
    }
    while (!pending.empty() || in_flight_ > 0) {
      while (!pending.empty() && in_flight_ < o_.commits_in_flight) {
        send(pending.front());
        pending.pop_front();
      }
      receive(pending);
    }
  }

 private:
  static constexpr int kMaxAttempts = 20;

  void send(int g) {
    const std::string group = group_name(o_, g);
    const std::string topic = topic_name(o_, group_topic(o_, g));
    Ptr<rd_kafka_topic_partition_list_t> partitions(rd_kafka_topic_partition_list_new(o_.group_partitions));
    for (int p = 0; p < std::min(o_.group_partitions, o_.partitions); ++p) {
      rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), p)->offset = committed_offset(o_, g, p);
    }
    Ptr<rd_kafka_AlterConsumerGroupOffsets_t> alter(
        rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), partitions.get()));
    rd_kafka_AlterConsumerGroupOffsets_t* one = alter.get();
    rd_kafka_AlterConsumerGroupOffsets(rk_, &one, 1, options_.get(), queue_.get());
    ++in_flight_;
  }

  void receive(std::deque<int>& pending) {
    auto event = Ptr<rd_kafka_event_t>(rd_kafka_queue_poll(queue_.get(), 60000));
    if (!event) throw std::runtime_error("AlterConsumerGroupOffsets: no result from librdkafka in 60s");
    --in_flight_;
    const rd_kafka_resp_err_t event_err = rd_kafka_event_error(event.get());
    const auto* result = rd_kafka_event_AlterConsumerGroupOffsets_result(event.get());
    if (event_err != RD_KAFKA_RESP_ERR_NO_ERROR || result == nullptr) {
      // Without a result the group is unknown, so such errors are not retried.
      throw std::runtime_error(std::string("AlterConsumerGroupOffsets: ") + rd_kafka_err2name(event_err) + " " +
                               rd_kafka_event_error_string(event.get()));
    }
    size_t count = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &count);
    for (size_t i = 0; i < count; ++i) {
      const std::string name = rd_kafka_group_result_name(groups[i]);
      rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
      if (const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[i])) err = rd_kafka_error_code(error);
      const rd_kafka_topic_partition_list_t* partitions = rd_kafka_group_result_partitions(groups[i]);
      for (int p = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions != nullptr && p < partitions->cnt; ++p) {
        err = partitions->elems[p].err;
      }
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++committed_;
        continue;
      }
      const int g = std::atoi(name.substr(name.rfind('-') + 1).c_str());
      if (!retriable(err) || ++attempts_[g] >= kMaxAttempts) {
        throw std::runtime_error("commit offsets of group " + name + ": " + rd_kafka_err2name(err));
      }
      ++retries_;
      std::this_thread::sleep_for(100ms);
      pending.push_back(g);
    }
  }

  const Options& o_;
  rd_kafka_t* rk_;
  Ptr<rd_kafka_queue_t> queue_;
  Ptr<rd_kafka_AdminOptions_t> options_;
  int in_flight_ = 0;
  int committed_ = 0;
  int retries_ = 0;
  std::map<int, int> attempts_;
};

// Reads a sample of what was built back through the test helpers' independent clients, so
// a silently dropped message or commit fails here rather than skewing the bench.
void verify_sample(const Options& o) {
  msgwatch::test::KafkaAdmin admin(o.bootstrap);
  const int samples = std::min(o.groups, 8);
  for (int i = 0; i < samples; ++i) {
    const int g = static_cast<int>(static_cast<long>(i) * o.groups / samples);
    const std::string topic = topic_name(o, group_topic(o, g));
    std::vector<msgwatch::test::TopicPartition> partitions;
    const int count = std::min(o.group_partitions, o.partitions);
    partitions.reserve(static_cast<std::size_t>(count));
    for (int p = 0; p < count; ++p) partitions.push_back({topic, p});
    const auto committed = msgwatch::test::committed_offsets(o.bootstrap, group_name(o, g), partitions);
    for (std::size_t p = 0; p < partitions.size(); ++p) {
      const auto want = committed_offset(o, g, static_cast<int>(p));
      if (committed[p] != want) {
        throw std::runtime_error("group " + group_name(o, g) + " on " + topic + "/" + std::to_string(p) +
                                 ": committed " + (committed[p] ? std::to_string(*committed[p]) : "nothing") +
                                 ", expected " + std::to_string(want));
      }
      const auto high = admin.watermarks(topic, static_cast<std::int32_t>(p)).high;
      if (high != o.messages) {
        throw std::runtime_error(topic + "/" + std::to_string(p) + ": high watermark " + std::to_string(high) +
                                 ", expected " + std::to_string(o.messages));
      }
    }
  }
}

int count_arg(std::string_view flag, const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 0 || v > 1'000'000) {
    throw std::runtime_error(std::string(flag) + ": not a count: " + text);
  }
  return static_cast<int>(v);
}

// One committed transaction per transactional id, a few producers at a time.
void commit_transactions(const Options& o) {
  if (o.transactional_ids == 0) return;
  const std::string topic = o.prefix + "-transactions";
  msgwatch::test::KafkaAdmin(o.bootstrap).create_topic(topic, o.partitions);
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&o, &errors, &topic, t] {
      try {
        for (int i = t; i < o.transactional_ids; i += kThreads) {
          char id[64];
          std::snprintf(id, sizeof id, "%s-txn-%05d", o.prefix.c_str(), i);
          msgwatch::test::KafkaProducer producer(o.bootstrap, {.transactional_id = id, .settings = {}});
          producer.begin_transaction();
          producer.produce(topic, i % o.partitions, 1);
          producer.commit_transaction();
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
    const char* value = argv[++i];
    if (flag == "--bootstrap") {
      o.bootstrap = value;
    } else if (flag == "--topics") {
      o.topics = count_arg(flag, value);
    } else if (flag == "--partitions") {
      o.partitions = count_arg(flag, value);
    } else if (flag == "--groups") {
      o.groups = count_arg(flag, value);
    } else if (flag == "--group-partitions") {
      o.group_partitions = count_arg(flag, value);
    } else if (flag == "--messages") {
      o.messages = count_arg(flag, value);
    } else if (flag == "--prefix") {
      o.prefix = value;
    } else if (flag == "--topics-per-request") {
      o.topics_per_request = count_arg(flag, value);
    } else if (flag == "--commits-in-flight") {
      o.commits_in_flight = count_arg(flag, value);
    } else if (flag == "--transactional-ids") {
      o.transactional_ids = count_arg(flag, value);
    } else {
      throw std::runtime_error("unknown flag " + std::string(flag));
    }
  }
  if (o.bootstrap.empty() || o.topics < 1 || o.partitions < 1 || o.topics_per_request < 1 || o.commits_in_flight < 1) {
    throw std::runtime_error(
        "--bootstrap, --topics, --partitions, --topics-per-request, --commits-in-flight required >= 1");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse_args(argc, argv);
    const int committed_partitions = std::min(o.group_partitions, o.partitions);
    std::int64_t lag_sum = 0;
    for (int g = 0; g < o.groups; ++g) {
      for (int p = 0; p < committed_partitions; ++p) lag_sum += o.messages - committed_offset(o, g, p);
    }
    auto admin = make_client(o, {});

    auto start = Clock::now();
    create_topics(o, admin.get());
    figure("workload.create_topics", seconds_since(start), "s");
    start = Clock::now();
    const Placement spread = wait_for_leaders(o, admin.get(), 300s);
    figure("workload.topics_led", seconds_since(start), "s");
    progress("created " + std::to_string(o.topics) + " topics");

    start = Clock::now();
    const long resent = o.messages > 0 ? produce_all(o) : 0;
    figure("workload.produce", seconds_since(start), "s");
    figure("workload.produce_resent", static_cast<double>(resent), "messages");
    progress("produced " + std::to_string(o.messages) + " messages to each partition");

    start = Clock::now();
    OffsetCommitter committer(o, admin.get());
    committer.run();
    figure("workload.commit_offsets", seconds_since(start), "s");
    progress("committed offsets for " + std::to_string(committer.committed()) + " groups (" +
             std::to_string(committer.retries()) + " retried)");

    verify_sample(o);

    start = Clock::now();
    commit_transactions(o);
    figure("workload.transactions", seconds_since(start), "s");
    progress("committed one transaction for each of " + std::to_string(o.transactional_ids) + " transactional ids");

    figure("workload.topics", o.topics, "topics");
    figure("workload.partitions", static_cast<double>(o.topics) * o.partitions, "partitions");
    figure("workload.brokers", static_cast<double>(spread.brokers.size()), "brokers");
    figure("workload.partitions_most_led", spread.most_led, "partitions");
    figure("workload.groups", o.groups, "groups");
    figure("workload.messages", static_cast<double>(o.topics) * o.partitions * o.messages, "messages");
    figure("workload.lag_series", static_cast<double>(o.groups) * committed_partitions, "series");
    figure("workload.lag_sum", static_cast<double>(lag_sum), "messages");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "build_workload: error: %s\n", e.what());
    return 1;
  }
}
