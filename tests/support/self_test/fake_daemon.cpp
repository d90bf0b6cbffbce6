// Stands in for the msgwatch daemon in the self-tests of DaemonProcess: same flags, same
// endpoints, same SIGTERM contract, and switches to misbehave on purpose.
//   config containing "crash"       exit 3 at start-up after logging why
//   --fake.term-exit-code=N         exit N on SIGTERM (default 0)
//   any unknown flag                exit 2 with a message on stderr
// /-/ready answers 503 twice before 200, so the readiness wait really polls.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

volatile std::sig_atomic_t terminate_requested = 0;
void on_term(int) { terminate_requested = 1; }

void respond(int fd, int status, const std::string& body) {
  const std::string reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Service Unavailable";
  const std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + reason +
      "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n";
  const std::string all = head + body;
  for (std::size_t sent = 0; sent < all.size();) {
    const ssize_t n = ::send(fd, all.data() + sent, all.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file, listen, level;
  int term_exit_code = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const std::string& flag) { return arg.substr(flag.size()); };
    if (arg.rfind("--config.file=", 0) == 0) {
      config_file = value("--config.file=");
    } else if (arg.rfind("--web.listen-address=", 0) == 0) {
      listen = value("--web.listen-address=");
    } else if (arg.rfind("--log.level=", 0) == 0) {
      level = value("--log.level=");
    } else if (arg.rfind("--fake.term-exit-code=", 0) == 0) {
      term_exit_code = std::stoi(value("--fake.term-exit-code="));
    } else {
      std::cerr << "unknown flag: " << arg << "\n";
      return 2;
    }
  }
  std::ifstream in(config_file);
  std::stringstream config;
  config << in.rdbuf();
  std::cerr << "level=" << level << " config " << config_file << " (" << config.str().size() << " bytes)\n";
  if (config.str().find("crash") != std::string::npos) {
    std::cerr << "fatal: crash requested by the config\n";
    return 3;
  }

  std::signal(SIGTERM, on_term);
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(listen.substr(listen.find(':') + 1))));
  ::inet_pton(AF_INET, listen.substr(0, listen.find(':')).c_str(), &addr.sin_addr);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 16) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  std::cerr << "msg=\"serving metrics\" url=http://" << listen << "/metrics\n";
  int ready_requests = 0;
  while (terminate_requested == 0) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    const std::string request(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (request.rfind("GET /-/ready ", 0) == 0) {
      respond(fd, ++ready_requests > 2 ? 200 : 503, "ready\n");
    } else if (request.rfind("GET /metrics ", 0) == 0) {
      respond(fd, 200,
              "# HELP fake_up Whether the fake is up.\n# TYPE fake_up gauge\nfake_up 1\n"
              "fake_config_bytes{file=\"" +
                  config_file + "\"} " + std::to_string(config.str().size()) + "\n");
    } else {
      respond(fd, 404, "not found\n");
    }
    ::close(fd);
  }
  std::cerr << "terminating with " << term_exit_code << "\n";
  return term_exit_code;
}
