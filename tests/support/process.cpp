#include "support/process.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace msgwatch::test {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string join_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

// Resolved in the parent: after fork() in a multi-threaded process the child may only call
// async-signal-safe functions, and execvpe() is not one.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("cannot start " + name + ": not found in PATH=" + dirs);
}

std::vector<std::string> child_environment(const EnvOverrides& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [key, value] : overrides) {
      if (entry.size() > key.size() && entry.substr(0, key.size()) == key && entry[key.size()] == '=') {
        replaced = true;
      }
    }
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ExitStatus decode(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.code = -1;
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

// Owns a descriptor; the tests open few, but a leak across hundreds of tests adds up.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return out;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exit code " + std::to_string(code);
}

std::string ProcessResult::describe() const {
  return "`" + join_argv(argv) + "` ended with " + status.describe() + "\n--- stdout (tail) ---\n" +
         tail_lines(out, 40) + "--- stderr (tail) ---\n" + tail_lines(err, 40);
}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv, const std::filesystem::path& out_file,
                                 const std::filesystem::path& err_file, const EnvOverrides& env) {
  auto open_log = [](const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + errno_text(errno));
    return fd;
  };
  Fd out(open_log(out_file));
  if (out_file == err_file) return spawn_fds(argv, out.get(), out.get(), env);
  Fd err(open_log(err_file));
  return spawn_fds(argv, out.get(), err.get(), env);
}

ChildProcess ChildProcess::spawn_fds(const std::vector<std::string>& argv, int out_fd, int err_fd,
                                     const EnvOverrides& env) {
  if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
  std::string program = resolve_program(argv[0]);
  std::vector<std::string> args = argv;
  std::vector<std::string> env_strings = child_environment(env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env_strings);

  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (devnull.get() < 0) throw std::runtime_error("cannot open /dev/null: " + errno_text(errno));
  // The child reports a failed exec through this pipe; it closes on a successful exec.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + errno_text(errno));
  Fd report_read(report[0]);
  Fd report_write(report[1]);
  const pid_t parent = ::getpid();
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  const int max_fd =
      files.rlim_cur == RLIM_INFINITY || files.rlim_cur > 65536 ? 65536 : static_cast<int>(files.rlim_cur);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + errno_text(errno));
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    // dup2 onto a descriptor clears its close-on-exec flag; when out and err are the
    // same descriptor both dups still work because the source stays open until exec.
    if (::dup2(devnull.get(), 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
      const int e = errno;
      [[maybe_unused]] auto w = ::write(report_write.get(), &e, sizeof e);
      ::_exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    // Everything else the test process had open (sockets, librdkafka pipes) stays with it,
    // except the report pipe, which is close-on-exec.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {  // before Linux 5.11
      for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    ::execve(program.c_str(), c_args.data(), c_env.data());
    const int e = errno;
    [[maybe_unused]] auto w = ::write(report_write.get(), &e, sizeof e);
    ::_exit(127);
  }

  // Also from the parent, so the group exists even if we must kill it before the child ran.
  ::setpgid(pid, pid);
  // Our copy of the write end must go, or the read below would never see end-of-file.
  report_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    int wstatus;
    ::waitpid(pid, &wstatus, 0);
    throw std::runtime_error("cannot start " + program + ": " + errno_text(child_errno));
  }
  return ChildProcess(pid, argv);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), argv_(std::move(other.argv_)), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = other.pid_;
    argv_ = std::move(other.argv_);
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { release(); }

void ChildProcess::release() noexcept {
  if (pid_ > 0 && !status_) {
    try {
      kill_and_reap();
    } catch (...) {
      // A destructor must not throw; the child is gone or unkillable either way.
    }
  }
  pid_ = -1;
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (status_ || pid_ <= 0) return status_;
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r < 0) throw std::runtime_error("waitpid(" + std::to_string(pid_) + "): " + errno_text(errno));
  if (r == pid_) status_ = decode(wstatus);
  return status_;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto s = poll()) return s;
    if (std::chrono::steady_clock::now() >= end) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

void ChildProcess::signal(int sig) {
  if (poll()) {
    throw std::runtime_error("cannot signal `" + join_argv(argv_) + "`: already ended with " + status_->describe());
  }
  if (::kill(pid_, sig) != 0) {
    throw std::runtime_error("kill(" + std::to_string(pid_) + "): " + errno_text(errno));
  }
}

ExitStatus ChildProcess::kill_and_reap() {
  if (auto s = poll()) return *s;
  // Not yet reaped, so the group id still belongs to our child and cannot name a stranger.
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &wstatus, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) throw std::runtime_error("waitpid(" + std::to_string(pid_) + "): " + errno_text(errno));
  status_ = decode(wstatus);
  return *status_;
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const EnvOverrides& env) {
  Fd out(::memfd_create("stdout", MFD_CLOEXEC));
  Fd err(::memfd_create("stderr", MFD_CLOEXEC));
  if (out.get() < 0 || err.get() < 0) throw std::runtime_error("memfd_create: " + errno_text(errno));
  ChildProcess child = ChildProcess::spawn_fds(argv, out.get(), err.get(), env);
  ProcessResult result{argv, {}, {}, {}};
  auto status = child.wait_for(timeout);
  if (!status) {
    result.status = child.kill_and_reap();
    result.out = read_all(out.get());
    result.err = read_all(err.get());
    throw std::runtime_error("timed out after " + std::to_string(timeout.count()) + " ms, " + result.describe());
  }
  result.status = *status;
  result.out = read_all(out.get());
  result.err = read_all(err.get());
  return result;
}

std::string tail_lines(std::string_view text, std::size_t lines) {
  if (text.empty()) return "";
  std::size_t pos = text.size();
  if (text.back() == '\n') --pos;
  std::size_t count = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++count == lines) break;
    --pos;
  }
  std::string out(text.substr(pos));
  if (out.back() != '\n') out += '\n';
  return out;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace msgwatch::test
