#include "support/kafka_admin.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

#include "support/wait.hpp"

namespace msgwatch::test {

using namespace kafka_detail;

namespace {

Ptr<const rd_kafka_metadata_t> fetch_metadata(rd_kafka_t* rk, std::chrono::milliseconds timeout,
                                              const std::string& what) {
  const rd_kafka_metadata_t* md = nullptr;
  // All topics rather than one: a request naming a topic can make a broker with
  // auto.create.topics.enable create it.
  check(rd_kafka_metadata(rk, 1, nullptr, &md, to_ms(timeout)), "metadata request to " + what);
  return Ptr<const rd_kafka_metadata_t>(md);
}

const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& md, const std::string& name) {
  for (int t = 0; t < md.topic_cnt; ++t) {
    if (name == md.topics[t].topic) return &md.topics[t];
  }
  return nullptr;
}

// "" if the topic is listed with `partitions` partitions, each with a leader; else why not.
std::string led_partitions_problem(const rd_kafka_metadata_t& md, const std::string& name, int partitions) {
  const rd_kafka_metadata_topic_t* topic = find_topic(md, name);
  if (topic == nullptr) return "topic not listed";
  if (topic->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::string("topic error ") + rd_kafka_err2name(topic->err);
  }
  if (topic->partition_cnt != partitions) {
    return std::to_string(topic->partition_cnt) + " partitions";
  }
  for (int p = 0; p < topic->partition_cnt; ++p) {
    const rd_kafka_metadata_partition_t& part = topic->partitions[p];
    if (part.err != RD_KAFKA_RESP_ERR_NO_ERROR || part.leader < 0) {
      return "partition " + std::to_string(part.id) + " has no leader (" + rd_kafka_err2name(part.err) + ")";
    }
  }
  return "";
}

}  // namespace

struct KafkaAdmin::Impl {
  std::string bootstrap;
  KafkaSettings settings;
  // Consumer handles without a group: the only kind on which librdkafka lets isolation.level
  // be set, and rd_kafka_query_watermark_offsets answers the "high" offset for that level
  // (read_committed, the default, gives the last stable offset).
  Ptr<rd_kafka_t> rk;
  Ptr<rd_kafka_queue_t> queue;
  Ptr<rd_kafka_t> committed_rk;  // created on first use
  // One client per broker, bootstrapped from that broker alone, to read each broker's own
  // view of the metadata (see every_broker_agrees).
  std::map<std::int32_t, Ptr<rd_kafka_t>> broker_clients;

  static Ptr<rd_kafka_t> client(const std::string& bootstrap, KafkaSettings settings, const char* isolation) {
    settings.insert(settings.begin(), {"isolation.level", isolation});
    return make_client(RD_KAFKA_CONSUMER, make_conf(bootstrap, settings));
  }

  Ptr<const rd_kafka_metadata_t> metadata(std::chrono::milliseconds timeout) {
    return fetch_metadata(rk.get(), timeout, bootstrap);
  }

  // "" once every live broker's metadata satisfies `check`, else which broker disagrees.
  // Brokers apply metadata changes independently, so a change one broker reports may not
  // yet be visible on the next, and a test's next request can go to any of them.
  std::string every_broker_agrees(const std::function<std::string(const rd_kafka_metadata_t&)>& check) {
    auto cluster = metadata(10s);
    std::string problems;
    for (int b = 0; b < cluster->broker_cnt; ++b) {
      const rd_kafka_metadata_broker_t& broker = cluster->brokers[b];
      const std::string address = std::string(broker.host) + ":" + std::to_string(broker.port);
      const std::string label = "broker " + std::to_string(broker.id) + " (" + address + ")";
      auto& client = broker_clients[broker.id];
      if (!client) client = Impl::client(address, settings, "read_uncommitted");
      try {
        auto view = fetch_metadata(client.get(), 3s, address);
        // librdkafka picks the broker it asks; a client that knows only this broker's
        // address asks it, but confirm rather than assume.
        std::string problem = view->orig_broker_id == broker.id
                                  ? check(*view)
                                  : "answered by broker " + std::to_string(view->orig_broker_id);
        if (!problem.empty()) problems += label + ": " + problem + "; ";
      } catch (const std::exception& e) {
        problems += label + ": " + e.what() + "; ";
      }
    }
    return problems;
  }

  void wait_partitions_led(const std::string& name, int partitions, std::chrono::milliseconds deadline) {
    wait_until_explained(
        [&] {
          return every_broker_agrees(
              [&](const rd_kafka_metadata_t& md) { return led_partitions_problem(md, name, partitions); });
        },
        deadline,
        "every broker to show topic " + name + " with " + std::to_string(partitions) +
            " partitions, each with a leader");
  }

  Ptr<rd_kafka_AdminOptions_t> options(rd_kafka_admin_op_t op, std::chrono::milliseconds deadline) {
    Ptr<rd_kafka_AdminOptions_t> o(rd_kafka_AdminOptions_new(rk.get(), op));
    char errstr[512];
    if (rd_kafka_AdminOptions_set_request_timeout(o.get(), to_ms(deadline), errstr, sizeof errstr) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(std::string("admin request timeout: ") + errstr);
    }
    return o;
  }

  // The result event of the one request outstanding on `queue`.
  Ptr<rd_kafka_event_t> await(rd_kafka_event_type_t type, std::chrono::milliseconds deadline, const std::string& what) {
    Ptr<rd_kafka_event_t> ev(rd_kafka_queue_poll(queue.get(), to_ms(deadline + 5s)));
    if (!ev) throw std::runtime_error(what + ": no result from librdkafka in time");
    if (rd_kafka_event_type(ev.get()) != type) {
      throw std::runtime_error(what + ": unexpected event " + rd_kafka_event_name(ev.get()));
    }
    check(rd_kafka_event_error(ev.get()), what);
    return ev;
  }
};

KafkaAdmin::KafkaAdmin(std::string bootstrap, const KafkaSettings& settings) : impl_(std::make_unique<Impl>()) {
  impl_->bootstrap = std::move(bootstrap);
  impl_->settings = settings;
  impl_->rk = Impl::client(impl_->bootstrap, settings, "read_uncommitted");
  impl_->queue.reset(rd_kafka_queue_new(impl_->rk.get()));
}

KafkaAdmin::~KafkaAdmin() = default;
KafkaAdmin::KafkaAdmin(KafkaAdmin&&) noexcept = default;
KafkaAdmin& KafkaAdmin::operator=(KafkaAdmin&&) noexcept = default;

void KafkaAdmin::create_topic(const std::string& name, int partitions, int replication_factor,
                              const TopicConfigs& configs, std::chrono::milliseconds deadline) {
  const std::string what = "create topic " + name;
  char errstr[512];
  Ptr<rd_kafka_NewTopic_t> topic(
      rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor, errstr, sizeof errstr));
  if (!topic) throw std::runtime_error(what + ": " + errstr);
  for (const auto& [key, value] : configs) {
    check(rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()), what + " config " + key);
  }
  auto opts = impl_->options(RD_KAFKA_ADMIN_OP_CREATETOPICS, deadline);
  // Makes the controller answer only once the topic exists, not merely once it is queued.
  if (rd_kafka_AdminOptions_set_operation_timeout(opts.get(), to_ms(deadline), errstr, sizeof errstr) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + errstr);
  }
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(impl_->rk.get(), topics, 1, opts.get(), impl_->queue.get());
  auto ev = impl_->await(RD_KAFKA_EVENT_CREATETOPICS_RESULT, deadline, what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &count);
  if (count != 1) throw std::runtime_error(what + ": " + std::to_string(count) + " results");
  if (rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* msg = rd_kafka_topic_result_error_string(results[0]);
    throw std::runtime_error(what + ": " + rd_kafka_err2name(rd_kafka_topic_result_error(results[0])) + ": " +
                             (msg != nullptr ? msg : ""));
  }
  impl_->wait_partitions_led(name, partitions, deadline);
}

void KafkaAdmin::add_partitions(const std::string& name, int total_partitions, std::chrono::milliseconds deadline) {
  const std::string what = "add partitions to " + name;
  char errstr[512];
  Ptr<rd_kafka_NewPartitions_t> np(
      rd_kafka_NewPartitions_new(name.c_str(), static_cast<size_t>(total_partitions), errstr, sizeof errstr));
  if (!np) throw std::runtime_error(what + ": " + errstr);
  auto opts = impl_->options(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, deadline);
  rd_kafka_NewPartitions_t* list[] = {np.get()};
  rd_kafka_CreatePartitions(impl_->rk.get(), list, 1, opts.get(), impl_->queue.get());
  auto ev = impl_->await(RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, deadline, what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    check(rd_kafka_topic_result_error(results[i]), what);
  }
  impl_->wait_partitions_led(name, total_partitions, deadline);
}

void KafkaAdmin::delete_topic(const std::string& name, std::chrono::milliseconds deadline) {
  const std::string what = "delete topic " + name;
  Ptr<rd_kafka_DeleteTopic_t> topic(rd_kafka_DeleteTopic_new(name.c_str()));
  auto opts = impl_->options(RD_KAFKA_ADMIN_OP_DELETETOPICS, deadline);
  rd_kafka_DeleteTopic_t* topics[] = {topic.get()};
  rd_kafka_DeleteTopics(impl_->rk.get(), topics, 1, opts.get(), impl_->queue.get());
  auto ev = impl_->await(RD_KAFKA_EVENT_DELETETOPICS_RESULT, deadline, what);
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &count);
  for (size_t i = 0; i < count; ++i) check(rd_kafka_topic_result_error(results[i]), what);
  wait_until_explained(
      [&] {
        return impl_->every_broker_agrees([&](const rd_kafka_metadata_t& md) -> std::string {
          return find_topic(md, name) == nullptr ? "" : "still listed";
        });
      },
      deadline, "topic " + name + " to disappear from every broker's metadata");
}

void KafkaAdmin::delete_groups(const std::vector<std::string>& groups, std::chrono::milliseconds deadline) {
  if (groups.empty()) return;
  std::string what = "delete groups";
  for (const auto& g : groups) what += " " + g;
  std::vector<std::string> remaining = groups;
  // librdkafka 2.0.2 reports a coordinator that is still loading or has just moved as a
  // result instead of retrying, which happens on a fresh cluster; those groups are retried.
  wait_until_explained(
      [&]() -> std::string {
        std::vector<Ptr<rd_kafka_DeleteGroup_t>> owned;
        std::vector<rd_kafka_DeleteGroup_t*> raw;
        for (const auto& g : remaining) {
          owned.emplace_back(rd_kafka_DeleteGroup_new(g.c_str()));
          raw.push_back(owned.back().get());
        }
        auto opts = impl_->options(RD_KAFKA_ADMIN_OP_DELETEGROUPS, deadline);
        rd_kafka_DeleteGroups(impl_->rk.get(), raw.data(), raw.size(), opts.get(), impl_->queue.get());
        auto ev = impl_->await(RD_KAFKA_EVENT_DELETEGROUPS_RESULT, deadline, what);
        size_t count = 0;
        const rd_kafka_group_result_t** results =
            rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &count);
        std::vector<std::string> retry;
        std::string retriable, fatal;
        for (size_t i = 0; i < count; ++i) {
          const rd_kafka_error_t* e = rd_kafka_group_result_error(results[i]);
          if (e == nullptr) continue;
          const std::string text = std::string(" ") + rd_kafka_group_result_name(results[i]) + ": " +
                                   rd_kafka_error_name(e) + " (" + rd_kafka_error_string(e) + ");";
          switch (rd_kafka_error_code(e)) {
            case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
            case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
            case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
              retry.emplace_back(rd_kafka_group_result_name(results[i]));
              retriable += text;
              break;
            default:
              fatal += text;
          }
        }
        if (!fatal.empty()) throw std::runtime_error(what + ":" + fatal);
        remaining = std::move(retry);
        return retriable;
      },
      deadline, what);
}

void KafkaAdmin::wait_brokers_listed(const std::set<std::int32_t>& brokers, std::chrono::milliseconds deadline) {
  wait_until_explained(
      [&] {
        return impl_->every_broker_agrees([&](const rd_kafka_metadata_t& md) -> std::string {
          std::string missing;
          for (const auto id : brokers) {
            const bool listed = std::any_of(md.brokers, md.brokers + md.broker_cnt,
                                            [&](const rd_kafka_metadata_broker_t& b) { return b.id == id; });
            if (!listed) missing += (missing.empty() ? "broker " : ", ") + std::to_string(id);
          }
          return missing.empty() ? "" : missing + " not listed";
        });
      },
      deadline, "every broker's metadata to list " + std::to_string(brokers.size()) + " broker(s)");
}

std::vector<std::string> KafkaAdmin::list_topics(std::chrono::milliseconds timeout) {
  auto md = impl_->metadata(timeout);
  std::vector<std::string> names;
  for (int t = 0; t < md->topic_cnt; ++t) names.emplace_back(md->topics[t].topic);
  std::sort(names.begin(), names.end());
  return names;
}

int KafkaAdmin::partition_count(const std::string& name, std::chrono::milliseconds timeout) {
  auto md = impl_->metadata(timeout);
  const rd_kafka_metadata_topic_t* topic = find_topic(*md, name);
  return topic == nullptr ? -1 : topic->partition_cnt;
}

Watermarks KafkaAdmin::watermarks(const std::string& topic, std::int32_t partition, std::chrono::milliseconds timeout) {
  Watermarks w;
  check(rd_kafka_query_watermark_offsets(impl_->rk.get(), topic.c_str(), partition, &w.low, &w.high, to_ms(timeout)),
        "watermarks of " + topic + "/" + std::to_string(partition));
  return w;
}

std::int64_t KafkaAdmin::last_stable_offset(const std::string& topic, std::int32_t partition,
                                            std::chrono::milliseconds timeout) {
  if (!impl_->committed_rk) {
    impl_->committed_rk = Impl::client(impl_->bootstrap, impl_->settings, "read_committed");
  }
  Watermarks w;
  check(rd_kafka_query_watermark_offsets(impl_->committed_rk.get(), topic.c_str(), partition, &w.low, &w.high,
                                         to_ms(timeout)),
        "last stable offset of " + topic + "/" + std::to_string(partition));
  return w.high;
}

}  // namespace msgwatch::test
