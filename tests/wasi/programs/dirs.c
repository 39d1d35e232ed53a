/* Directories and names: mkdir/rmdir, listing with readdir (and rewinddir/seekdir), rename,
 * unlink, hard links, symlinks (readlink, lstat vs stat, following), path times, and the
 * errors of each. */
//! SETUP: mkdir -p tree/a/b && echo one > tree/one.txt && echo two > tree/a/two.txt && ln -s one.txt tree/link-to-one && ln -s a tree/link-to-a && ln -s missing tree/dangling
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static const char* type_name(unsigned char t) {
  switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "link";
    default: return "other";
  }
}

/* Prints a directory's entries sorted by name, with their types. */
static void list(const char* path) {
  DIR* d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, errname(errno));
    return;
  }
  char* names[256];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) && n < 256) {
    char* s = malloc(strlen(e->d_name) + 16);
    sprintf(s, "%s:%s", e->d_name, type_name(e->d_type));
    names[n++] = s;
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp);
  printf("%s:", path);
  for (int i = 0; i < n; ++i) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

static void show_stat(const char* path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r != 0) {
    printf("%s %s: %s\n", follow ? "stat" : "lstat", path, errname(errno));
    return;
  }
  printf("%s %s: %s size=%ld nlink=%ld\n", follow ? "stat" : "lstat", path,
         S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : "other",
         S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? (long)st.st_size : 0L, S_ISDIR(st.st_mode) ? 0L : (long)st.st_nlink);
}

int main(void) {
  list(".");
  list("tree");
  list("tree/a");
  list("tree/link-to-a");
  show_stat("tree/link-to-one", 1);
  show_stat("tree/link-to-one", 0);
  show_stat("tree/dangling", 1);
  show_stat("tree/dangling", 0);
  show_stat("tree/a/", 1);
  show_stat("tree/one.txt/", 1);
  show_stat("tree/link-to-a/two.txt", 1);
  show_stat("tree/a/b/../../one.txt", 1);

  char buf[64];
  ssize_t n = readlink("tree/link-to-one", buf, sizeof buf);
  printf("readlink: %.*s (%ld)\n", (int)(n > 0 ? n : 0), buf, (long)n);
  n = readlink("tree/link-to-one", buf, 3);
  printf("readlink short: %.*s (%ld)\n", (int)(n > 0 ? n : 0), buf, (long)n);
  TRY("readlink of file", readlink("tree/one.txt", buf, sizeof buf));
  TRY("readlink missing", readlink("tree/nothing", buf, sizeof buf));

  TRY("mkdir new", mkdir("new", 0755));
  TRY("mkdir again", mkdir("new", 0755));
  TRY("mkdir nested missing", mkdir("nope/deeper", 0755));
  TRY("mkdir with slash", mkdir("new2/", 0755));
  TRY("mkdir over file", mkdir("tree/one.txt", 0755));
  TRY("create file in new", close(open("new/f.txt", O_WRONLY | O_CREAT, 0644)));
  TRY("rmdir nonempty", rmdir("new"));
  TRY("rmdir file", rmdir("new/f.txt"));
  TRY("unlink dir", unlink("new2"));
  TRY("unlink missing", unlink("new/none"));
  TRY("unlink file/", unlink("new/f.txt/"));
  TRY("unlink file", unlink("new/f.txt"));
  TRY("rmdir new", rmdir("new"));
  TRY("rmdir new2/", rmdir("new2/"));
  TRY("rmdir missing", rmdir("new"));

  TRY("rename file", rename("tree/one.txt", "tree/uno.txt"));
  TRY("rename missing", rename("tree/one.txt", "tree/x.txt"));
  TRY("rename into dir", rename("tree/uno.txt", "tree/a/b/uno.txt"));
  TRY("rename dir", rename("tree/a/b", "tree/bee"));
  TRY("rename dir over file", rename("tree/bee", "tree/a/two.txt"));
  TRY("rename file over dir", rename("tree/a/two.txt", "tree/bee"));
  TRY("rename dir into itself", rename("tree/a", "tree/a/inside"));
  TRY("mkdir target", mkdir("tree/empty", 0755));
  TRY("rename dir over empty dir", rename("tree/bee", "tree/empty"));
  list("tree");
  list("tree/empty");

  TRY("link", link("tree/empty/uno.txt", "tree/hard.txt"));
  TRY("link exists", link("tree/empty/uno.txt", "tree/hard.txt"));
  TRY("link dir", link("tree/a", "tree/a-hard"));
  TRY("link missing", link("tree/none", "tree/none2"));
  show_stat("tree/hard.txt", 1);
  TRY("symlink", symlink("empty/uno.txt", "tree/sym"));
  TRY("symlink exists", symlink("x", "tree/sym"));
  show_stat("tree/sym", 1);
  TRY("open through symlink", close(open("tree/sym", O_RDONLY)));
  TRY("open O_NOFOLLOW symlink", open("tree/sym", O_RDONLY | O_NOFOLLOW));
  TRY("unlink symlink", unlink("tree/link-to-one"));
  TRY("create through dangling", close(open("tree/dangling", O_WRONLY | O_CREAT, 0644)));
  show_stat("tree/missing", 0);
  TRY("symlink loop a", symlink("loop-b", "tree/loop-a"));
  TRY("symlink loop b", symlink("loop-a", "tree/loop-b"));
  TRY("open loop", open("tree/loop-a", O_RDONLY));
  TRY("stat loop", stat("tree/loop-a/x", &(struct stat){0}));

  /* Times by path: explicit values, following and not following symlinks. */
  struct timespec t[2] = {{100, 0}, {200, 300}};
  TRY("utimensat", utimensat(AT_FDCWD, "tree/hard.txt", t, 0));
  struct stat st;
  CHECK(stat("tree/hard.txt", &st) == 0);
  printf("times: %ld %ld.%09ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
  struct timespec t2[2] = {{0, UTIME_OMIT}, {5000, 0}};
  TRY("utimensat via link", utimensat(AT_FDCWD, "tree/sym", t2, 0));
  CHECK(stat("tree/hard.txt", &st) == 0);
  printf("times: %ld %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
  TRY("utimensat missing", utimensat(AT_FDCWD, "tree/none", t, 0));

  /* A long listing that needs several fd_readdir calls, and seekdir back to an entry. */
  CHECK(mkdir("many", 0755) == 0);
  for (int i = 0; i < 300; ++i) {
    char name[64];
    snprintf(name, sizeof name, "many/file-with-a-long-name-%03d", i);
    int fd = open(name, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    close(fd);
  }
  DIR* d = opendir("many");
  CHECK(d != NULL);
  int count = 0;
  long pos = -1;
  char at_pos[256] = "";
  struct dirent* e;
  while ((e = readdir(d))) {
    if (++count == 100) {
      pos = telldir(d);
    }
    if (count == 101) strcpy(at_pos, e->d_name);
  }
  printf("entries: %d\n", count);
  seekdir(d, pos);
  e = readdir(d);
  printf("seekdir back: %s\n", e && strcmp(e->d_name, at_pos) == 0 ? "same entry" : "different");
  rewinddir(d);
  count = 0;
  while (readdir(d)) ++count;
  printf("after rewind: %d\n", count);
  closedir(d);
  for (int i = 0; i < 300; i += 2) {
    char name[64];
    snprintf(name, sizeof name, "many/file-with-a-long-name-%03d", i);
    CHECK(unlink(name) == 0);
  }
  TRY("opendir file", opendir("tree/hard.txt") ? 0 : -1);
  TRY("opendir missing", opendir("nothing") ? 0 : -1);
  TRY("chdir-free access", access("tree/hard.txt", F_OK));
  TRY("access missing", access("tree/nothing", F_OK));
  return 0;
}
