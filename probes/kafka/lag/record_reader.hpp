#pragma once
// Reads the timestamps of individual records for record_timestamps.hpp: one Fetch per
// partition leader, all leaders at once, from the committed offset, with no wait on the
// broker's side and a bounded answer (64 KiB per partition, 1 MiB per request).

#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/lag/record_timestamps.hpp"

#include <boost/asio/awaitable.hpp>

#include <set>
#include <string>
#include <vector>

namespace msgwatch::kafka {

// `reads` name each partition at most once (RecordTimestamps::plan sees to it; a second
// read of a partition would be dropped). Never throws for a broker's failure: a read that
// failed is left out of the result; "Fetch" goes into `not_permitted` when a read was refused
// for lack of permission (READ on the topic).
boost::asio::awaitable<RecordTimes> read_record_times(ClusterClient& client, std::vector<RecordRead> reads,
                                                      std::set<std::string, std::less<>>& not_permitted);

}  // namespace msgwatch::kafka
