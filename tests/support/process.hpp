#pragma once
// Child processes for the tests: the daemon under test and command-line tools (Kafka's own
// tools through scripts/kafka.sh). One spawning implementation for both, so that both get
// the same hygiene: stdin from /dev/null, no inherited descriptors, default signal
// handling, their own process group (a timeout kills a script together with the JVM it
// started) and death with the test process (PR_SET_PDEATHSIG), so a test killed by a ctest
// timeout leaves no daemon behind holding a port.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::test {

using namespace std::chrono_literals;

// Variables added to (or replacing in) the test process's environment for the child.
using EnvOverrides = std::vector<std::pair<std::string, std::string>>;

struct ExitStatus {
  int code = 0;    // exit code if the process exited
  int signal = 0;  // terminating signal, 0 if the process exited

  [[nodiscard]] bool success() const { return signal == 0 && code == 0; }
  [[nodiscard]] std::string describe() const;  // "exit code 2", "killed by signal 9 (Killed)"
};

struct ProcessResult {
  std::vector<std::string> argv;
  ExitStatus status;
  std::string out;
  std::string err;

  // For failure messages: the command, its status and the tail of both streams.
  [[nodiscard]] std::string describe() const;
};

// Owns one child process. Not thread-safe; use from the thread that spawned it, because the
// child is killed by the kernel when that thread ends (PR_SET_PDEATHSIG semantics).
class ChildProcess {
 public:
  // Starts argv (argv[0] searched in PATH unless it contains '/') with stdout and stderr
  // appended to the given files, which may be the same file. Throws std::runtime_error if
  // the program cannot be executed.
  static ChildProcess spawn(const std::vector<std::string>& argv, const std::filesystem::path& out_file,
                            const std::filesystem::path& err_file, const EnvOverrides& env = {});
  // Same, writing to already open descriptors (duplicated into the child, not taken over).
  static ChildProcess spawn_fds(const std::vector<std::string>& argv, int out_fd, int err_fd,
                                const EnvOverrides& env = {});

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills the process group with SIGKILL and reaps the child if it is still running.
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return pid_; }
  // Reaps the child if it has exited; its status once it has.
  std::optional<ExitStatus> poll();
  [[nodiscard]] bool running() { return !poll().has_value(); }
  // Waits up to `timeout` for the child to exit.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // Sends `sig` to the child only (not its group), e.g. SIGTERM to test a clean shutdown.
  void signal(int sig);
  // SIGKILL to the child's whole process group, then reaps the child.
  ExitStatus kill_and_reap();

 private:
  ChildProcess(pid_t pid, std::vector<std::string> argv) : pid_(pid), argv_(std::move(argv)) {}
  void release() noexcept;

  pid_t pid_ = -1;
  std::vector<std::string> argv_;
  std::optional<ExitStatus> status_;
};

// Runs argv to completion with stdout and stderr captured separately. Never throws for a
// non-zero exit (the caller decides what is a failure); throws std::runtime_error if the
// program cannot be started or is still running after `timeout` (it is then killed and
// the message holds its output so far).
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 120s,
                          const EnvOverrides& env = {});

// Last `lines` lines of `text`, for failure messages.
std::string tail_lines(std::string_view text, std::size_t lines);

// Whole contents of a file ("" if it does not exist).
std::string read_file(const std::filesystem::path& path);
// Writes `text` as the whole file (created or replaced); throws std::runtime_error on failure.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace msgwatch::test
