/* Directory trees: walking (readdir + lstat, names sorted so the result does not depend on
 * directory order), mkdir -p, archive path checks and comparing two trees. Permission bits are
 * left out on purpose: WASI has none, so only the entry type is kept. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wpack.h"

static void tree_push(Tree* t, TreeEntry e) {
  if (t->len == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->items = xrealloc(t->items, t->cap * sizeof(TreeEntry));
  }
  t->items[t->len++] = e;
}

static int name_order(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void walk(const char* root, const char* rel, Tree* out) {
  char* dir_path = path_join(root, rel);
  DIR* dir = opendir(dir_path);
  if (!dir) die_errno("cannot open directory", dir_path);
  char** names = NULL;
  size_t count = 0, cap = 0;
  struct dirent* d;
  while ((errno = 0, d = readdir(dir)) != NULL) {
    if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 16;
      names = xrealloc(names, cap * sizeof(char*));
    }
    names[count++] = xstrdup(d->d_name);
  }
  if (errno) die_errno("cannot read directory", dir_path);
  closedir(dir);
  qsort(names, count, sizeof(char*), name_order);
  for (size_t i = 0; i < count; ++i) {
    char* child = path_join(rel, names[i]);
    char* full = path_join(root, child);
    struct stat st;
    if (lstat(full, &st) != 0) die_errno("cannot stat", full);
    TreeEntry e = {child, ENTRY_FILE, 0, (int64_t)st.st_mtime, (uint64_t)st.st_size};
    if (S_ISDIR(st.st_mode)) {
      e.type = ENTRY_DIR;
      e.size = 0; /* directory sizes differ between file systems */
    } else if (S_ISLNK(st.st_mode)) {
      e.type = ENTRY_SYMLINK;
      e.mtime = 0; /* not restorable everywhere (WASI hosts may not set link times) */
    } else if (!S_ISREG(st.st_mode)) {
      die("not a regular file, directory or symlink", full);
    }
    tree_push(out, e);
    if (e.type == ENTRY_DIR) walk(root, child, out);
    free(full);
    free(names[i]);
  }
  free(names);
  free(dir_path);
}

void tree_walk(const char* root, Tree* out) {
  struct stat st;
  if (stat(root, &st) != 0) die_errno("cannot stat", root);
  if (!S_ISDIR(st.st_mode)) die("not a directory", root);
  walk(root, "", out);
}

void tree_free(Tree* t) {
  for (size_t i = 0; i < t->len; ++i) free(t->items[i].path);
  free(t->items);
  t->items = NULL;
  t->len = t->cap = 0;
}

void make_dirs(const char* path) {
  char* p = xstrdup(path);
  for (char* s = p + 1;; ++s) {
    if (*s == '/' || *s == 0) {
      char saved = *s;
      *s = 0;
      if (mkdir(p, 0755) != 0 && errno != EEXIST) die_errno("cannot create directory", p);
      *s = saved;
      if (!saved) break;
    }
  }
  free(p);
}

int path_is_safe(const char* rel) {
  if (!*rel || rel[0] == '/') return 0;
  for (const char* s = rel; *s;) {
    const char* end = strchr(s, '/');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) return 0;
    s += len;
    if (*s == '/') ++s;
  }
  return 1;
}

static char* link_target(const char* path) {
  char buf[4096];
  ssize_t n = readlink(path, buf, sizeof buf - 1);
  if (n < 0) die_errno("cannot read link", path);
  buf[n] = 0;
  return xstrdup(buf);
}

static int same_entry(const char* a_root, const char* b_root, const TreeEntry* a, const TreeEntry* b) {
  if (strcmp(a->path, b->path) || a->type != b->type) return 0;
  if (a->type == ENTRY_DIR) return 1;
  char* pa = path_join(a_root, a->path);
  char* pb = path_join(b_root, b->path);
  int same;
  if (a->type == ENTRY_SYMLINK) {
    char* ta = link_target(pa);
    char* tb = link_target(pb);
    same = !strcmp(ta, tb);
    free(ta);
    free(tb);
  } else {
    Buf da = {0}, db = {0};
    read_file(pa, &da);
    read_file(pb, &db);
    same = da.len == db.len && (da.len == 0 || !memcmp(da.data, db.data, da.len)) && a->mtime == b->mtime;
    buf_free(&da);
    buf_free(&db);
  }
  free(pa);
  free(pb);
  return same;
}

int compare_trees(const char* a, const char* b) {
  Tree ta = {0}, tb = {0};
  tree_walk(a, &ta);
  tree_walk(b, &tb);
  int differences = 0;
  size_t i = 0, j = 0;
  while (i < ta.len || j < tb.len) {
    int order = i == ta.len ? 1 : j == tb.len ? -1 : strcmp(ta.items[i].path, tb.items[j].path);
    if (order < 0) {
      printf("only in %s: %s\n", a, ta.items[i++].path);
      ++differences;
    } else if (order > 0) {
      printf("only in %s: %s\n", b, tb.items[j++].path);
      ++differences;
    } else {
      if (!same_entry(a, b, &ta.items[i], &tb.items[j])) {
        printf("differs: %s\n", ta.items[i].path);
        ++differences;
      }
      ++i;
      ++j;
    }
  }
  tree_free(&ta);
  tree_free(&tb);
  return differences;
}
