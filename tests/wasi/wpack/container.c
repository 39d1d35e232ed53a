/* gzip (RFC 1952) and zlib (RFC 1950) framing around raw deflate data. The gzip reader takes
 * every optional header field and concatenated members, as gzip -d does; both readers check
 * their trailers. */
#include <string.h>

#include "wpack.h"

enum {
  FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, FRESERVED = 0xe0,
  OS_UNIX = 3,
};

void gzip_compress(const uint8_t* data, size_t n, int level, const char* name, Buf* out) {
  buf_byte(out, 0x1f);
  buf_byte(out, 0x8b);
  buf_byte(out, 8); /* CM = deflate */
  buf_byte(out, name ? FNAME : 0);
  buf_le32(out, 0); /* MTIME 0: no time stamp, so output depends on the data alone */
  buf_byte(out, level >= 9 ? 2 : level == 1 ? 4 : 0); /* XFL: slowest / fastest */
  buf_byte(out, OS_UNIX);
  if (name) buf_put(out, name, strlen(name) + 1);
  deflate_compress(data, n, level, out);
  buf_le32(out, crc32_update(0, data, n));
  buf_le32(out, (uint32_t)n); /* ISIZE: the size modulo 2^32 */
}

/* Skips a zero-terminated header field. */
static void skip_string(Reader* r) {
  while (rd_u8(r) != 0) {
  }
}

static size_t gzip_member(const uint8_t* data, size_t n, Buf* out) {
  Reader r = {data, n, 0, "corrupt gzip header"};
  if (rd_u8(&r) != 0x1f || rd_u8(&r) != 0x8b) die("not in gzip format", NULL);
  if (rd_u8(&r) != 8) die("corrupt gzip header", "unknown compression method");
  uint8_t flags = rd_u8(&r);
  if (flags & FRESERVED) die("corrupt gzip header", "reserved flag bits set");
  rd_take(&r, 6); /* MTIME, XFL, OS */
  if (flags & FEXTRA) rd_take(&r, rd_le16(&r));
  if (flags & FNAME) skip_string(&r);
  if (flags & FCOMMENT) skip_string(&r);
  if (flags & FHCRC) {
    uint16_t want = (uint16_t)crc32_update(0, data, r.pos);
    if (rd_le16(&r) != want) die("corrupt gzip header", "header CRC mismatch");
  }
  size_t start = out->len;
  size_t used = inflate_data(data + r.pos, n - r.pos, out);
  r.pos += used;
  r.what = "truncated gzip trailer";
  uint32_t crc = rd_le32(&r);
  uint32_t size = rd_le32(&r);
  if (crc != crc32_update(0, out->data + start, out->len - start)) die("gzip data CRC mismatch", NULL);
  if (size != (uint32_t)(out->len - start)) die("gzip data length mismatch", NULL);
  return r.pos;
}

void gzip_decompress(const uint8_t* data, size_t n, Buf* out) {
  size_t pos = 0;
  do {
    pos += gzip_member(data + pos, n - pos, out);
    /* gzip -d ignores zero padding after the last member (tape blocks). */
    size_t k = pos;
    while (k < n && data[k] == 0) ++k;
    if (k == n) break;
  } while (pos < n);
}

void zlib_compress(const uint8_t* data, size_t n, int level, Buf* out) {
  uint8_t cmf = 0x78; /* CM 8, CINFO 7: a 32 KiB window */
  int flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
  uint8_t flg = (uint8_t)(flevel << 6);
  flg = (uint8_t)(flg + (31 - (cmf * 256 + flg) % 31) % 31); /* FCHECK */
  buf_byte(out, cmf);
  buf_byte(out, flg);
  deflate_compress(data, n, level, out);
  buf_be32(out, adler32_update(1, data, n));
}

void zlib_decompress(const uint8_t* data, size_t n, Buf* out) {
  Reader r = {data, n, 0, "corrupt zlib header"};
  uint8_t cmf = rd_u8(&r), flg = rd_u8(&r);
  if ((cmf * 256 + flg) % 31 != 0) die("not in zlib format", "header check failed");
  if ((cmf & 15) != 8) die("corrupt zlib header", "unknown compression method");
  if ((cmf >> 4) > 7) die("corrupt zlib header", "window larger than 32 KiB");
  if (flg & 0x20) die("corrupt zlib header", "preset dictionary required");
  size_t start = out->len;
  r.pos += inflate_data(data + r.pos, n - r.pos, out);
  r.what = "truncated zlib trailer";
  if (rd_be32(&r) != adler32_update(1, out->data + start, out->len - start)) die("zlib Adler-32 mismatch", NULL);
  if (r.pos != n) die("trailing garbage after zlib stream", NULL);
}
