/* The length and distance tables of RFC 1951 section 3.2.5, and the order in which code length
 * code lengths are sent (section 3.2.7). */
#include "wpack.h"

const uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                1025, 1537, 2049, 3073, 4097, 6145,  8193,  12289, 16385, 24577};
const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
const uint8_t kCodeLengthOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* Lookup tables from the bases, built on first use. */
static uint8_t length_code_of[259];
static uint8_t dist_code_of[512]; /* distances 1..256 directly, larger ones by dist >> 7 */
static int tables_ready;

static void build_tables(void) {
  for (int code = 0; code < 29; ++code) {
    int end = code == 28 ? 259 : kLengthBase[code + 1];
    for (int len = kLengthBase[code]; len < end; ++len) length_code_of[len] = (uint8_t)code;
  }
  length_code_of[258] = 28; /* 258 has its own code, not 227 + 31 */
  for (int code = 0; code < 30; ++code) {
    int end = code == 29 ? 32769 : kDistBase[code + 1];
    for (int dist = kDistBase[code]; dist < end; ++dist) {
      if (dist <= 256) {
        dist_code_of[dist - 1] = (uint8_t)code;
      } else {
        dist_code_of[256 + ((dist - 1) >> 7)] = (uint8_t)code;
      }
    }
  }
  tables_ready = 1;
}

int length_code(int len) {
  if (!tables_ready) build_tables();
  return length_code_of[len];
}

int dist_code(int dist) {
  if (!tables_ready) build_tables();
  return dist <= 256 ? dist_code_of[dist - 1] : dist_code_of[256 + ((dist - 1) >> 7)];
}
