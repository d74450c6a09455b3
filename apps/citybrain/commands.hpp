// Subcommands other than simulate, each in its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace citybrain::cli {

struct GenerateArgs {
  bool used = false;
};
void add_generate(CLI::App& app, GenerateArgs& args);
// Returns the exit code; called when the generate subcommand was parsed.
int run_generate(CLI::App& app, const GenerateArgs& args);

}  // namespace citybrain::cli
