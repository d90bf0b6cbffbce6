// DaemonProcess against a fake daemon with the real one's flags and endpoints, so the
// helper's own failure handling is tested without Kafka or Redis.

#include "support/daemon_process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace msgwatch::test {
namespace {

class DaemonProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("MSGWATCH_BINARY", FAKE_DAEMON_PATH, 1); }
};

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no exception";
}

TEST_F(DaemonProcessTest, StartsScrapesAndStopsCleanly) {
  DaemonProcess daemon("kafka: []\n");
  daemon.wait_ready();
  const Exposition e = daemon.scrape_metrics();
  EXPECT_EQ(e.value("fake_up"), 1);
  EXPECT_EQ(e.value("fake_config_bytes", {{"file", daemon.config_path().string()}}), 10);
  daemon.wait_for_value("fake_up", {}, 1, 10s);
  EXPECT_EQ(daemon.get("/nothing").status, 404);
  daemon.stop();
  EXPECT_NE(daemon.log().find("level=debug"), std::string::npos) << daemon.log();
  EXPECT_NE(daemon.log().find("url=http://" + daemon.listen_address()), std::string::npos);
}

TEST_F(DaemonProcessTest, EarlyExitFailsReadinessWithTheLog) {
  DaemonProcess daemon("crash: true\n");
  const std::string what = what_of([&] { daemon.wait_ready(); });
  EXPECT_NE(what.find("exited with exit code 3 before it was ready"), std::string::npos) << what;
  EXPECT_NE(what.find("fatal: crash requested by the config"), std::string::npos) << what;
}

TEST_F(DaemonProcessTest, NonZeroExitOnSigtermFailsStop) {
  DaemonProcess daemon(DaemonOptions{"{}\n", {"--fake.term-exit-code=1"}, {}, "info"});
  daemon.wait_ready();
  const std::string what = what_of([&] { daemon.stop(); });
  EXPECT_NE(what.find("exited with exit code 1 after SIGTERM, want 0"), std::string::npos) << what;
  EXPECT_NE(what.find("terminating with 1"), std::string::npos) << what;
}

TEST_F(DaemonProcessTest, TimeoutWaitingForAValueQuotesTheLastOne) {
  DaemonProcess daemon("{}\n");
  daemon.wait_ready();
  const std::string what = what_of([&] { daemon.wait_for_value("fake_up", {}, 2, 1s); });
  EXPECT_NE(what.find("(last state: fake_up = 1)"), std::string::npos) << what;
  daemon.stop();
}

TEST_F(DaemonProcessTest, RunDaemonCapturesExitCodeAndOutput) {
  const ProcessResult r = run_daemon({"--no-such-flag"});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_EQ(r.err, "unknown flag: --no-such-flag\n");
  const auto config = write_temp_file("config.yaml", "crash\n");
  EXPECT_EQ(config.filename(), "config.yaml");
  const ProcessResult crashed = run_daemon({"--config.file=" + config.string()});
  EXPECT_EQ(crashed.status.code, 3);
}

TEST(DaemonProcessEnvironment, MissingBinaryVariableIsAnError) {
  ::unsetenv("MSGWATCH_BINARY");
  const std::string what = what_of([] { DaemonProcess daemon("{}\n"); });
  EXPECT_NE(what.find("MSGWATCH_BINARY is not set"), std::string::npos) << what;
}

}  // namespace
}  // namespace msgwatch::test
