#include "support/alerting_stack.hpp"

#include "support/http_client.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace msgwatch::test {
namespace {

// `text` with `from` replaced by `to`, which must occur: a shipped file that no longer says
// what the test changes fails loudly instead of running unchanged.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("the shipped file no longer contains \"" + from + "\"");
  for (auto pos = at; pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string alertmanager_config(std::uint16_t receiver_port) {
  auto config = read_file(repo_root() / "alerts" / "alertmanager.yml");
  config = replaced(config, "http://127.0.0.1:9095/", "http://127.0.0.1:" + std::to_string(receiver_port) + "/");
  config = replaced(config, "group_wait: 30s", "group_wait: 1s");
  return replaced(config, "group_interval: 5m", "group_interval: 1s");
}

std::string prometheus_config(const std::string& daemon_address, std::uint16_t alertmanager_port,
                              const std::filesystem::path& rules) {
  return "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         "rule_files: ['" +
         rules.string() +
         "']\n"
         "alerting:\n"
         "  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:" +
         std::to_string(alertmanager_port) +
         "']}]}]\n"
         "scrape_configs:\n"
         "  - job_name: msgwatch\n"
         "    static_configs: [{targets: ['" +
         daemon_address + "']}]\n";
}

void wait_ready(std::uint16_t port, const std::string& name, ChildProcess& child, const std::filesystem::path& log) {
  wait_until_explained(
      [&]() -> std::string {
        if (const auto status = child.poll()) {
          throw std::runtime_error(name + " exited with " + status->describe() + ":\n" +
                                   tail_lines(read_file(log), 20));
        }
        try {
          const auto response = http_get("127.0.0.1", port, "/-/ready", {}, 2s);
          return response.status == 200 ? "" : "status " + std::to_string(response.status);
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      60s, name + " ready");
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) fields.push_back(field);
  return fields;
}

std::string body_or_error(std::uint16_t port, const std::string& target) {
  try {
    auto body = http_get("127.0.0.1", port, target, {}, 5s).body;
    if (body.size() > 4000) body = body.substr(0, 4000) + " ...";
    return body;
  } catch (const std::exception& e) {
    return e.what();
  }
}

// The JSON object `levels` braces out from `at` (1: the innermost object holding it), brace
// to matching brace. Strings are skipped going forward only: the APIs read here put no braces
// in the strings before `at`.
std::string enclosing_object(const std::string& json, std::size_t at, int levels) {
  std::size_t begin = at;
  for (int closed = 0;;) {  // objects closed between `begin` and `at`
    if (begin == 0) return "";
    const char c = json[--begin];
    if (c == '}') {
      ++closed;
    } else if (c == '{') {
      if (closed > 0) {
        --closed;
      } else if (--levels == 0) {
        break;
      }
    }
  }
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = begin; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return json.substr(begin, i - begin + 1);
    }
  }
  return "";
}

// The alert object around `"alertname":"<name>"` (which sits in the alert's labels object).
std::string alert_object(const std::string& json, const std::string& alertname) {
  const auto at = json.find("\"alertname\":\"" + alertname + "\"");
  return at == std::string::npos ? "" : enclosing_object(json, at, 2);
}

}  // namespace

std::string ReceivedAlert::describe() const {
  std::string text = "#" + std::to_string(notification) + " " + receiver + " " + status;
  for (const auto& [name, value] : labels) text += " " + name + "=" + value;
  return text;
}

std::string rules_for_test(const std::string& shipped_rules) {
  static const std::regex minutes(R"(\bfor: (\d+)m\b)");
  static const std::regex hours(R"(\bfor: (\d+)h\b)");
  return std::regex_replace(std::regex_replace(shipped_rules, minutes, "for: $1s"), hours, "for: $1m");
}

AlertingStack::AlertingStack(const std::string& daemon_address) : dir_(make_temp_dir("msgwatch-alerting")) {
  const auto port_file = dir_ / "receiver.port";
  const auto receiver_log = dir_ / "receiver.log";
  children_.push_back(
      ChildProcess::spawn({"python3", (repo_root() / "tests" / "support" / "webhook_receiver.py").string(),
                           port_file.string(), (dir_ / "received.tsv").string()},
                          receiver_log, receiver_log));
  wait_until_explained(
      [&]() -> std::string {
        if (children_.back().poll()) throw std::runtime_error("webhook receiver exited: " + read_file(receiver_log));
        return std::filesystem::exists(port_file) ? "" : "no port yet";
      },
      30s, "the webhook receiver");
  const auto receiver_port = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));

  alertmanager_port_ = free_loopback_port();
  write_file(dir_ / "alertmanager.yml", alertmanager_config(receiver_port));
  const auto alertmanager_log = dir_ / "alertmanager.log";
  children_.push_back(ChildProcess::spawn(
      {"prometheus-alertmanager", "--config.file=" + (dir_ / "alertmanager.yml").string(),
       "--storage.path=" + (dir_ / "alertmanager-data").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(alertmanager_port_), "--cluster.listen-address="},
      alertmanager_log, alertmanager_log));
  wait_ready(alertmanager_port_, "Alertmanager", children_.back(), alertmanager_log);

  prometheus_port_ = free_loopback_port();
  write_file(dir_ / "rules.yml", rules_for_test(read_file(repo_root() / "alerts" / "msgwatch-alerts.yml")));
  write_file(dir_ / "prometheus.yml", prometheus_config(daemon_address, alertmanager_port_, dir_ / "rules.yml"));
  const auto prometheus_log = dir_ / "prometheus.log";
  children_.push_back(ChildProcess::spawn({"prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
                                           "--storage.tsdb.path=" + (dir_ / "prometheus-data").string(),
                                           "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)},
                                          prometheus_log, prometheus_log));
  wait_ready(prometheus_port_, "Prometheus", children_.back(), prometheus_log);
  // Prometheus takes its first targets a few seconds after it is ready.
  wait_for_query("up{job=\"msgwatch\"} == 1");
}

AlertingStack::~AlertingStack() {
  const bool failed = std::uncaught_exceptions() > 0 || ::testing::Test::HasFailure();
  children_.clear();  // each killed with its process group
  try {
    if (failed) {
      std::cerr << "alerting stack kept for inspection: " << dir_ << "\n";
    } else {
      std::filesystem::remove_all(dir_);
    }
  } catch (const std::exception& e) {
    std::cerr << "removing " << dir_ << ": " << e.what() << "\n";
  }
}

std::vector<ReceivedAlert> AlertingStack::received() const {
  std::vector<ReceivedAlert> alerts;
  std::istringstream lines(read_file(dir_ / "received.tsv"));
  std::string line;
  while (std::getline(lines, line)) {
    const auto fields = split(line, '\t');
    if (fields.size() < 3) throw std::runtime_error("malformed line from the webhook receiver: " + line);
    ReceivedAlert alert{std::stoi(fields[0]), fields[1].substr(1), fields[2], {}};
    for (std::size_t i = 3; i < fields.size(); ++i) {
      const auto equals = fields[i].find('=');
      alert.labels[fields[i].substr(0, equals)] = equals == std::string::npos ? "" : fields[i].substr(equals + 1);
    }
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

ReceivedAlert AlertingStack::wait_for(const std::string& receiver, const std::string& alertname,
                                      const std::string& status, const std::map<std::string, std::string>& labels,
                                      std::chrono::milliseconds deadline) {
  std::optional<ReceivedAlert> found;
  const auto matches = [&](const ReceivedAlert& alert) {
    if (alert.receiver != receiver || alert.status != status) return false;
    auto wanted = labels;
    wanted["alertname"] = alertname;
    for (const auto& [name, value] : wanted) {
      const auto it = alert.labels.find(name);
      if (it == alert.labels.end() || it->second != value) return false;
    }
    return true;
  };
  try {
    wait_until_explained(
        [&]() -> std::string {
          for (const auto& alert : received()) {
            if (matches(alert)) {
              found = alert;
              return "";
            }
          }
          return "not received yet";
        },
        deadline, status + " " + alertname + " at the " + receiver);
  } catch (const WaitTimeout& e) {
    throw std::runtime_error(std::string(e.what()) + "\n" + describe_state());
  }
  return *found;
}

std::string AlertingStack::wait_for_query(const std::string& promql, std::chrono::milliseconds deadline) {
  std::string encoded;
  for (const unsigned char c : promql) {
    if (std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-') {
      encoded += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  std::string body;
  try {
    wait_until_explained(
        [&]() -> std::string {
          body = http_get("127.0.0.1", prometheus_port_, "/api/v1/query?query=" + encoded, {}, 5s).body;
          return body.find("\"result\":[]") == std::string::npos ? "" : body;
        },
        deadline, "Prometheus to answer " + promql);
  } catch (const WaitTimeout& e) {
    throw std::runtime_error(std::string(e.what()) + "\n" + describe_state());
  }
  return body;
}

std::string AlertingStack::prometheus_alert(const std::string& alertname) const {
  return alert_object(http_get("127.0.0.1", prometheus_port_, "/api/v1/alerts", {}, 5s).body, alertname);
}

std::string AlertingStack::alertmanager_alert(const std::string& alertname) const {
  return alert_object(http_get("127.0.0.1", alertmanager_port_, "/api/v2/alerts", {}, 5s).body, alertname);
}

std::string AlertingStack::describe_state() const {
  std::string text = "---- received ----\n";
  for (const auto& alert : received()) text += alert.describe() + "\n";
  text += "---- Prometheus /api/v1/alerts ----\n" + body_or_error(prometheus_port_, "/api/v1/alerts") + "\n";
  text += "---- Alertmanager /api/v2/alerts ----\n" + body_or_error(alertmanager_port_, "/api/v2/alerts") + "\n";
  return text;
}

}  // namespace msgwatch::test
