#pragma once
// A Kafka cluster of a test's own, started with scripts/kafka.sh (the version under test,
// free loopback ports) and stopped when the object goes away, so that stopping brokers or
// changing listener settings does not disturb other tests.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace msgwatch::test {

class OwnKafka {
 public:
  // `broker_settings` are server.properties lines (key=value) added to every node.
  explicit OwnKafka(int nodes = 1, std::vector<std::string> broker_settings = {});
  ~OwnKafka();
  OwnKafka(const OwnKafka&) = delete;
  OwnKafka& operator=(const OwnKafka&) = delete;

  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }
  // Graceful stop / restart of one node, keeping its data. The constructor and start_node
  // return once every running node's metadata lists the started node(s).
  void stop_node(int node);
  void start_node(int node);
  // SIGKILL, as a crash: the node stops answering at once, and stays in the cluster's
  // metadata until the controller fences it (after broker.session.timeout.ms).
  void kill_node(int node);
  // SIGSTOP, as a hung process: its connections stay open and nothing answers on them; the
  // controller fences it after broker.session.timeout.ms. thaw_node sends SIGCONT.
  void freeze_node(int node);
  void thaw_node(int node);
  // Grows the cluster as an operator would: a new node that is a broker only (the controller
  // quorum is unchanged), with the cluster's broker settings, listening on the next port.
  // Returns its id (the node count before the call) once every running node's metadata lists
  // it; stop_node, start_node and kill_node then take that id. bootstrap() stays the list of
  // the nodes the cluster started with: clients learn of the new broker from the metadata.
  // The constructor picks ports that leave room for kSpareBrokers added brokers.
  int add_broker();
  static constexpr int kSpareBrokers = 3;

 private:
  std::string run(const std::string& command, std::vector<std::string> args);
  void wait_listed(const std::set<std::int32_t>& nodes);

  std::string name_;
  int nodes_;
  std::string bootstrap_;
};

}  // namespace msgwatch::test
