#pragma once
// WasiCtx: the state of one WASI guest (args, environment, descriptor table, clocks), and
// WasiCtxBuilder, which an embedder uses to say what the guest may see:
//
//   auto ctx = wasm::wasi::WasiCtxBuilder()
//                  .args({"prog", "x"}).env("HOME", "/")
//                  .inherit_stdio()
//                  .preopened_dir("/tmp/scratch", ".")
//                  .build();                    // Result<WasiCtx>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wasm/result.hpp"
#include "wasm/wasi/fd_table.hpp"

extern char** environ;

namespace wasm::wasi {

class WasiCtx {
 public:
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=VALUE"
  FdTable fds;
};

class WasiCtxBuilder {
 public:
  WasiCtxBuilder& args(std::vector<std::string> list) {
    args_ = std::move(list);
    return *this;
  }
  WasiCtxBuilder& arg(std::string a) {
    args_.push_back(std::move(a));
    return *this;
  }
  WasiCtxBuilder& env(const std::string& key, const std::string& value) {
    env_.push_back(key + "=" + value);
    return *this;
  }
  WasiCtxBuilder& inherit_env() {
    for (char** e = environ; e && *e; ++e) env_.emplace_back(*e);
    return *this;
  }

  // Standard streams: the host's own (inherit), a host fd (taken over when `own`), or a file.
  WasiCtxBuilder& inherit_stdio() {
    for (int i = 0; i < 3; ++i) stdio_[i] = Stdio{i, false, {}, 0};
    return *this;
  }
  WasiCtxBuilder& stdin_fd(int fd, bool own) { return set_stdio(0, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stdout_fd(int fd, bool own) { return set_stdio(1, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stderr_fd(int fd, bool own) { return set_stdio(2, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stdin_file(std::string path) { return set_stdio(0, Stdio{-1, true, std::move(path), O_RDONLY}); }
  WasiCtxBuilder& stdout_file(std::string path) {
    return set_stdio(1, Stdio{-1, true, std::move(path), O_WRONLY | O_CREAT | O_TRUNC});
  }
  WasiCtxBuilder& stderr_file(std::string path) {
    return set_stdio(2, Stdio{-1, true, std::move(path), O_WRONLY | O_CREAT | O_TRUNC});
  }

  // Gives the guest the host directory `host_path` under the name `guest_path`.
  WasiCtxBuilder& preopened_dir(std::string host_path, std::string guest_path) {
    preopens_.emplace_back(std::move(host_path), std::move(guest_path));
    return *this;
  }

  Result<WasiCtx> build() {
    WasiCtx ctx;
    ctx.args = args_;
    ctx.env = env_;
    for (uint32_t i = 0; i < 3; ++i) {
      if (!stdio_[i]) continue;
      Stdio& s = *stdio_[i];
      int fd = s.fd;
      if (!s.path.empty()) {
        fd = ::open(s.path.c_str(), s.flags | O_CLOEXEC, 0666);
        if (fd < 0) return Error(ErrorKind::Resource, "cannot open " + s.path + ": " + std::strerror(errno));
      }
      struct stat st;
      if (::fstat(fd, &st) != 0) continue;  // a closed host stream stays closed for the guest
      auto e = std::make_unique<FdEntry>();
      e->host_fd = fd;
      e->owned = s.own || !s.path.empty();
      e->type = filetype_of(st.st_mode);
      e->base = e->possible = rights_for(e->type, fd);
      e->inheriting = 0;
      ctx.fds.insert_at(i, std::move(e));
    }
    uint32_t next = 3;
    for (const auto& [host, guest] : preopens_) {
      int fd = ::open(host.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return Error(ErrorKind::Resource, "cannot open directory " + host + ": " + std::strerror(errno));
      auto e = std::make_unique<FdEntry>();
      e->host_fd = fd;
      e->type = Filetype::Directory;
      e->base = e->possible = rights::DIRECTORY;
      e->inheriting = rights::ALL;
      e->preopen = guest;
      ctx.fds.insert_at(next++, std::move(e));
    }
    return ctx;
  }

 private:
  struct Stdio {
    int fd;
    bool own;
    std::string path;
    int flags;
  };
  WasiCtxBuilder& set_stdio(int i, Stdio s) {
    stdio_[i] = std::move(s);
    return *this;
  }

  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::optional<Stdio> stdio_[3];
  std::vector<std::pair<std::string, std::string>> preopens_;
};

}  // namespace wasm::wasi
