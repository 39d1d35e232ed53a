/* wpack's command line. Every command reads and writes whole files ("-" is stdin or stdout),
 * prints a short report on stdout and exits 0, 1 when a check finds a difference, or 2 on bad
 * input, with one "wpack: ..." line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tar.h"
#include "wpack.h"

static void usage(void) {
  fputs("usage: wpack COMMAND ARGS\n"
        "  gzip|zlib|deflate [-0..-9] IN OUT   compress (IN/OUT may be -)\n"
        "  gunzip|unzlib|inflate IN OUT        decompress\n"
        "  sum sha256|sha512|sha1|md5|crc32|adler32 FILE...\n"
        "  b64enc IN OUT | b64dec IN OUT\n"
        "  pack [-0..-9] ARCHIVE DIR | unpack ARCHIVE DIR | list ARCHIVE | verify ARCHIVE\n"
        "  tar ARCHIVE DIR | untar ARCHIVE DIR | tlist ARCHIVE   (POSIX ustar)\n"
        "  gen DIR SEED KIB | cmp DIR DIR | roundtrip FILE... | selftest\n",
        stderr);
  exit(EXIT_BAD);
}

static void load(const char* path, Buf* out) {
  if (!strcmp(path, "-")) {
    read_fd(0, out);
  } else {
    read_file(path, out);
  }
}

static void store(const char* path, const Buf* b) {
  if (!strcmp(path, "-")) {
    write_all(1, b->data, b->len, "stdout");
  } else {
    write_file(path, b->data, b->len);
  }
}

/* Reports go to stderr when the data itself goes to stdout. */
static FILE* report_stream(const char* out) { return strcmp(out, "-") ? stdout : stderr; }

/* An optional leading "-N" compression level; returns the index of the next argument. */
static int parse_level(int argc, char** argv, int at, int* level) {
  *level = 6;
  if (at < argc && argv[at][0] == '-' && argv[at][1] >= '0' && argv[at][1] <= '9' && !argv[at][2]) {
    *level = argv[at][1] - '0';
    return at + 1;
  }
  return at;
}

static const char* base_name(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int cmd_compress(const char* format, int argc, char** argv) {
  int level;
  int at = parse_level(argc, argv, 2, &level);
  if (argc - at != 2) usage();
  const char* in = argv[at];
  const char* out = argv[at + 1];
  Buf data = {0}, packed = {0};
  load(in, &data);
  if (!strcmp(format, "gzip")) {
    gzip_compress(data.data, data.len, level, strcmp(in, "-") ? base_name(in) : NULL, &packed);
  } else if (!strcmp(format, "zlib")) {
    zlib_compress(data.data, data.len, level, &packed);
  } else {
    deflate_compress(data.data, data.len, level, &packed);
  }
  store(out, &packed);
  fprintf(report_stream(out), "%s -%d %s: %zu -> %zu bytes\n", format, level, in, data.len, packed.len);
  buf_free(&data);
  buf_free(&packed);
  return 0;
}

static int cmd_decompress(const char* format, int argc, char** argv) {
  if (argc != 4) usage();
  Buf packed = {0}, data = {0};
  load(argv[2], &packed);
  if (!strcmp(format, "gunzip")) {
    gzip_decompress(packed.data, packed.len, &data);
  } else if (!strcmp(format, "unzlib")) {
    zlib_decompress(packed.data, packed.len, &data);
  } else if (inflate_data(packed.data, packed.len, &data) != packed.len) {
    die("trailing garbage after deflate stream", argv[2]);
  }
  store(argv[3], &data);
  fprintf(report_stream(argv[3]), "%s %s: %zu -> %zu bytes\n", format, argv[2], packed.len, data.len);
  buf_free(&packed);
  buf_free(&data);
  return 0;
}

static int cmd_sum(int argc, char** argv) {
  if (argc < 4) usage();
  uint8_t probe[kMaxDigest];
  if (!digest_named(argv[2], NULL, 0, probe)) die("unknown digest", argv[2]);
  for (int i = 3; i < argc; ++i) {
    Buf data = {0};
    load(argv[i], &data);
    uint8_t digest[kMaxDigest];
    char text[2 * kMaxDigest + 1];
    hex_string(digest, digest_named(argv[2], data.data, data.len, digest), text);
    printf("%s  %s\n", text, argv[i]); /* the sha256sum layout */
    buf_free(&data);
  }
  return 0;
}

static int cmd_base64(int encode, int argc, char** argv) {
  if (argc != 4) usage();
  Buf in = {0}, out = {0};
  load(argv[2], &in);
  if (encode) {
    base64_encode(in.data, in.len, &out, 1);
  } else if (base64_decode(in.data, in.len, &out) != 0) {
    die("invalid base64 input", argv[2]);
  }
  store(argv[3], &out);
  fprintf(report_stream(argv[3]), "%s %s: %zu -> %zu bytes\n", encode ? "b64enc" : "b64dec", argv[2], in.len,
          out.len);
  buf_free(&in);
  buf_free(&out);
  return 0;
}

static int cmd_pack(int argc, char** argv) {
  int level;
  int at = parse_level(argc, argv, 2, &level);
  if (argc - at != 2) usage();
  PackStats st = archive_pack(argv[at], argv[at + 1], level);
  printf("packed %s: %llu files, %llu directories, %llu links, %llu -> %llu bytes\n", argv[at],
         (unsigned long long)st.files, (unsigned long long)st.dirs, (unsigned long long)st.symlinks,
         (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_stored);
  return 0;
}

/* Every level on each file: compress, decompress, compare; sizes printed for the record. */
static int cmd_roundtrip(int argc, char** argv) {
  if (argc < 3) usage();
  int bad = 0;
  for (int i = 2; i < argc; ++i) {
    Buf data = {0};
    load(argv[i], &data);
    printf("%s (%zu bytes):", argv[i], data.len);
    for (int level = 0; level <= 9; level += 3) {
      Buf packed = {0}, back = {0};
      gzip_compress(data.data, data.len, level, NULL, &packed);
      gzip_decompress(packed.data, packed.len, &back);
      int same = back.len == data.len && (!data.len || !memcmp(back.data, data.data, data.len));
      printf(" -%d %zu%s", level, packed.len, same ? "" : " MISMATCH");
      bad += !same;
      buf_free(&packed);
      buf_free(&back);
    }
    printf("\n");
    buf_free(&data);
  }
  return bad ? EXIT_MISMATCH : 0;
}

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const char* cmd = argv[1];
  if (!strcmp(cmd, "gzip") || !strcmp(cmd, "zlib") || !strcmp(cmd, "deflate")) return cmd_compress(cmd, argc, argv);
  if (!strcmp(cmd, "gunzip") || !strcmp(cmd, "unzlib") || !strcmp(cmd, "inflate")) {
    return cmd_decompress(cmd, argc, argv);
  }
  if (!strcmp(cmd, "sum")) return cmd_sum(argc, argv);
  if (!strcmp(cmd, "b64enc") || !strcmp(cmd, "b64dec")) return cmd_base64(cmd[3] == 'e', argc, argv);
  if (!strcmp(cmd, "pack")) return cmd_pack(argc, argv);
  if (!strcmp(cmd, "unpack") && argc == 4) {
    archive_unpack(argv[2], argv[3]);
    printf("unpacked %s into %s\n", argv[2], argv[3]);
    return 0;
  }
  if (!strcmp(cmd, "list") && argc == 3) {
    archive_list(argv[2]);
    return 0;
  }
  if (!strcmp(cmd, "verify") && argc == 3) return archive_verify(argv[2]) ? EXIT_MISMATCH : 0;
  if (!strcmp(cmd, "tar") && argc == 4) {
    tar_create(argv[2], argv[3]);
    printf("wrote %s from %s\n", argv[2], argv[3]);
    return 0;
  }
  if ((!strcmp(cmd, "untar") && argc == 4) || (!strcmp(cmd, "tlist") && argc == 3)) {
    tar_extract(argv[2], argc == 4 ? argv[3] : NULL);
    return 0;
  }
  if (!strcmp(cmd, "gen") && argc == 5) {
    generate_tree(argv[2], (uint32_t)strtoul(argv[3], NULL, 10), (size_t)strtoul(argv[4], NULL, 10));
    printf("generated %s\n", argv[2]);
    return 0;
  }
  if (!strcmp(cmd, "cmp") && argc == 4) {
    int differences = compare_trees(argv[2], argv[3]);
    printf("%s and %s: %d differences\n", argv[2], argv[3], differences);
    return differences ? EXIT_MISMATCH : 0;
  }
  if (!strcmp(cmd, "roundtrip")) return cmd_roundtrip(argc, argv);
  if (!strcmp(cmd, "selftest") && argc == 2) return self_test() ? EXIT_MISMATCH : 0;
  usage();
}
