/* Packing a directory tree into a WPK2 archive (layout in archive.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"

static char* read_link(const char* path) {
  char buf[4096];
  ssize_t n = readlink(path, buf, sizeof buf - 1);
  if (n < 0) die_errno("cannot read link", path);
  buf[n] = 0;
  return xstrdup(buf);
}

/* Appends one file's data to the archive and fills in its index fields. */
static void pack_file(int fd, const char* archive, const char* full, int level, uint64_t* offset,
                      ArchiveEntry* e, PackStats* st) {
  Buf data = {0}, packed = {0};
  read_file(full, &data);
  e->size = data.len;
  e->crc = crc32_update(0, data.data, data.len);
  sha256(data.data, data.len, e->sha);
  if (level > 0) deflate_compress(data.data, data.len, level, &packed);
  const Buf* chosen = &data;
  e->method = METHOD_STORED;
  if (level > 0 && packed.len < data.len) {
    chosen = &packed;
    e->method = METHOD_DEFLATE;
  }
  e->offset = *offset;
  e->length = chosen->len;
  write_all(fd, chosen->data, chosen->len, archive);
  *offset += chosen->len;
  st->bytes_in += data.len;
  st->bytes_stored += chosen->len;
  buf_free(&data);
  buf_free(&packed);
}

static void index_entry(Buf* index, const ArchiveEntry* e) {
  buf_byte(index, (uint8_t)e->type);
  buf_str(index, e->path);
  buf_le64(index, (uint64_t)e->mtime);
  buf_le64(index, e->size);
  buf_byte(index, e->method);
  buf_le64(index, e->offset);
  buf_le64(index, e->length);
  buf_le32(index, e->crc);
  buf_put(index, e->sha, 32);
  if (e->type == ENTRY_SYMLINK) buf_str(index, e->target);
}

PackStats archive_pack(const char* archive, const char* root, int level) {
  Tree tree = {0};
  tree_walk(root, &tree);
  int fd = open(archive, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die_errno("cannot create", archive);

  uint8_t header[kHeaderSize] = {'W', 'P', 'K', '2', kArchiveVersion};
  write_all(fd, header, sizeof header, archive); /* the index offset is patched in below */
  uint64_t offset = kHeaderSize;
  PackStats st = {0};
  Buf index = {0};
  buf_le32(&index, (uint32_t)tree.len);
  for (size_t i = 0; i < tree.len; ++i) {
    const TreeEntry* t = &tree.items[i];
    ArchiveEntry e = {t->type, t->path, t->mtime, 0, METHOD_STORED, offset, 0, 0, {0}, NULL};
    char* full = path_join(root, t->path);
    if (t->type == ENTRY_FILE) {
      pack_file(fd, archive, full, level, &offset, &e, &st);
      st.files++;
    } else if (t->type == ENTRY_DIR) {
      st.dirs++;
    } else {
      e.target = read_link(full);
      st.symlinks++;
    }
    index_entry(&index, &e);
    free(e.target);
    free(full);
  }
  uint8_t digest[32];
  sha256(index.data, index.len, digest);
  write_all(fd, index.data, index.len, archive);
  write_all(fd, digest, sizeof digest, archive);
  uint8_t where[8];
  for (int i = 0; i < 8; ++i) where[i] = (uint8_t)(offset >> (8 * i));
  pwrite_all(fd, where, sizeof where, 8, archive);
  if (fsync(fd) != 0) die_errno("cannot sync", archive); /* a finished archive is on disk */
  if (close(fd) != 0) die_errno("cannot close", archive);
  buf_free(&index);
  tree_free(&tree);
  return st;
}
