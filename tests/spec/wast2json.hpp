#pragma once
// Converting a .wast script with wabt's wast2json, in a temporary directory of its own.
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace wasmpp_spec {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spec-runner-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ConvertResult {
  bool ok = false;
  std::string message;  // why it failed
};

// Runs `exe [--enable-F ...] wast -o json`, with its output going to a log file in json's
// directory. `exe` is looked up in PATH when it has no slash.
inline ConvertResult run_wast2json(const std::string& exe, const std::vector<std::string>& features,
                                   const std::string& wast, const std::filesystem::path& json) {
  std::vector<std::string> args{exe};
  for (const auto& f : features) args.push_back("--enable-" + f);
  args.insert(args.end(), {wast, "-o", json.string()});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::string log = (json.parent_path() / "wast2json.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);

  ConvertResult r;
  if (err != 0) {
    r.message = "cannot run '" + exe + "': " + std::strerror(err);
    if (err == ENOENT)
      r.message += " (wast2json not found: install wabt, or pass --wast2json PATH or set WASMPP_WAST2JSON)";
    return r;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      r.message = std::string("waitpid: ") + std::strerror(errno);
      return r;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r.ok = true;
    return r;
  }
  std::ifstream in(log);
  std::stringstream output;
  output << in.rdbuf();
  r.message = "'" + exe + "' failed on " + wast;
  if (WIFEXITED(status)) r.message += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  else r.message += " (killed by a signal)";
  if (!output.str().empty()) r.message += ":\n" + output.str();
  return r;
}

}  // namespace wasmpp_spec
