/* Reading WPK2 archives (layout in archive.h) with positioned reads: the index first, checked
 * against its digest, then only the entries that are needed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"

void archive_open(Archive* a, const char* path) {
  memset(a, 0, sizeof *a);
  a->path = path;
  a->fd = open(path, O_RDONLY);
  if (a->fd < 0) die_errno("cannot open", path);
  struct stat st;
  if (fstat(a->fd, &st) != 0) die_errno("cannot stat", path);
  uint64_t size = (uint64_t)st.st_size;
  if (size < kHeaderSize + 4 + 32) die("not a wpack archive", path);

  uint8_t header[kHeaderSize];
  pread_all(a->fd, header, sizeof header, 0, path);
  if (memcmp(header, "WPK2", 4) != 0) die("not a wpack archive", path);
  Reader hr = {header + 4, kHeaderSize - 4, 0, "corrupt archive header"};
  if (rd_le32(&hr) != kArchiveVersion) die("unsupported archive version", path);
  uint64_t index_at = rd_le64(&hr);
  if (index_at < kHeaderSize || index_at > size - 32 - 4) die("corrupt archive header", "index offset out of range");

  size_t index_len = (size_t)(size - 32 - index_at);
  uint8_t* index = xmalloc(index_len);
  uint8_t want[32], got[32];
  pread_all(a->fd, index, index_len, index_at, path);
  pread_all(a->fd, want, sizeof want, size - 32, path);
  sha256(index, index_len, got);
  if (memcmp(want, got, 32) != 0) die("corrupt archive", "index checksum mismatch");

  Reader r = {index, index_len, 0, "corrupt archive index"};
  a->count = rd_le32(&r);
  if (a->count > index_len / 64) die("corrupt archive index", "entry count too large");
  a->entries = xcalloc(a->count, sizeof(ArchiveEntry));
  for (uint32_t i = 0; i < a->count; ++i) {
    ArchiveEntry* e = &a->entries[i];
    e->type = (EntryType)rd_u8(&r);
    if (e->type != ENTRY_FILE && e->type != ENTRY_DIR && e->type != ENTRY_SYMLINK) {
      die("corrupt archive index", "unknown entry type");
    }
    e->path = rd_str(&r);
    e->mtime = (int64_t)rd_le64(&r);
    e->size = rd_le64(&r);
    e->method = rd_u8(&r);
    e->offset = rd_le64(&r);
    e->length = rd_le64(&r);
    e->crc = rd_le32(&r);
    memcpy(e->sha, rd_take(&r, 32), 32);
    if (e->type == ENTRY_SYMLINK) e->target = rd_str(&r);
    if (e->method > METHOD_DEFLATE) die("corrupt archive index", "unknown method");
    if (e->offset < kHeaderSize || e->offset > index_at || e->length > index_at - e->offset) {
      die("corrupt archive index", "entry data out of range");
    }
  }
  if (r.pos != r.len) die("corrupt archive index", "trailing bytes");
  free(index);
}

void archive_close(Archive* a) {
  for (uint32_t i = 0; i < a->count; ++i) {
    free(a->entries[i].path);
    free(a->entries[i].target);
  }
  free(a->entries);
  close(a->fd);
}

void archive_entry_data(const Archive* a, const ArchiveEntry* e, Buf* out) {
  uint8_t* raw = xmalloc((size_t)e->length);
  pread_all(a->fd, raw, (size_t)e->length, e->offset, a->path);
  if (e->method == METHOD_DEFLATE) {
    size_t used = inflate_data(raw, (size_t)e->length, out);
    if (used != e->length) die("corrupt archive entry", e->path);
  } else {
    buf_put(out, raw, (size_t)e->length);
  }
  free(raw);
}

const char* archive_entry_check(const ArchiveEntry* e, const Buf* data) {
  if (data->len != e->size) return "size mismatch";
  if (crc32_update(0, data->data, data->len) != e->crc) return "CRC-32 mismatch";
  uint8_t digest[32];
  sha256(data->data, data->len, digest);
  if (memcmp(digest, e->sha, 32) != 0) return "SHA-256 mismatch";
  return NULL;
}

static const char* type_name(EntryType t) { return t == ENTRY_DIR ? "dir" : t == ENTRY_SYMLINK ? "link" : "file"; }

void archive_list(const char* path) {
  Archive a;
  archive_open(&a, path);
  for (uint32_t i = 0; i < a.count; ++i) {
    const ArchiveEntry* e = &a.entries[i];
    char sha[65];
    hex_string(e->sha, 32, sha);
    printf("%-4s %9llu %9llu %s %08x %.16s %lld %s", type_name(e->type), (unsigned long long)e->size,
           (unsigned long long)e->length, e->method == METHOD_DEFLATE ? "deflate" : "stored ", (unsigned)e->crc,
           sha, (long long)e->mtime, e->path);
    if (e->type == ENTRY_SYMLINK) printf(" -> %s", e->target);
    printf("\n");
  }
  printf("%u entries\n", a.count);
  archive_close(&a);
}

int archive_verify(const char* path) {
  Archive a;
  archive_open(&a, path);
  int bad = 0;
  for (uint32_t i = 0; i < a.count; ++i) {
    const ArchiveEntry* e = &a.entries[i];
    if (e->type != ENTRY_FILE) continue;
    Buf data = {0};
    archive_entry_data(&a, e, &data);
    const char* problem = archive_entry_check(e, &data);
    if (problem) {
      printf("BAD %s: %s\n", e->path, problem);
      ++bad;
    }
    buf_free(&data);
  }
  printf("%s: %u entries, %d bad\n", path, a.count, bad);
  archive_close(&a);
  return bad;
}

static void set_times(const char* path, int64_t mtime, int fd) {
  struct timespec times[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};
  int rc = fd >= 0 ? futimens(fd, times) : utimensat(AT_FDCWD, path, times, 0);
  if (rc != 0) die_errno("cannot set times of", path);
}

static void unpack_file(const Archive* a, const ArchiveEntry* e, const char* full) {
  Buf data = {0};
  archive_entry_data(a, e, &data);
  const char* problem = archive_entry_check(e, &data);
  if (problem) die(problem, e->path);
  int fd = open(full, O_WRONLY | O_CREAT | O_EXCL, 0644); /* never overwrite */
  if (fd < 0) die_errno("cannot create", full);
  if (data.len) {
    int rc = posix_fallocate(fd, 0, (off_t)data.len); /* the whole size at once, or fail early */
    if (rc != 0 && rc != EOPNOTSUPP && rc != ENOTSUP) {
      errno = rc;
      die_errno("cannot allocate", full);
    }
  }
  write_all(fd, data.data, data.len, full);
  if (fdatasync(fd) != 0) die_errno("cannot sync", full);
  set_times(full, e->mtime, fd);
  if (close(fd) != 0) die_errno("cannot close", full);
  buf_free(&data);
}

void archive_unpack(const char* path, const char* dest) {
  Archive a;
  archive_open(&a, path);
  make_dirs(dest);
  for (uint32_t i = 0; i < a.count; ++i) { /* check every name before writing anything */
    if (!path_is_safe(a.entries[i].path)) die("unsafe path in archive", a.entries[i].path);
  }
  for (uint32_t i = 0; i < a.count; ++i) {
    const ArchiveEntry* e = &a.entries[i];
    char* full = path_join(dest, e->path);
    if (e->type == ENTRY_DIR) {
      if (mkdir(full, 0755) != 0) die_errno("cannot create directory", full);
    } else if (e->type == ENTRY_SYMLINK) {
      if (symlink(e->target, full) != 0) die_errno("cannot create link", full);
    } else {
      unpack_file(&a, e, full);
    }
    free(full);
  }
  /* Directory times last, deepest first: creating their contents changed them. */
  for (uint32_t i = a.count; i-- > 0;) {
    if (a.entries[i].type != ENTRY_DIR) continue;
    char* full = path_join(dest, a.entries[i].path);
    set_times(full, a.entries[i].mtime, -1);
    free(full);
  }
  archive_close(&a);
}
