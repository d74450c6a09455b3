// Subcommands other than simulate, each in its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "citybrain/demand/generator.hpp"

namespace citybrain::cli {

struct GenerateArgs {
  CLI::App* grid = nullptr;
  demand::GridSpec spec;
  double road_length = 300;
  std::string out_dir;
};
void add_generate(CLI::App& app, GenerateArgs& args);
// Returns the exit code; called when the generate subcommand was parsed.
int run_generate(CLI::App& app, const GenerateArgs& args);

}  // namespace citybrain::cli
