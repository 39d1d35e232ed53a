/* POSIX ustar archives (IEEE Std 1003.1, "ustar Interchange Format"), so trees packed by wpack
 * can be checked with the system's tar and the other way round. 512-byte blocks; each entry is
 * a header block then its data padded to a block; two zero blocks end the archive. */
#ifndef WPACK_TAR_H
#define WPACK_TAR_H
#include "wpack.h"

enum { kTarBlock = 512 };

/* Field offsets and sizes within a header block. */
enum {
  TAR_NAME = 0, TAR_NAME_LEN = 100,
  TAR_MODE = 100, TAR_UID = 108, TAR_GID = 116, TAR_SIZE = 124, TAR_MTIME = 136,
  TAR_CHKSUM = 148, TAR_TYPEFLAG = 156,
  TAR_LINKNAME = 157, TAR_LINKNAME_LEN = 100,
  TAR_MAGIC = 257, TAR_VERSION = 263, TAR_UNAME = 265, TAR_GNAME = 297,
  TAR_PREFIX = 345, TAR_PREFIX_LEN = 155,
};

/* Writes `value` as zero-padded octal filling width - 1 digits, then a NUL. 0 if it does not fit. */
int tar_octal_put(uint8_t* field, int width, uint64_t value);
/* Parses an octal field (leading spaces, trailing NULs or spaces); -1 when malformed. */
int tar_octal_get(const uint8_t* field, int width, uint64_t* value);
/* The header checksum: the byte sum with the checksum field counted as spaces. */
uint32_t tar_checksum(const uint8_t* block);

void tar_create(const char* archive, const char* root);
/* Extracts into `dest`, or only lists the entries when dest is NULL. */
void tar_extract(const char* archive, const char* dest);

#endif
