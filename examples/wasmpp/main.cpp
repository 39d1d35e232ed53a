// wasmpp: the command-line runner. `wasmpp --help` says what it does.
#include <cstdio>
#include <string>
#include <vector>

#include "compile_command.hpp"
#include "options.hpp"
#include "run_command.hpp"
#include "wast_command.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  using namespace wasmpp_cli;
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::fputs(kUsage, args.empty() ? stderr : stdout);
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "run") return run(parse_run(std::vector<std::string>(args.begin() + 1, args.end())));
    if (args[0] == "compile") return compile(parse_compile(std::vector<std::string>(args.begin() + 1, args.end())));
    if (args[0] == "wast") return wast(std::vector<std::string>(args.begin() + 1, args.end()));
    throw UsageError{"unknown command " + args[0]};
  } catch (const UsageError& e) {
    std::fprintf(stderr, "wasmpp: %s (see wasmpp --help)\n", e.message.c_str());
    return 2;
  }
}
