/* One interface over every digest, chosen by name on the command line. */
#include <string.h>

#include "wpack.h"

size_t digest_named(const char* name, const uint8_t* p, size_t n, uint8_t* out) {
  if (!strcmp(name, "sha256")) {
    sha256(p, n, out);
    return 32;
  }
  if (!strcmp(name, "sha512")) {
    Sha512 s;
    sha512_init(&s);
    sha512_update(&s, p, n);
    sha512_final(&s, out);
    return 64;
  }
  if (!strcmp(name, "sha1")) {
    Sha1 s;
    sha1_init(&s);
    sha1_update(&s, p, n);
    sha1_final(&s, out);
    return 20;
  }
  if (!strcmp(name, "md5")) {
    Md5 s;
    md5_init(&s);
    md5_update(&s, p, n);
    md5_final(&s, out);
    return 16;
  }
  uint32_t v;
  if (!strcmp(name, "crc32")) {
    v = crc32_update(0, p, n);
  } else if (!strcmp(name, "adler32")) {
    v = adler32_update(1, p, n);
  } else {
    return 0;
  }
  for (int i = 0; i < 4; ++i) out[i] = (uint8_t)(v >> (24 - 8 * i)); /* printed big-endian */
  return 4;
}
