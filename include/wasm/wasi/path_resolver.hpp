#pragma once
// Sandboxed path resolution. A guest path is resolved one component at a time beneath a
// directory fd: each directory is opened with openat(O_PATH | O_NOFOLLOW | O_DIRECTORY), `..`
// pops our own stack of opened directories (the host never sees a `..`), and symbolic links are
// read with readlinkat and spliced into the remaining path by us. So neither `..`, an absolute
// path, nor a symlink (even one swapped in while we walk) can lead outside the base directory:
// those fail with EPERM, as in wasmtime (cap-std's "not permitted").
//
// The result is the directory holding the last component and that component's name; the calls
// then use the *at() syscalls on it with NOFOLLOW semantics, so the final step cannot escape
// either.
#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/wasi/errors.hpp"
#include "wasm/wasi/unique_fd.hpp"

namespace wasm::wasi {

struct ResolvedPath {
  std::vector<UniqueFd> opened;  // directories walked through (kept for `..`)
  int dir = -1;                  // the directory holding `name`
  std::string name;              // a plain name, or "." for `dir` itself
  bool trailing_slash = false;   // the path ended in '/': it must name a directory
};

namespace detail {

inline constexpr int kMaxSymlinks = 40;  // as Linux's ELOOP limit

// The target of symlink `name` in `dir`, or nothing when it is not a symlink (or is missing:
// the operation itself then reports that).
inline std::optional<std::string> read_symlink(int dir, const std::string& name) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir, name.c_str(), buf.data(), buf.size());
    if (n < 0) return std::nullopt;
    if (size_t(n) < buf.size()) {
      buf.resize(size_t(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

inline void split_components(std::string_view path, std::deque<std::string>& out, bool at_front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (at_front) out.insert(out.begin(), parts.begin(), parts.end());
  else out.insert(out.end(), parts.begin(), parts.end());
}

}  // namespace detail

// Resolves `path` beneath `base`; a final symlink is followed when `follow_final` is set (or
// the path ends in '/').
inline ResolvedPath resolve_path(int base, std::string_view path, bool follow_final) {
  if (path.empty()) fail(ERRNO_NOENT);
  if (path.front() == '/') fail(ERRNO_PERM);
  ResolvedPath r;
  r.trailing_slash = path.back() == '/';
  std::deque<std::string> todo;
  detail::split_components(path, todo, false);
  auto current = [&] { return r.opened.empty() ? base : r.opened.back().get(); };
  int symlinks = 0;
  auto splice = [&](const std::string& target) {
    if (++symlinks > detail::kMaxSymlinks) fail(ERRNO_LOOP);
    if (target.empty()) fail(ERRNO_NOENT);
    if (target.front() == '/') fail(ERRNO_PERM);
    if (todo.empty() && target.back() == '/') r.trailing_slash = true;
    detail::split_components(target, todo, true);
  };

  r.name = ".";  // a path of only "." and ".." components names the directory reached
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    bool last = todo.empty();
    if (comp == ".") {
      r.name = ".";
      continue;
    }
    if (comp == "..") {
      if (r.opened.empty()) fail(ERRNO_PERM);
      r.opened.pop_back();
      r.name = ".";
      continue;
    }
    if (last) {
      if (follow_final || r.trailing_slash) {
        if (auto target = detail::read_symlink(current(), comp)) {
          splice(*target);
          continue;
        }
      }
      r.name = std::move(comp);
      break;
    }
    int fd = ::openat(current(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      r.opened.emplace_back(fd);
      continue;
    }
    int err = errno;
    if (err == ELOOP || err == ENOTDIR) {
      if (auto target = detail::read_symlink(current(), comp)) {
        splice(*target);
        continue;
      }
    }
    fail(from_host_errno(err));
  }
  r.dir = current();
  return r;
}

}  // namespace wasm::wasi
