#include "exporter/app/flags.hpp"

#include <map>

namespace msgwatch {
namespace {

std::optional<std::string> Flags::*value_flag(const std::string& name) {
  static const std::map<std::string, std::optional<std::string> Flags::*> flags{
      {"--config.file", &Flags::config_file},
      {"--web.listen-address", &Flags::listen_address},
      {"--web.telemetry-path", &Flags::telemetry_path},
      {"--web.config.file", &Flags::web_config_file},
      {"--log.level", &Flags::log_level},
      {"--log.format", &Flags::log_format},
  };
  const auto it = flags.find(name);
  return it == flags.end() ? nullptr : it->second;
}

bool Flags::*switch_flag(const std::string& name) {
  static const std::map<std::string, bool Flags::*> flags{
      {"--config.check", &Flags::config_check},
      {"--web.enable-lifecycle", &Flags::enable_lifecycle},
      {"--help", &Flags::help},
      {"-h", &Flags::help},
      {"--version", &Flags::version},
  };
  const auto it = flags.find(name);
  return it == flags.end() ? nullptr : it->second;
}

}  // namespace

Flags parse_flags(const std::vector<std::string>& args) {
  Flags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    const auto equals = arg.find('=');
    const auto name = arg.substr(0, equals);
    if (auto member = switch_flag(name)) {
      if (equals != std::string::npos) throw FlagError("flag " + name + " takes no value");
      flags.*member = true;
    } else if (auto member = value_flag(name)) {
      if (equals != std::string::npos) {
        flags.*member = arg.substr(equals + 1);
      } else if (i + 1 < args.size()) {
        flags.*member = args[++i];
      } else {
        throw FlagError("flag " + name + " needs a value");
      }
    } else {
      throw FlagError("unknown flag " + name + " (see --help)");
    }
  }
  return flags;
}

std::string usage_text() {
  return R"(usage: msgwatch [flags]

Watches Kafka clusters and Redis servers and exports what it sees as Prometheus metrics.

  --config.file=FILE           YAML configuration (see the README; examples/demo.yml)
  --config.check               validate the configuration and exit
  --web.listen-address=ADDR    [host]:port to serve HTTP (or HTTPS) on (default 127.0.0.1:9440)
  --web.telemetry-path=PATH    path of the metrics page (default /metrics)
  --web.config.file=FILE       web configuration: tls_server_config (HTTPS), basic_auth_users (bcrypt)
  --web.enable-lifecycle       serve POST /-/reload (SIGHUP reloads in any case)
  --log.level=LEVEL            trace, debug, info, warn, error (default info)
  --log.format=FORMAT          logfmt or json (default logfmt)
  --version                    print the version and exit
  -h, --help                   print this help and exit
)";
}

}  // namespace msgwatch
