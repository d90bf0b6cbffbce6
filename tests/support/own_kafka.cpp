#include "support/own_kafka.hpp"

#include "support/kafka_admin.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <stdexcept>

namespace msgwatch::test {
namespace {

std::string script() { return (repo_root() / "scripts" / "kafka.sh").string(); }

// The first port the kernel hands out as the source port of outgoing connections; ports
// below it are never taken by a connection between the check and the bind.
int ephemeral_ports_start() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  return range >> low && low > 12000 ? low : 32768;
}

// kafka.sh puts node i's clients on P+i and its controller on P+100+i (brokers added later
// serve clients on the next ports, and have no controller): find a P whose whole range,
// with room for `spare` added brokers, is free and below the ephemeral ports. A JVM binds
// seconds after the check, and a port among the ephemeral ones may meanwhile become the
// source port of some connection (the cluster's own, between its controllers): "Address
// already in use".
std::uint16_t free_base_port(int nodes, int spare) {
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> base(10000, ephemeral_ports_start() - 100 - nodes - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = base(random);
    bool all_free = true;
    for (int i = 0; i < nodes + spare && all_free; ++i) {
      all_free = is_loopback_port_free(static_cast<std::uint16_t>(port + i)) &&
                 (i >= nodes || is_loopback_port_free(static_cast<std::uint16_t>(port + 100 + i)));
    }
    if (all_free) return static_cast<std::uint16_t>(port);
  }
  throw std::runtime_error("no free range of loopback ports for a Kafka cluster");
}

}  // namespace

OwnKafka::OwnKafka(int nodes, std::vector<std::string> broker_settings) : name_(unique_name("own")), nodes_(nodes) {
  const std::uint16_t port = free_base_port(nodes, kSpareBrokers);
  std::vector<std::string> args{"--version",           kafka_version(), "--brokers",
                                std::to_string(nodes), "--port",        std::to_string(port)};
  for (auto& setting : broker_settings) {
    args.push_back("--set");
    args.push_back(std::move(setting));
  }
  bootstrap_ = run("start", args);
  std::set<std::int32_t> all;
  for (int node = 0; node < nodes; ++node) all.insert(node);
  wait_listed(all);
}

// Each node logs that it started once the controller unfenced it; the other nodes learn that
// a moment later and until then leave it out of their metadata, so a client (the daemon
// creating its canary topic) would see a smaller cluster. A single node lists itself
// before it says it started (and may speak only SASL, which the admin client here does not).
void OwnKafka::wait_listed(const std::set<std::int32_t>& nodes) {
  if (nodes_ > 1) KafkaAdmin(bootstrap_).wait_brokers_listed(nodes);
}

OwnKafka::~OwnKafka() {
  try {
    run_process({"bash", script(), "stop", "--name", name_, "--kill"}, 60s);
    std::filesystem::remove_all(repo_root() / ".run" / ("kafka-" + name_));
  } catch (const std::exception& e) {
    std::cerr << "stopping Kafka cluster " << name_ << ": " << e.what() << "\n";
  }
}

void OwnKafka::stop_node(int node) { run("stop-node", {"--node", std::to_string(node)}); }

void OwnKafka::kill_node(int node) { run("stop-node", {"--node", std::to_string(node), "--kill"}); }

void OwnKafka::freeze_node(int node) { run("freeze-node", {"--node", std::to_string(node)}); }

void OwnKafka::thaw_node(int node) { run("thaw-node", {"--node", std::to_string(node)}); }

void OwnKafka::start_node(int node) {
  run("start-node", {"--node", std::to_string(node)});
  wait_listed({node});
}

int OwnKafka::add_broker() {
  const std::string out = run("add-broker", {});
  if (out.empty() || out.size() > 2 || out.find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error("kafka.sh add-broker printed no node id: " + out);
  }
  const int node = std::stoi(out);
  nodes_ = std::max(nodes_, node + 1);
  wait_listed({node});
  return node;
}

std::string OwnKafka::run(const std::string& command, std::vector<std::string> args) {
  std::vector<std::string> argv{"bash", script(), command, "--name", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = run_process(argv, 180s);
  if (!result.status.success()) throw std::runtime_error("kafka.sh " + command + " failed:\n" + result.describe());
  auto out = result.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace msgwatch::test
