#pragma once
// Reads a partition back as it is, with a librdkafka consumer of the test's own
// (assign(), no group): what a test compares the daemon's view of a topic with.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::test {

using namespace std::chrono_literals;

struct ConsumedRecord {
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class Isolation { read_uncommitted, read_committed };

// Every record of topic/partition from its log start to its high watermark as they are at
// the call; read_committed: the records of committed transactions and outside any, and only
// up to the last stable offset. Throws unless the consumer gets there within `deadline`.
std::vector<ConsumedRecord> read_partition(const std::string& bootstrap, const std::string& topic,
                                           std::int32_t partition, Isolation isolation = Isolation::read_uncommitted,
                                           std::chrono::milliseconds deadline = 30s);

}  // namespace msgwatch::test
