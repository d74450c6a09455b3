// libFuzzer target for the input loaders: the bytes go to the roadnet loader, to the flow loader
// (against a fixed small network, the hand-written fixture) and to the config.json loader. The only
// acceptable failure is citybrain::Error; any other exception, crash or sanitizer report is a
// finding. The first byte picks the loader so one corpus covers all three.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sim/cityflow_config.hpp"

namespace {

const citybrain::net::Network& fixed_network() {
  static const citybrain::net::Network net =
      citybrain::net::load_cityflow_roadnet(std::string(CITYBRAIN_FIXTURES_DIR) + "/cross_roadnet.json");
  return net;
}

const std::string& config_path() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("citybrain_fuzz_config_" + std::to_string(::getpid()) + ".json"))
                                      .string();
  return path;
}

void fuzz_config(std::string_view text) {
  {
    std::ofstream out(config_path(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  citybrain::sim::load_cityflow_config(config_path());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixed_network();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Inputs starting with '{' or '[' (the seed corpus) go to the loader that fits their shape and
  // also to the roadnet loader; otherwise the first byte selects the loader.
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string_view rest = all.substr(1);
  try {
    switch (data[0]) {
      case '{':
        try {
          citybrain::net::parse_cityflow_roadnet(all, "fuzz_roadnet.json");
        } catch (const citybrain::Error&) {
        }
        fuzz_config(all);
        break;
      case '[':
        citybrain::demand::parse_cityflow_flow(all, "fuzz_flow.json", fixed_network());
        break;
      default:
        switch (data[0] % 3) {
          case 0:
            citybrain::net::parse_cityflow_roadnet(rest, "fuzz_roadnet.json");
            break;
          case 1:
            citybrain::demand::parse_cityflow_flow(rest, "fuzz_flow.json", fixed_network());
            break;
          default:
            fuzz_config(rest);
            break;
        }
    }
  } catch (const citybrain::Error&) {
    // Rejected input, reported the way a user sees it: fine.
  } catch (const std::exception& e) {
    std::cerr << "finding: non-citybrain exception: " << e.what() << "\n";
    std::abort();
  } catch (...) {
    std::cerr << "finding: unknown exception\n";
    std::abort();
  }
  return 0;
}
