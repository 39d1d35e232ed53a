/* Writing a tree as a ustar archive. There are no permission bits to carry (WASI has none),
 * so modes are the conventional 0644 / 0755 / 0777, owners 0, and the entry times are the
 * tree's own. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tar.h"

/* Splits `path` into prefix and name at a '/' so that both fit; 0 if no split works. */
static int split_name(const char* path, uint8_t* block) {
  size_t n = strlen(path);
  if (n <= TAR_NAME_LEN) {
    memcpy(block + TAR_NAME, path, n);
    return 1;
  }
  for (size_t cut = n; cut-- > 0;) {
    if (path[cut] != '/') continue;
    if (cut > TAR_PREFIX_LEN) continue;
    if (n - cut - 1 > TAR_NAME_LEN || n - cut - 1 == 0) return 0;
    memcpy(block + TAR_PREFIX, path, cut);
    memcpy(block + TAR_NAME, path + cut + 1, n - cut - 1);
    return 1;
  }
  return 0;
}

static void header(int fd, const char* archive, const TreeEntry* e, const char* link) {
  uint8_t block[kTarBlock];
  memset(block, 0, sizeof block);
  size_t n = strlen(e->path);
  char* name = xmalloc(n + 2);
  memcpy(name, e->path, n + 1);
  if (e->type == ENTRY_DIR) { /* directories end in '/' by convention */
    name[n] = '/';
    name[n + 1] = 0;
  }
  if (!split_name(name, block)) die("name too long for ustar", e->path);
  free(name);
  uint32_t mode = e->type == ENTRY_DIR ? 0755 : e->type == ENTRY_SYMLINK ? 0777 : 0644;
  tar_octal_put(block + TAR_MODE, 8, mode);
  tar_octal_put(block + TAR_UID, 8, 0);
  tar_octal_put(block + TAR_GID, 8, 0);
  if (!tar_octal_put(block + TAR_SIZE, 12, e->type == ENTRY_FILE ? e->size : 0)) die("file too large for ustar", e->path);
  tar_octal_put(block + TAR_MTIME, 12, e->mtime > 0 ? (uint64_t)e->mtime : 0);
  block[TAR_TYPEFLAG] = e->type == ENTRY_DIR ? '5' : e->type == ENTRY_SYMLINK ? '2' : '0';
  if (link) {
    size_t n = strlen(link);
    if (n > TAR_LINKNAME_LEN) die("link target too long for ustar", e->path);
    memcpy(block + TAR_LINKNAME, link, n);
  }
  memcpy(block + TAR_MAGIC, "ustar", 6); /* with its NUL */
  memcpy(block + TAR_VERSION, "00", 2);
  tar_octal_put(block + TAR_CHKSUM, 7, tar_checksum(block)); /* six digits, NUL, then a space */
  block[TAR_CHKSUM + 7] = ' ';
  write_all(fd, block, sizeof block, archive);
}

void tar_create(const char* archive, const char* root) {
  Tree tree = {0};
  tree_walk(root, &tree);
  int fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die_errno("cannot create", archive);
  static const uint8_t zeros[2 * kTarBlock];
  for (size_t i = 0; i < tree.len; ++i) {
    const TreeEntry* e = &tree.items[i];
    char* full = path_join(root, e->path);
    if (e->type == ENTRY_SYMLINK) {
      char target[4096];
      ssize_t n = readlink(full, target, sizeof target - 1);
      if (n < 0) die_errno("cannot read link", full);
      target[n] = 0;
      header(fd, archive, e, target);
    } else if (e->type == ENTRY_DIR) {
      header(fd, archive, e, NULL);
    } else {
      Buf data = {0};
      read_file(full, &data);
      TreeEntry now = *e;
      now.size = data.len; /* what was read, even if the file changed since the walk */
      header(fd, archive, &now, NULL);
      write_all(fd, data.data, data.len, archive);
      write_all(fd, zeros, (kTarBlock - data.len % kTarBlock) % kTarBlock, archive);
      buf_free(&data);
    }
    free(full);
  }
  write_all(fd, zeros, sizeof zeros, archive);
  if (close(fd) != 0) die_errno("cannot close", archive);
  tree_free(&tree);
}
