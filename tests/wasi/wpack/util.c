/* Errors, allocation, growable buffers and a bounds-checked reader. Error texts use errno
 * names, not strerror, so native and wasm builds print the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpack.h"

void die(const char* what, const char* detail) {
  fprintf(stderr, "wpack: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(EXIT_BAD);
}

const char* errno_name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOSPC: return "ENOSPC";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "EOTHER";
  }
}

void die_errno(const char* what, const char* path) {
  int e = errno;
  fprintf(stderr, "wpack: %s %s: %s\n", what, path, errno_name(e));
  exit(EXIT_BAD);
}

void* xmalloc(size_t n) {
  void* p = malloc(n ? n : 1);
  if (!p) die("out of memory", NULL);
  return p;
}

void* xcalloc(size_t n, size_t size) {
  void* p = calloc(n ? n : 1, size ? size : 1);
  if (!p) die("out of memory", NULL);
  return p;
}

void* xrealloc(void* p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory", NULL);
  return p;
}

char* xstrdup(const char* s) {
  size_t n = strlen(s) + 1;
  char* p = xmalloc(n);
  memcpy(p, s, n);
  return p;
}

char* path_join(const char* a, const char* b) {
  if (!*a) return xstrdup(b);
  if (!*b) return xstrdup(a);
  size_t na = strlen(a), nb = strlen(b);
  char* p = xmalloc(na + nb + 2);
  memcpy(p, a, na);
  p[na] = '/';
  memcpy(p + na + 1, b, nb + 1);
  return p;
}

void buf_reserve(Buf* b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void buf_put(Buf* b, const void* p, size_t n) {
  buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
}

void buf_byte(Buf* b, uint8_t v) {
  buf_reserve(b, 1);
  b->data[b->len++] = v;
}

void buf_le16(Buf* b, uint16_t v) {
  buf_byte(b, (uint8_t)v);
  buf_byte(b, (uint8_t)(v >> 8));
}

void buf_le32(Buf* b, uint32_t v) {
  buf_le16(b, (uint16_t)v);
  buf_le16(b, (uint16_t)(v >> 16));
}

void buf_le64(Buf* b, uint64_t v) {
  buf_le32(b, (uint32_t)v);
  buf_le32(b, (uint32_t)(v >> 32));
}

void buf_be32(Buf* b, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) buf_byte(b, (uint8_t)(v >> shift));
}

void buf_str(Buf* b, const char* s) {
  size_t n = strlen(s);
  if (n > 0xffff) die("name too long", s);
  buf_le16(b, (uint16_t)n);
  buf_put(b, s, n);
}

void buf_free(Buf* b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

const uint8_t* rd_take(Reader* r, size_t n) {
  if (n > r->len - r->pos) die(r->what, "unexpected end of data");
  const uint8_t* p = r->data + r->pos;
  r->pos += n;
  return p;
}

uint8_t rd_u8(Reader* r) { return *rd_take(r, 1); }

uint16_t rd_le16(Reader* r) {
  const uint8_t* p = rd_take(r, 2);
  return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t rd_le32(Reader* r) {
  const uint8_t* p = rd_take(r, 4);
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t rd_le64(Reader* r) {
  uint64_t lo = rd_le32(r);
  return lo | (uint64_t)rd_le32(r) << 32;
}

uint32_t rd_be32(Reader* r) {
  const uint8_t* p = rd_take(r, 4);
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

char* rd_str(Reader* r) {
  uint16_t n = rd_le16(r);
  const uint8_t* p = rd_take(r, n);
  char* s = xmalloc((size_t)n + 1);
  memcpy(s, p, n);
  s[n] = 0;
  if (strlen(s) != n) die(r->what, "NUL byte in a name");
  return s;
}

void hex_string(const uint8_t* p, size_t n, char* out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = 0;
}
