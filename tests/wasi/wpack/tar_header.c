/* ustar header fields: octal numbers and the checksum. */
#include "tar.h"

int tar_octal_put(uint8_t* field, int width, uint64_t value) {
  field[width - 1] = 0;
  for (int i = width - 2; i >= 0; --i) {
    field[i] = (uint8_t)('0' + (value & 7));
    value >>= 3;
  }
  return value == 0;
}

int tar_octal_get(const uint8_t* field, int width, uint64_t* value) {
  int i = 0;
  while (i < width && field[i] == ' ') ++i;
  uint64_t v = 0;
  int digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (v >> 61) return -1;
    v = v << 3 | (uint64_t)(field[i] - '0');
  }
  for (; i < width; ++i) {
    if (field[i] != 0 && field[i] != ' ') return -1;
  }
  if (!digits) return -1;
  *value = v;
  return 0;
}

uint32_t tar_checksum(const uint8_t* block) {
  uint32_t sum = 0;
  for (int i = 0; i < kTarBlock; ++i) sum += i >= TAR_CHKSUM && i < TAR_CHKSUM + 8 ? ' ' : block[i];
  return sum;
}
