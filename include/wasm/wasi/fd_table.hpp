#pragma once
// The guest's descriptor table: each WASI fd names a host fd together with what the guest may
// do with it (rights), its file type, and for preopened directories the name the guest sees.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasm/wasi/errors.hpp"

namespace wasm::wasi {

// One entry of a directory listing kept for fd_readdir's cookies.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  Filetype type = Filetype::Unknown;
};

struct FdEntry {
  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry() {
    if (owned && host_fd >= 0) ::close(host_fd);
  }

  int host_fd = -1;
  bool owned = true;  // false for inherited stdio: the host keeps its own
  Filetype type = Filetype::Unknown;
  Rights base = 0;
  Rights inheriting = 0;
  Rights possible = rights::ALL;       // what an fd of this kind could hold (rights_for)
  std::optional<std::string> preopen;  // the guest's name for a preopened directory
  std::vector<DirEntry> listing;       // fd_readdir's snapshot, taken at cookie 0

  bool is_dir() const { return type == Filetype::Directory; }

  // Fails with `err` when a right in `needed` was withheld from this fd. Rights its kind of file
  // never has are not checked here: the host call then fails as natively (ESPIPE, EISDIR...).
  void require(Rights needed, Errno err = ERRNO_NOTCAPABLE) const {
    if (needed & ~base & possible) fail(err);
  }
};

// The WASI file type of a host stat.
inline Filetype filetype_of(mode_t mode) {
  if (S_ISREG(mode)) return Filetype::RegularFile;
  if (S_ISDIR(mode)) return Filetype::Directory;
  if (S_ISCHR(mode)) return Filetype::CharacterDevice;
  if (S_ISBLK(mode)) return Filetype::BlockDevice;
  if (S_ISLNK(mode)) return Filetype::SymbolicLink;
  if (S_ISSOCK(mode)) return Filetype::SocketStream;
  return Filetype::Unknown;  // FIFOs have no preview1 type
}

// The rights an fd of this kind can have at most.
inline Rights rights_for(Filetype type, int host_fd) {
  switch (type) {
    case Filetype::RegularFile: return rights::REGULAR_FILE;
    case Filetype::Directory: return rights::DIRECTORY;
    case Filetype::CharacterDevice: return isatty(host_fd) ? rights::TTY : rights::STREAM | rights::FD_SEEK | rights::FD_TELL;
    case Filetype::BlockDevice: return rights::REGULAR_FILE;
    default: return rights::STREAM;
  }
}

class FdTable {
 public:
  // The entry for `fd`, or EBADF.
  FdEntry& get(uint32_t fd) const {
    auto it = entries_.find(fd);
    if (it == entries_.end()) fail(ERRNO_BADF);
    return *it->second;
  }
  bool contains(uint32_t fd) const { return entries_.count(fd) != 0; }

  // Adds `entry` at the lowest free descriptor, as POSIX open does.
  uint32_t insert(std::unique_ptr<FdEntry> entry) {
    uint32_t fd = 0;
    for (const auto& [used, e] : entries_) {
      if (used != fd) break;
      ++fd;
    }
    if (fd > kMaxFd) fail(ERRNO_MFILE);
    entries_[fd] = std::move(entry);
    return fd;
  }
  void insert_at(uint32_t fd, std::unique_ptr<FdEntry> entry) { entries_[fd] = std::move(entry); }

  void close(uint32_t fd) {
    get(fd);
    entries_.erase(fd);
  }

  // Moves `from` onto `to` (closing what `to` was); both must be open.
  void renumber(uint32_t from, uint32_t to) {
    get(from);
    get(to);
    if (from == to) return;
    entries_[to] = std::move(entries_[from]);
    entries_.erase(from);
  }

 private:
  static constexpr uint32_t kMaxFd = 1u << 20;
  std::map<uint32_t, std::unique_ptr<FdEntry>> entries_;
};

}  // namespace wasm::wasi
