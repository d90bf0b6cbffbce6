#include "exporter/runtime/logging.hpp"

#include "exporter/sdk/log_event.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace msgwatch {
namespace {

class Fields final : public spdlog::custom_flag_formatter {
 public:
  explicit Fields(bool json) : json_(json) {}
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const auto text = render_log_payload(std::string_view(msg.payload.data(), msg.payload.size()), json_);
    dest.append(text.data(), text.data() + text.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<Fields>(json_);
  }

 private:
  bool json_;
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  const bool json = format == "json";
  auto logger = std::make_shared<spdlog::logger>("msgwatch", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<Fields>('*', json);
  formatter->set_pattern(json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%*})"
                              : R"(ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %*)");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace msgwatch
