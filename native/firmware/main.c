/* fw-replay: the core compiled by wasm2c, replaying session tapes (docs/firmware.md).
 *
 *   fw-replay [-l LIST] [FILE...]   replay every tape of each file (LIST: one path a line);
 *                                   one DIVERGE line per tape that differs, then a summary line
 *   fw-replay --memory IN OUT LINE TEXT STAGE
 *                                   linear memory after configure, setInt(FieldMimeStage) and start with
 *                                   these board sizes (the footprint table's "linear memory")
 * Exit status: 0 no divergence, 1 divergences, 2 usage or I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core-bind.h"
#include "replay.h"

#if defined(__arm__)
#define ENGINE "wasm2c armv7"
#elif defined(__x86_64__)
#define ENGINE "wasm2c x86-64"
#else
#define ENGINE "wasm2c"
#endif

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0; ) {
    n += got;
    if (n < cap) continue;
    uint8_t *more = realloc(buf, cap * 2);
    if (!more) free(buf);
    buf = more;
    cap *= 2;
  }
  int bad = ferror(f) || !buf;
  fclose(f);
  if (bad) { free(buf); return NULL; }
  *len = n;
  return buf;
}

static int replay_path(const char *path, replay_totals *t) {
  size_t len;
  uint8_t *buf = read_file(path, &len);
  if (!buf) { fprintf(stderr, "fw-replay: cannot read %s\n", path); return 0; }
  replay_buffer(buf, len, path, stdout, t);
  free(buf);
  return 1;
}

static int replay_list(const char *list, replay_totals *t) {
  FILE *f = fopen(list, "r");
  if (!f) { fprintf(stderr, "fw-replay: cannot read %s\n", list); return 0; }
  char line[4096];
  int ok = 1;
  while (ok && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (line[0]) ok = replay_path(line, t);
  }
  fclose(f);
  return ok;
}

/* A call with numeric arguments only (the --memory walk-through); key names the constant its
 * first argument is ("" when none). */
static double call_numbers(fw_core *c, const char *op, const char *key, int argc, const double *args, int *ok) {
  fw_call call;
  tape_writer out = {0};
  memset(&call, 0, sizeof call);
  strcpy(call.op, op);
  strcpy(call.key, key);
  call.argc = argc;
  for (int i = 0; i < argc; i++) call.args[i] = args[i];
  double v = 0;
  *ok = fw_core_perform(c, &call, &out) == 0 && out.len >= 13 && out.data[0] == TAG_RESULT;
  if (*ok) memcpy(&v, out.data + 5, sizeof v); /* R payload: one little-endian f64 */
  tape_writer_free(&out);
  return v;
}

static int memory_mode(char **argv) {
  double sizes[5];
  for (int i = 0; i < 5; i++) sizes[i] = strtod(argv[i], NULL);
  fw_core *c = fw_core_new();
  int ok1, ok2, ok3;
  double rc = call_numbers(c, "configure", "", 4, sizes, &ok1);
  double mrc = call_numbers(c, "setInt", "FieldMimeStage", 1, sizes + 4, &ok2);
  double src = call_numbers(c, "start", "", 0, NULL, &ok3);
  if (!ok1 || !ok2 || !ok3 || rc != 0 || mrc != 0 || src != 0) {
    fprintf(stderr, "fw-replay: the core refused these sizes (configure %g, setInt(FieldMimeStage) %g, start %g)\n", rc, mrc, src);
    fw_core_free(c);
    return 2;
  }
  printf("%u\n", fw_core_memory_bytes(c));
  fw_core_free(c);
  return 0;
}

int main(int argc, char **argv) {
  fw_runtime_init();
  if (argc == 7 && strcmp(argv[1], "--memory") == 0) return memory_mode(argv + 2);
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    fputs("usage: fw-replay [-l LIST] [FILE...] | fw-replay --memory IN OUT LINE TEXT STAGE\n", stderr);
    return 2;
  }
  replay_totals t = {0, 0, 0};
  int ok = 1;
  for (int i = 1; i < argc && ok; i++) {
    if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) ok = replay_list(argv[++i], &t);
    else ok = replay_path(argv[i], &t);
  }
  printf("%s: %lu tapes, %lu calls, %lu divergences\n", ENGINE, t.tapes, t.calls, t.divergences);
  if (!ok) return 2;
  return t.divergences ? 1 : 0;
}
