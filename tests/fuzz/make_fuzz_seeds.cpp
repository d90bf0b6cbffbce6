// Writes a seed corpus for every fuzz target: the encoding of each sample response in each
// implemented version, prefixed by the version selector byte fuzz_response.cpp expects.
// Usage: kafka_protocol_fuzz_seeds <corpus-root>; creates <corpus-root>/<target>/seed_v<N>.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <tuple>

#include "tests/kafka_protocol/sample_messages.hpp"

namespace {

using namespace msgwatch::kafka::protocol;
namespace fs = std::filesystem;

std::string snake_case(std::string_view camel) {
  std::string out;
  for (const char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty()) {
        out.push_back('_');
      }
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <class Response>
void write_seeds(const fs::path& root) {
  const fs::path dir = root / ("fuzz_" + snake_case(name(Response::api_key)) + "_response");
  fs::create_directories(dir);
  for (std::int16_t v = Response::min_version; v <= Response::max_version; ++v) {
    Writer writer;
    writer.int8(static_cast<std::int8_t>(v - Response::min_version));
    testing::sample<Response>(v).encode(writer, v);
    write_file(dir / ("seed_v" + std::to_string(v)), writer.data());
  }
}

void write_assignment_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_consumer_protocol_assignment";
  fs::create_directories(dir);
  ConsumerProtocolAssignment assignment;
  assignment.assigned_partitions = {{"orders", {0, 1, 2}}, {"payments", {7}}};
  assignment.user_data = std::vector<std::uint8_t>{0x01, 0x02, 0x03};
  for (std::int16_t v = ConsumerProtocolAssignment::min_version; v <= ConsumerProtocolAssignment::max_version; ++v) {
    write_file(dir / ("seed_v" + std::to_string(v)), encode_consumer_protocol_assignment(assignment, v));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <corpus-root>\n";
    return 2;
  }
  const fs::path root = argv[1];
  std::apply([&](auto... responses) { (write_seeds<decltype(responses)>(root), ...); }, testing::AllResponses{});
  write_assignment_seeds(root);
  return 0;
}
