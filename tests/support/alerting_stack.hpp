#pragma once
// Prometheus and Alertmanager (Debian's packages) with the shipped rules and Alertmanager
// example, scraping one daemon, and a webhook receiver in place of the pager and the chat:
// the path from a metric to a page, end to end. Everything listens on loopback, lives in a
// temporary directory and is stopped by the destructor.
//
// Two changes to the shipped files, and only these, so that a test takes seconds where
// production takes minutes: every `for:` of the rules is read in seconds where it says
// minutes (in minutes where it says hours), and Alertmanager's group_wait and
// group_interval are 1 s; its receivers' URLs point at the test's receiver. The
// expressions, routes and inhibitions are the shipped ones. Prometheus scrapes and evaluates
// every second.

#include "support/process.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace msgwatch::test {

// One alert of one notification, as the receiver got it.
struct ReceivedAlert {
  int notification = 0;  // the notification's number, from 1 in arrival order
  std::string receiver;  // "pager" or "chat"
  std::string status;    // "firing" or "resolved"
  std::map<std::string, std::string> labels;
  [[nodiscard]] std::string describe() const;
};

class AlertingStack {
 public:
  // `daemon_address` is host:port of the daemon's /metrics.
  explicit AlertingStack(const std::string& daemon_address);
  ~AlertingStack();
  AlertingStack(const AlertingStack&) = delete;
  AlertingStack& operator=(const AlertingStack&) = delete;

  // Everything the receiver got so far, in arrival order.
  [[nodiscard]] std::vector<ReceivedAlert> received() const;
  // Waits until the receiver got, at `receiver`, alert `alertname` with `status` and at least
  // these labels; returns it. Fails (throws) with what was received and what Prometheus and
  // Alertmanager hold.
  ReceivedAlert wait_for(const std::string& receiver, const std::string& alertname, const std::string& status,
                         const std::map<std::string, std::string>& labels, std::chrono::milliseconds deadline);
  // http://127.0.0.1:<port> of the Prometheus.
  [[nodiscard]] std::string prometheus_url() const { return "http://127.0.0.1:" + std::to_string(prometheus_port_); }
  // Waits until Prometheus's instant query `promql` returns at least one series (the JSON
  // is returned), e.g. until it has scraped a counter at 0 before a test makes it move.
  std::string wait_for_query(const std::string& promql, std::chrono::milliseconds deadline = 60s);
  // The JSON object Prometheus's /api/v1/alerts holds for alert `alertname` (its labels,
  // state, value), or "" if it holds none; and Alertmanager's, from /api/v2/alerts (with its
  // status: active, suppressed by an inhibition, ...).
  [[nodiscard]] std::string prometheus_alert(const std::string& alertname) const;
  [[nodiscard]] std::string alertmanager_alert(const std::string& alertname) const;
  // For failure messages: Prometheus's alerts, Alertmanager's alerts, what was received.
  [[nodiscard]] std::string describe_state() const;

 private:
  std::filesystem::path dir_;
  std::uint16_t prometheus_port_ = 0;
  std::uint16_t alertmanager_port_ = 0;
  std::vector<ChildProcess> children_;  // receiver, Alertmanager, Prometheus
};

// The shipped rules with every `for:` in minutes read as seconds (hours as minutes).
std::string rules_for_test(const std::string& shipped_rules);

}  // namespace msgwatch::test
