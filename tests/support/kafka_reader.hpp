#pragma once
// Reads a partition back as it is, with a librdkafka consumer of the test's own
// (assign(), no group): what a test compares the daemon's view of a topic with.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace msgwatch::test {

using namespace std::chrono_literals;

struct ConsumedRecord {
  std::int64_t offset = 0;
  std::string key;
  std::string value;
};

// Every record of topic/partition from its log start to its high watermark as they are at
// the call (read_uncommitted). Throws unless all of them arrive within `deadline`.
std::vector<ConsumedRecord> read_partition(const std::string& bootstrap, const std::string& topic,
                                           std::int32_t partition, std::chrono::milliseconds deadline = 30s);

}  // namespace msgwatch::test
