#include "support/kafka_group.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/wait.hpp"

namespace msgwatch::test {

using namespace kafka_detail;

namespace {

Ptr<rd_kafka_topic_partition_list_t> to_list(const std::vector<PartitionOffset>& offsets) {
  auto list = partition_list();
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  }
  return list;
}

std::string describe(const PartitionOffset& o) {
  return o.topic + "/" + std::to_string(o.partition) + "@" + std::to_string(o.offset);
}

// Runs a synchronous commit; "" on success, otherwise what failed (the request as a whole or
// single partitions, which librdkafka reports in the list).
std::string commit_sync(rd_kafka_t* rk, const std::vector<PartitionOffset>& offsets) {
  auto list = to_list(offsets);
  const rd_kafka_resp_err_t err = rd_kafka_commit(rk, list.get(), 0);
  std::string failure;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = std::string(rd_kafka_err2name(err)) + " (" + rd_kafka_err2str(err) + ")";
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure += std::string(" ") + p.topic + "/" + std::to_string(p.partition) + ": " + rd_kafka_err2name(p.err);
    }
  }
  return failure;
}

Ptr<rd_kafka_conf_t> group_conf(const std::string& bootstrap, const std::string& group, const KafkaSettings& extra) {
  KafkaSettings settings{{"group.id", group}, {"enable.auto.commit", "false"}};
  settings.insert(settings.end(), extra.begin(), extra.end());
  return make_conf(bootstrap, settings);
}

}  // namespace

std::vector<std::optional<std::int64_t>> committed_offsets(const std::string& bootstrap, const std::string& group,
                                                           const std::vector<TopicPartition>& partitions,
                                                           const KafkaSettings& settings) {
  auto rk = make_client(RD_KAFKA_CONSUMER, group_conf(bootstrap, group, settings));
  auto list = partition_list();
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  check(rd_kafka_committed(rk.get(), list.get(), 30000), "committed offsets of group " + group);
  std::vector<std::optional<std::int64_t>> out;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    check(p.err, "committed offset of group " + group + " for " + p.topic + "/" + std::to_string(p.partition));
    out.push_back(p.offset >= 0 ? std::optional<std::int64_t>(p.offset) : std::nullopt);
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

void commit_offsets(const std::string& bootstrap, const std::string& group, const std::vector<PartitionOffset>& offsets,
                    const KafkaSettings& settings) {
  std::string what = "commit for group " + group + ":";
  for (const auto& o : offsets) what += " " + describe(o);
  // Never subscribes, so it commits as a non-member (generation -1), which the broker accepts
  // for a group without members. On a fresh cluster the first commit creates
  // __consumer_offsets, whose coordinators may still be elected or loading: such an answer is
  // tried again; any other failure is the test's.
  wait_until_explained(
      [&]() -> std::string {
        auto rk = make_client(RD_KAFKA_CONSUMER, group_conf(bootstrap, group, settings));
        const std::string failure = commit_sync(rk.get(), offsets);
        rd_kafka_consumer_close(rk.get());
        if (failure.empty()) return "";
        for (const char* not_ready : {"NOT_COORDINATOR", "COORDINATOR_LOAD_IN_PROGRESS", "COORDINATOR_NOT_AVAILABLE"}) {
          if (failure.find(not_ready) != std::string::npos) return failure;
        }
        throw std::runtime_error(what + ": " + failure);
      },
      60s, what);
  std::vector<TopicPartition> partitions;
  for (const auto& o : offsets) partitions.push_back({o.topic, o.partition});
  const auto stored = committed_offsets(bootstrap, group, partitions, settings);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    if (stored[i] != offsets[i].offset) {
      throw std::runtime_error(what + ": broker returns " + (stored[i] ? std::to_string(*stored[i]) : "no offset") +
                               " for " + describe(offsets[i]));
    }
  }
}

struct ActiveConsumer::Impl {
  struct CommitRequest {
    std::vector<PartitionOffset> offsets;
    std::promise<std::string> result;  // "" on success
  };

  std::string group;
  Ptr<rd_kafka_t> rk;
  std::thread thread;
  std::atomic<bool> stopping{false};

  mutable std::mutex mu;  // guards everything below
  std::vector<TopicPartition> assigned;
  std::string last_error = "none";
  std::int64_t consumed = 0;
  std::deque<CommitRequest> commits;
  bool closed = false;

  // C callback, runs on the polling thread inside rd_kafka_consumer_poll.
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) noexcept {
    auto* self = static_cast<Impl*>(opaque);
    try {
      std::lock_guard lock(self->mu);
      self->last_error = std::string(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " + reason;
    } catch (...) {
      // Only a diagnostic; losing it is better than unwinding into C.
    }
  }

  void run() noexcept {
    try {
      while (!stopping.load()) {
        poll_once();
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      last_error = std::string("polling thread failed: ") + e.what();
    }
    // Close leaves the group at once instead of letting the session time out, so the next
    // test step sees a group without members.
    rd_kafka_consumer_close(rk.get());
    std::lock_guard lock(mu);
    closed = true;
    for (auto& c : commits) c.result.set_value("consumer stopped before committing");
    commits.clear();
  }

  void poll_once() {
    Ptr<rd_kafka_message_t> msg(rd_kafka_consumer_poll(rk.get(), 100));
    if (msg) {
      std::lock_guard lock(mu);
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++consumed;
      } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        last_error = std::string(rd_kafka_err2name(msg->err)) + ": " + rd_kafka_message_errstr(msg.get());
      }
    }
    std::deque<CommitRequest> pending;
    {
      std::lock_guard lock(mu);
      pending.swap(commits);
    }
    for (auto& c : pending) c.result.set_value(commit_sync(rk.get(), c.offsets));

    rd_kafka_topic_partition_list_t* raw = nullptr;
    check(rd_kafka_assignment(rk.get(), &raw), "assignment");
    Ptr<rd_kafka_topic_partition_list_t> list(raw);
    std::vector<TopicPartition> now;
    for (int i = 0; i < list->cnt; ++i) now.push_back({list->elems[i].topic, list->elems[i].partition});
    std::sort(now.begin(), now.end());
    std::lock_guard lock(mu);
    assigned = std::move(now);
  }
};

ActiveConsumer::ActiveConsumer(const std::string& bootstrap, const std::string& group,
                               const std::vector<std::string>& topics, const KafkaSettings& settings)
    : impl_(std::make_unique<Impl>()) {
  impl_->group = group;
  auto conf = group_conf(bootstrap, group, settings);
  rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_error);
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  impl_->rk = make_client(RD_KAFKA_CONSUMER, std::move(conf));
  // Errors and rebalances are then served by rd_kafka_consumer_poll on the polling thread.
  check(rd_kafka_poll_set_consumer(impl_->rk.get()), "poll_set_consumer");
  auto list = partition_list();
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  check(rd_kafka_subscribe(impl_->rk.get(), list.get()), "subscribe group " + group);
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

ActiveConsumer::~ActiveConsumer() { stop(); }

void ActiveConsumer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->thread.join();
}

void ActiveConsumer::wait_until_assigned(std::chrono::milliseconds deadline, std::size_t min_partitions) {
  wait_until_explained(
      [&]() -> std::string {
        std::lock_guard lock(impl_->mu);
        if (impl_->closed) return "consumer stopped; last client error: " + impl_->last_error;
        if (impl_->assigned.size() >= min_partitions) return "";
        return std::to_string(impl_->assigned.size()) + " partitions assigned; last client error: " + impl_->last_error;
      },
      deadline, "a member of group " + impl_->group + " to get " + std::to_string(min_partitions) + " partition(s)");
}

std::vector<TopicPartition> ActiveConsumer::assignment() const {
  std::lock_guard lock(impl_->mu);
  return impl_->assigned;
}

void ActiveConsumer::commit(const std::vector<PartitionOffset>& offsets, std::chrono::milliseconds deadline) {
  std::string what = "commit as a member of group " + impl_->group + ":";
  for (const auto& o : offsets) what += " " + describe(o);
  std::future<std::string> result;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->closed) throw std::runtime_error(what + ": consumer already stopped");
    impl_->commits.push_back({offsets, {}});
    result = impl_->commits.back().result.get_future();
  }
  if (result.wait_for(deadline) != std::future_status::ready) {
    throw std::runtime_error(what + ": no result within " + std::to_string(deadline.count()) + " ms");
  }
  const std::string failure = result.get();
  if (!failure.empty()) throw std::runtime_error(what + ": " + failure);
}

std::int64_t ActiveConsumer::messages_consumed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->consumed;
}

}  // namespace msgwatch::test
