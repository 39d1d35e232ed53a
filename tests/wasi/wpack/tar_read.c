/* Reading ustar archives, ours or the system tar's: headers are checked (checksum, magic,
 * octal fields), names must stay inside the destination, and only regular files, directories
 * and symlinks are accepted. pax and GNU extension headers are refused rather than half
 * understood. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tar.h"

typedef struct {
  char path[TAR_PREFIX_LEN + 1 + TAR_NAME_LEN + 1];
  char link[TAR_LINKNAME_LEN + 1];
  char type;
  uint64_t size, mtime;
} TarHeader;

static int all_zero(const uint8_t* block) {
  for (int i = 0; i < kTarBlock; ++i) {
    if (block[i]) return 0;
  }
  return 1;
}

/* Copies a field that is NUL-terminated unless it fills its whole width. */
static size_t field_string(const uint8_t* field, size_t width, char* out) {
  size_t n = 0;
  while (n < width && field[n]) ++n;
  memcpy(out, field, n);
  out[n] = 0;
  return n;
}

static void parse_header(const uint8_t* block, TarHeader* h) {
  uint64_t sum;
  if (tar_octal_get(block + TAR_CHKSUM, 8, &sum) != 0 || sum != tar_checksum(block)) {
    die("corrupt tar archive", "header checksum mismatch");
  }
  if (memcmp(block + TAR_MAGIC, "ustar", 5) != 0) die("corrupt tar archive", "not a ustar header");
  if (tar_octal_get(block + TAR_SIZE, 12, &h->size) != 0 || tar_octal_get(block + TAR_MTIME, 12, &h->mtime) != 0) {
    die("corrupt tar archive", "bad size or time field");
  }
  h->type = block[TAR_TYPEFLAG] ? (char)block[TAR_TYPEFLAG] : '0';
  size_t n = field_string(block + TAR_PREFIX, TAR_PREFIX_LEN, h->path);
  if (n) h->path[n++] = '/';
  n += field_string(block + TAR_NAME, TAR_NAME_LEN, h->path + n);
  while (n > 1 && h->path[n - 1] == '/') h->path[--n] = 0; /* "dir/" names the directory */
  field_string(block + TAR_LINKNAME, TAR_LINKNAME_LEN, h->link);
  if (!strchr("025", h->type)) die("unsupported tar entry type", h->path);
  if (!path_is_safe(h->path)) die("unsafe path in archive", h->path);
}

/* Parent directories may be missing from archives made by other tools. */
static void make_parent(const char* full) {
  char* parent = xstrdup(full);
  char* slash = strrchr(parent, '/');
  if (slash) {
    *slash = 0;
    make_dirs(parent);
  }
  free(parent);
}

static void extract_file(const char* full, const uint8_t* data, const TarHeader* h) {
  make_parent(full);
  int fd = open(full, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) die_errno("cannot create", full);
  write_all(fd, data, (size_t)h->size, full);
  /* Truncate to the exact size: a no-op here, kept so fd_filestat_set_size runs on every file. */
  if (ftruncate(fd, (off_t)h->size) != 0) die_errno("cannot set size of", full);
  struct timespec times[2] = {{(time_t)h->mtime, 0}, {(time_t)h->mtime, 0}};
  if (futimens(fd, times) != 0) die_errno("cannot set times of", full);
  if (close(fd) != 0) die_errno("cannot close", full);
}

typedef struct {
  char* path;
  uint64_t mtime;
} DirTime;

void tar_extract(const char* archive, const char* dest) {
  Buf tar = {0};
  read_file(archive, &tar);
  if (dest) make_dirs(dest);
  DirTime* dirs = NULL;
  size_t ndirs = 0, entries = 0, pos = 0;
  for (;;) {
    if (tar.len - pos < kTarBlock) die("corrupt tar archive", "unexpected end of archive");
    const uint8_t* block = tar.data + pos;
    pos += kTarBlock;
    if (all_zero(block)) break; /* the end marker; a second zero block may follow */
    TarHeader h;
    parse_header(block, &h);
    uint64_t data_size = h.type == '0' ? h.size : 0;
    uint64_t padded = (data_size + kTarBlock - 1) / kTarBlock * kTarBlock;
    if (padded > tar.len - pos) die("corrupt tar archive", "entry data runs past the end");
    ++entries;
    if (!dest) {
      printf("%c %9llu %llu %s%s%s\n", h.type, (unsigned long long)data_size, (unsigned long long)h.mtime, h.path,
             h.type == '2' ? " -> " : "", h.type == '2' ? h.link : "");
    } else {
      char* full = path_join(dest, h.path);
      if (h.type == '5') {
        make_dirs(full);
        dirs = xrealloc(dirs, (ndirs + 1) * sizeof(DirTime));
        dirs[ndirs++] = (DirTime){xstrdup(full), h.mtime};
      } else if (h.type == '2') {
        make_parent(full);
        if (symlink(h.link, full) != 0) die_errno("cannot create link", full);
      } else {
        extract_file(full, tar.data + pos, &h);
      }
      free(full);
    }
    pos += (size_t)padded;
  }
  /* Directory times last, in reverse: creating their contents changed them. */
  for (size_t i = ndirs; i-- > 0;) {
    struct timespec times[2] = {{(time_t)dirs[i].mtime, 0}, {(time_t)dirs[i].mtime, 0}};
    if (utimensat(AT_FDCWD, dirs[i].path, times, 0) != 0) die_errno("cannot set times of", dirs[i].path);
    free(dirs[i].path);
  }
  free(dirs);
  printf("%s: %zu entries%s\n", archive, entries, dest ? " extracted" : "");
  buf_free(&tar);
}
