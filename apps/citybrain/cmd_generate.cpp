#include "commands.hpp"

namespace citybrain::cli {

void add_generate(CLI::App& app, GenerateArgs& args) {
  (void)args;
  app.add_subcommand("generate", "Generate a city (grid network and demand)");
}

int run_generate(CLI::App&, const GenerateArgs&) {
  return 2;
}

}  // namespace citybrain::cli
