/* wpack: a compression, hashing and archiving tool written for the WASI tests. Its test runs
 * every command natively and under `wasmpp run` on the same inputs and requires identical
 * output bytes, files and exit codes; system gzip/zlib check the streams independently.
 * Declarations shared by the files of the tool; each .c file has one job. */
#ifndef WPACK_H
#define WPACK_H
#include <stddef.h>
#include <stdint.h>

/* ---- util.c: errors, allocation, growable buffers, a bounds-checked reader ---- */

/* Exit codes: 0 success, 1 a check failed (verify, compare), 2 bad input or usage. */
enum { EXIT_MISMATCH = 1, EXIT_BAD = 2 };

_Noreturn void die(const char* what, const char* detail);
_Noreturn void die_errno(const char* what, const char* path);
const char* errno_name(int e);
void* xmalloc(size_t n);
void* xcalloc(size_t n, size_t size);
void* xrealloc(void* p, size_t n);
char* xstrdup(const char* s);
char* path_join(const char* a, const char* b);

typedef struct {
  uint8_t* data;
  size_t len;
  size_t cap;
} Buf;

void buf_reserve(Buf* b, size_t extra);
void buf_put(Buf* b, const void* p, size_t n);
void buf_byte(Buf* b, uint8_t v);
void buf_le16(Buf* b, uint16_t v);
void buf_le32(Buf* b, uint32_t v);
void buf_le64(Buf* b, uint64_t v);
void buf_be32(Buf* b, uint32_t v);
void buf_str(Buf* b, const char* s); /* u16 length, then the bytes */
void buf_free(Buf* b);

/* Reading past the end is a corrupt input: `what` names it in the error. */
typedef struct {
  const uint8_t* data;
  size_t len;
  size_t pos;
  const char* what;
} Reader;

const uint8_t* rd_take(Reader* r, size_t n);
uint8_t rd_u8(Reader* r);
uint16_t rd_le16(Reader* r);
uint32_t rd_le32(Reader* r);
uint64_t rd_le64(Reader* r);
uint32_t rd_be32(Reader* r);
char* rd_str(Reader* r);

void hex_string(const uint8_t* p, size_t n, char* out); /* out holds 2n+1 chars */

/* ---- fileio.c: whole files and positioned I/O with short reads and writes handled ---- */

void read_file(const char* path, Buf* out);
void write_file(const char* path, const uint8_t* data, size_t len);
void read_fd(int fd, Buf* out);
void write_all(int fd, const uint8_t* data, size_t len, const char* path);
void pread_all(int fd, uint8_t* data, size_t len, uint64_t offset, const char* path);
void pwrite_all(int fd, const uint8_t* data, size_t len, uint64_t offset, const char* path);

/* ---- checksums.c: CRC-32 (ISO 3309 / RFC 1952) and Adler-32 (RFC 1950) ---- */

uint32_t crc32_update(uint32_t crc, const uint8_t* p, size_t n); /* start with 0 */
uint32_t adler32_update(uint32_t adler, const uint8_t* p, size_t n); /* start with 1 */

/* ---- sha256.c, sha512.c, sha1.c, md5.c: digests (FIPS 180-4, RFC 1321) ---- */

typedef struct {
  uint32_t h[8];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
} Sha256;
void sha256_init(Sha256* s);
void sha256_update(Sha256* s, const uint8_t* p, size_t n);
void sha256_final(Sha256* s, uint8_t out[32]);
void sha256(const uint8_t* p, size_t n, uint8_t out[32]);

typedef struct {
  uint32_t h[5];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
} Sha1;
void sha1_init(Sha1* s);
void sha1_update(Sha1* s, const uint8_t* p, size_t n);
void sha1_final(Sha1* s, uint8_t out[20]);

typedef struct {
  uint32_t h[4];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
} Md5;
void md5_init(Md5* s);
void md5_update(Md5* s, const uint8_t* p, size_t n);
void md5_final(Md5* s, uint8_t out[16]);

typedef struct {
  uint64_t h[8];
  uint8_t block[128];
  size_t fill;
  uint64_t total;
} Sha512;
void sha512_init(Sha512* s);
void sha512_update(Sha512* s, const uint8_t* p, size_t n);
void sha512_final(Sha512* s, uint8_t out[64]);

/* digest.c: one interface over all of them, by name ("sha256", "sha512", "sha1", "md5",
 * "crc32", "adler32"); returns the digest length (at most kMaxDigest), or 0 for an unknown
 * name. */
enum { kMaxDigest = 64 };
size_t digest_named(const char* name, const uint8_t* p, size_t n, uint8_t* out);

/* ---- base64.c (RFC 4648) ---- */

void base64_encode(const uint8_t* p, size_t n, Buf* out, int wrap);
int base64_decode(const uint8_t* p, size_t n, Buf* out); /* 0, or -1 on bad input */

/* ---- bits.c: deflate bit order (least significant bit first) ---- */

typedef struct {
  Buf* out;
  uint64_t acc;
  int count;
} BitWriter;
void bw_init(BitWriter* w, Buf* out);
void bw_put(BitWriter* w, uint32_t bits, int n);
void bw_put_reversed(BitWriter* w, uint32_t code, int n); /* Huffman codes, MSB first */
void bw_align(BitWriter* w);

typedef struct {
  const uint8_t* data;
  size_t len;
  size_t pos; /* next byte */
  uint64_t acc;
  int count;
} BitReader;
void br_init(BitReader* r, const uint8_t* data, size_t len);
uint32_t br_bits(BitReader* r, int n); /* dies at the end of the input */
void br_refill(BitReader* r);          /* loads whole bytes while they fit and remain */
void br_align(BitReader* r);
size_t br_byte_pos(const BitReader* r); /* first byte not consumed (after alignment) */

/* ---- huffman.c: length-limited code lengths, canonical codes, a table decoder ---- */

enum { kMaxCodeBits = 15, kMaxSymbols = 288 };

void huffman_lengths(const uint32_t* freq, int n, int max_bits, uint8_t* lengths);
void huffman_codes(const uint8_t* lengths, int n, uint16_t* codes);

typedef struct {
  int16_t count[kMaxCodeBits + 1];
  int16_t symbol[kMaxSymbols];
} HuffDecoder;
/* 0 for a complete code, 1 for an incomplete one (allowed for a single code), -1 for an
 * over-subscribed one. */
int huff_build(HuffDecoder* d, const uint8_t* lengths, int n);
int huff_decode(const HuffDecoder* d, BitReader* r); /* -1 on a code that is not there */

/* ---- lz77.c: matches over a 32 KiB window with hash chains and lazy evaluation ---- */

typedef struct {
  uint16_t len;  /* 0 for a literal */
  uint16_t dist; /* or the literal byte */
} Token;

typedef struct {
  int max_chain;   /* candidates tried per position */
  int nice_len;    /* stop searching at this length */
  int lazy;        /* try the next position before taking a match */
} Lz77Params;

Lz77Params lz77_params(int level);
/* Tokens for data[start..end), with data[0..start) usable as history. */
Token* lz77_parse(const uint8_t* data, size_t start, size_t end, Lz77Params p, size_t* ntokens);

/* ---- deflate.c, deflate_tables.c: RFC 1951 ---- */

extern const uint16_t kLengthBase[29];
extern const uint8_t kLengthExtra[29];
extern const uint16_t kDistBase[30];
extern const uint8_t kDistExtra[30];
extern const uint8_t kCodeLengthOrder[19];
int length_code(int len); /* 0..28 */
int dist_code(int dist);  /* 0..29 */

void deflate_compress(const uint8_t* data, size_t n, int level, Buf* out);

/* inflate.c: appends the decompressed data to `out`; returns the number of input bytes
 * consumed (whole bytes). Corrupt input exits with an error naming the problem. */
size_t inflate_data(const uint8_t* data, size_t n, Buf* out);

/* ---- container.c: gzip (RFC 1952) and zlib (RFC 1950) framing ---- */

void gzip_compress(const uint8_t* data, size_t n, int level, const char* name, Buf* out);
void gzip_decompress(const uint8_t* data, size_t n, Buf* out); /* all members */
void zlib_compress(const uint8_t* data, size_t n, int level, Buf* out);
void zlib_decompress(const uint8_t* data, size_t n, Buf* out);

/* ---- tree.c: directory trees ---- */

typedef enum { ENTRY_FILE = 1, ENTRY_DIR = 2, ENTRY_SYMLINK = 3 } EntryType;

typedef struct {
  char* path; /* relative to the root */
  EntryType type;
  uint32_t mode;
  int64_t mtime;
  uint64_t size;
} TreeEntry;

typedef struct {
  TreeEntry* items;
  size_t len;
  size_t cap;
} Tree;

void tree_walk(const char* root, Tree* out); /* sorted, directories before their contents */
void tree_free(Tree* t);
void make_dirs(const char* path);   /* mkdir -p */
int path_is_safe(const char* rel);  /* no absolute paths, no "..", no empty components */
int compare_trees(const char* a, const char* b); /* prints differences; 0 when equal */

/* ---- archive_write.c, archive_read.c: the WPK2 archive format ---- */

typedef struct {
  uint64_t files, dirs, symlinks;
  uint64_t bytes_in, bytes_stored;
} PackStats;

PackStats archive_pack(const char* archive, const char* root, int level);
void archive_list(const char* archive);
int archive_verify(const char* archive); /* 0 when every entry checks out */
void archive_unpack(const char* archive, const char* dest);

/* ---- gen.c: deterministic test data ---- */

void generate_tree(const char* root, uint32_t seed, size_t scale_kib);

/* ---- selftest.c: known answers from the specifications ---- */

int self_test(void);

#endif
