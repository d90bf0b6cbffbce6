#include "support/process.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "support/wait.hpp"

namespace msgwatch::test {
namespace {

TEST(Process, CapturesStreamsSeparatelyAndExitCode) {
  const ProcessResult r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.status.code, 3);
  EXPECT_EQ(r.status.signal, 0);
  EXPECT_FALSE(r.status.success());
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_NE(r.describe().find("exit code 3"), std::string::npos);
}

TEST(Process, PassesEnvironmentOverrides) {
  ::setenv("MSGWATCH_PROCESS_TEST", "old", 1);
  const ProcessResult r =
      run_process({"sh", "-c", "echo \"$MSGWATCH_PROCESS_TEST\""}, 10s, {{"MSGWATCH_PROCESS_TEST", "new"}});
  EXPECT_EQ(r.out, "new\n");
}

TEST(Process, MissingProgramIsAnError) {
  EXPECT_THROW(run_process({"/nonexistent/msgwatch-binary"}), std::runtime_error);
  EXPECT_THROW(run_process({"msgwatch-no-such-program-in-path"}), std::runtime_error);
}

// Gone, or a zombie that only waits for its (re)parent to reap it.
bool process_gone(const std::string& pid) {
  const std::string stat = read_file("/proc/" + pid + "/stat");
  const auto close_paren = stat.rfind(')');
  return stat.empty() || (close_paren != std::string::npos && stat.substr(close_paren + 2, 1) == "Z");
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  // The sleep is a grandchild: killing only the shell would leave it running.
  std::string grandchild;
  try {
    run_process({"sh", "-c", "sleep 60 & echo $!; wait"}, 1s);
    FAIL() << "no timeout";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("timed out"), std::string::npos) << what;
    const auto pos = what.find("--- stdout (tail) ---\n");
    ASSERT_NE(pos, std::string::npos) << what;
    grandchild = what.substr(pos + 22, what.find('\n', pos + 22) - pos - 22);
  }
  ASSERT_FALSE(grandchild.empty());
  wait_until([&] { return process_gone(grandchild); }, 10s, "sleep " + grandchild + " to die");
}

TEST(Process, SignalAndReap) {
  ChildProcess child = ChildProcess::spawn({"sleep", "30"}, "/dev/null", "/dev/null");
  EXPECT_TRUE(child.running());
  child.signal(SIGTERM);
  const auto status = child.wait_for(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_THROW(child.signal(SIGTERM), std::runtime_error);  // already reaped
}

TEST(Process, TailLines) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc", 2), "b\nc\n");
  EXPECT_EQ(tail_lines("a\n", 5), "a\n");
  EXPECT_EQ(tail_lines("", 5), "");
}

}  // namespace
}  // namespace msgwatch::test
