/* The WPK2 archive layout, shared by the writer and the reader.
 *
 *   header   "WPK2", u32 version (2), u64 offset of the index
 *   data     each file's bytes, deflated unless that would not make them smaller
 *   index    u32 entry count, then per entry: u8 type, name, i64 mtime, u64 size,
 *            u8 method, u64 data offset, u64 data length, u32 CRC-32, 32-byte SHA-256,
 *            and for a symlink its target; names are u16 length + bytes
 *   trailer  SHA-256 of the index, so a damaged index is caught before it is trusted
 *
 * Integers are little-endian. The index comes last so files stream out as they are read and
 * the header is patched in place (pwrite) at the end. */
#ifndef WPACK_ARCHIVE_H
#define WPACK_ARCHIVE_H
#include "wpack.h"

enum { kHeaderSize = 16, kArchiveVersion = 2, METHOD_STORED = 0, METHOD_DEFLATE = 1 };

typedef struct {
  EntryType type;
  char* path;
  int64_t mtime;
  uint64_t size;
  uint8_t method;
  uint64_t offset, length;
  uint32_t crc;
  uint8_t sha[32];
  char* target; /* symlinks only */
} ArchiveEntry;

typedef struct {
  int fd;
  const char* path;
  ArchiveEntry* entries;
  uint32_t count;
} Archive;

void archive_open(Archive* a, const char* path);
void archive_close(Archive* a);
/* An entry's contents, decompressed; the checks are left to the caller. */
void archive_entry_data(const Archive* a, const ArchiveEntry* e, Buf* out);
/* NULL when the data matches the recorded size, CRC-32 and SHA-256, else what is wrong. */
const char* archive_entry_check(const ArchiveEntry* e, const Buf* data);

#endif
