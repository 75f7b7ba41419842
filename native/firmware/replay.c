/* Tape replay, the C twin of host/tape/replay.ts: perform each input record on a fresh core,
 * encode what came out the same way the recorder did, and compare the bytes. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core-bind.h"
#include "tape.h"

/* ── Reuse memo: a stream call's untaken rest, as host/tape/format.ts ReuseMemo ──────────── */

#define MEMO_SLOTS 8
typedef struct {
  char op[FW_MAX_NAME];
  uint8_t *a;
  uint32_t alen;
  double taken;
} memo_slot;

typedef struct {
  memo_slot slot[MEMO_SLOTS];
} memo;

static memo_slot *memo_find(memo *m, const char *op, int create) {
  for (int i = 0; i < MEMO_SLOTS; i++) {
    if (m->slot[i].op[0] && strcmp(m->slot[i].op, op) == 0) return &m->slot[i];
  }
  if (!create) return NULL;
  for (int i = 0; i < MEMO_SLOTS; i++) {
    if (!m->slot[i].op[0]) {
      snprintf(m->slot[i].op, FW_MAX_NAME, "%s", op);
      return &m->slot[i];
    }
  }
  return NULL;
}

/* The bytes of a data record: `reuse` bytes of the previous record's untaken rest, then tail.
 * Returns a malloc'd copy (possibly empty), NULL when the tape reuses more than there is. */
static uint8_t *memo_expand(memo *m, const char *op, uint32_t reuse, const uint8_t *tail, uint32_t tlen) {
  const uint8_t *rest = NULL;
  uint32_t rlen = 0;
  memo_slot *s = memo_find(m, op, 0);
  if (s && s->taken >= 0 && s->taken <= s->alen) {
    rest = s->a + (uint32_t)s->taken;
    rlen = s->alen - (uint32_t)s->taken;
  }
  if (reuse > rlen) return NULL;
  uint8_t *a = malloc((size_t)reuse + tlen + 1);
  if (!a) abort();
  if (reuse) memcpy(a, rest, reuse);
  if (tlen) memcpy(a + reuse, tail, tlen);
  return a;
}

static void memo_settle(memo *m, const char *op, uint8_t *a, uint32_t alen, double taken) {
  memo_slot *s = memo_find(m, op, 1);
  if (!s) { free(a); return; }
  free(s->a);
  s->a = a;
  s->alen = alen;
  s->taken = taken;
}

static void memo_free(memo *m) {
  for (int i = 0; i < MEMO_SLOTS; i++) free(m->slot[i].a);
}

/* ── Decoding an input record ────────────────────────────────────────────────────────────── */

static void copy_name(char *dst, const uint8_t *s, uint32_t n) {
  if (n >= FW_MAX_NAME) n = FW_MAX_NAME - 1;
  if (n) memcpy(dst, s, n);
  dst[n] = 0;
}

/* Fills `call`; for a data record `owned` is the expanded first range (caller frees). */
static int decode_input(const uint8_t *buf, const tape_record *r, memo *m, fw_call *call, uint8_t **owned) {
  tape_cursor c;
  tape_cursor_init(&c, buf, r);
  memset(call, 0, sizeof *call);
  *owned = NULL;
  if (r->tag == TAG_TAKE) {
    strcpy(call->op, "outConsume");
    call->argc = 1;
    call->args[0] = tape_u32(&c);
    return !c.bad;
  }
  if (r->tag == TAG_NEXT) {
    strcpy(call->op, "nextEvent");
    return 1;
  }
  uint32_t n;
  const uint8_t *s = tape_str(&c, &n);
  copy_name(call->op, s, n);
  s = tape_str(&c, &n);
  copy_name(call->key, s, n);
  call->argc = tape_u8(&c);
  if (call->argc > FW_MAX_ARGS) return 0;
  for (int i = 0; i < call->argc; i++) call->args[i] = tape_f64(&c);
  if (r->tag != TAG_DATA) return !c.bad;
  uint32_t reuse = tape_u32(&c), tlen;
  const uint8_t *tail = tape_bytes(&c, &tlen);
  call->b = tape_bytes(&c, &call->blen);
  if (c.bad) return 0;
  *owned = memo_expand(m, call->op, reuse, tail, tlen);
  if (!*owned) return 0;
  call->a = *owned;
  call->alen = reuse + tlen;
  return 1;
}

/* ── Comparing outputs ───────────────────────────────────────────────────────────────────── */

static double first_result(const uint8_t *buf, size_t at, size_t end) {
  tape_record r;
  for (; tape_record_at(buf, end, at, &r); at = r.end) {
    if (r.tag == TAG_RESULT) {
      tape_cursor c;
      tape_cursor_init(&c, buf, &r);
      return tape_f64(&c);
    }
  }
  return -1;
}

/* One short word per output record: "R 0", "O 412", "E EventFailed 535", "X abort". */
static void describe(FILE *f, const uint8_t *buf, size_t at, size_t end) {
  tape_record r;
  int any = 0;
  for (; tape_record_at(buf, end, at, &r); at = r.end, any = 1) {
    tape_cursor c;
    tape_cursor_init(&c, buf, &r);
    uint32_t n;
    const uint8_t *s;
    fprintf(f, "%s%c", any ? "; " : "", r.tag);
    if (r.tag == TAG_RESULT) fprintf(f, " %.17g", tape_f64(&c));
    else if (r.tag == TAG_OUT || r.tag == TAG_BYTES) { tape_bytes(&c, &n); fprintf(f, " %u bytes", n); }
    else if (r.tag == TAG_EVENT || r.tag == TAG_TRAP) {
      s = tape_str(&c, &n);
      fprintf(f, " %.*s", (int)n, s ? (const char *)s : "");
      if (r.tag == TAG_EVENT) fprintf(f, " code %d", (int)tape_i32(&c));
    }
  }
  if (!any) fputs("(nothing)", f);
}

/* ── One tape ────────────────────────────────────────────────────────────────────────────── */

static void replay_tape(const uint8_t *buf, size_t start, size_t end, const char *label, unsigned index,
                        FILE *report, replay_totals *t) {
  fw_core *core = fw_core_new();
  memo m;
  tape_writer got = {0};
  tape_record r;
  unsigned long calls = 0;
  memset(&m, 0, sizeof m);
  t->tapes++;
  if (!core) { fprintf(report, "DIVERGE %s#%u: cannot instantiate the core\n", label, index); t->divergences++; return; }
  for (size_t at = start; tape_record_at(buf, end, at, &r); ) {
    if (!tape_is_input(r.tag)) { at = r.end; continue; }
    size_t out_start = r.end, out_end = r.end;
    tape_record o;
    while (tape_record_at(buf, end, out_end, &o) && tape_is_output(o.tag)) out_end = o.end;
    fw_call call;
    uint8_t *owned;
    if (!decode_input(buf, &r, &m, &call, &owned)) {
      fprintf(report, "DIVERGE %s#%u call %lu: unreadable record '%c'\n", label, index, calls, r.tag);
      t->divergences++;
      break;
    }
    tape_writer_clear(&got);
    int trapped = fw_core_perform(core, &call, &got) != 0;
    if (owned) {
      if (fw_is_stream_op(call.op)) memo_settle(&m, call.op, owned, call.alen, first_result(buf, out_start, out_end));
      else free(owned);
    }
    if (got.len != out_end - out_start || memcmp(got.data, buf + out_start, got.len) != 0) {
      fprintf(report, "DIVERGE %s#%u call %lu %s: expected ", label, index, calls, call.op);
      describe(report, buf, out_start, out_end);
      fputs(" got ", report);
      describe(report, got.data, 0, got.len);
      fputc('\n', report);
      t->divergences++;
      break;
    }
    calls++;
    if (trapped) break;
    at = out_end;
  }
  t->calls += calls;
  tape_writer_free(&got);
  memo_free(&m);
  fw_core_free(core);
}

void replay_buffer(const uint8_t *buf, size_t len, const char *label, FILE *report, replay_totals *t) {
  tape_record r;
  size_t tape_start = 0;
  unsigned index = 0;
  int open = 0;
  size_t at = 0;
  for (; tape_record_at(buf, len, at, &r); at = r.end) {
    if (r.tag != TAG_HEADER) continue;
    if (open) replay_tape(buf, tape_start, r.at, label, index++, report, t);
    tape_start = r.end;
    open = 1;
  }
  if (open) replay_tape(buf, tape_start, at, label, index, report, t);
}
