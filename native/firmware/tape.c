/* Session tape records: tag u8 · length u32le · payload (docs/firmware.md). */
#include "tape.h"

#include <stdlib.h>
#include <string.h>

int tape_is_input(int tag) {
  return tag == TAG_CALL || tag == TAG_DATA || tag == TAG_TAKE || tag == TAG_NEXT;
}

int tape_is_output(int tag) {
  return tag == TAG_RESULT || tag == TAG_OUT || tag == TAG_EVENT || tag == TAG_BYTES || tag == TAG_TRAP;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int tape_record_at(const uint8_t *buf, size_t len, size_t at, tape_record *r) {
  if (at + 5 > len) return 0;
  uint32_t n = le32(buf + at + 1);
  if (n > len - at - 5) return 0; /* cut short: the recording process stopped mid-record */
  r->tag = buf[at];
  r->at = at;
  r->start = at + 5;
  r->end = at + 5 + n;
  return 1;
}

void tape_cursor_init(tape_cursor *c, const uint8_t *buf, const tape_record *r) {
  c->buf = buf;
  c->pos = r->start;
  c->end = r->end;
  c->bad = 0;
}

static const uint8_t *take(tape_cursor *c, size_t n) {
  if (c->bad || n > c->end - c->pos) {
    c->bad = 1;
    return NULL;
  }
  const uint8_t *p = c->buf + c->pos;
  c->pos += n;
  return p;
}

uint8_t tape_u8(tape_cursor *c) {
  const uint8_t *p = take(c, 1);
  return p ? p[0] : 0;
}

uint32_t tape_u32(tape_cursor *c) {
  const uint8_t *p = take(c, 4);
  return p ? le32(p) : 0;
}

int32_t tape_i32(tape_cursor *c) {
  return (int32_t)tape_u32(c);
}

double tape_f64(tape_cursor *c) {
  const uint8_t *p = take(c, 8);
  if (!p) return 0;
  uint64_t bits = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

const uint8_t *tape_str(tape_cursor *c, uint32_t *len) {
  const uint8_t *p = take(c, 2);
  *len = p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : 0;
  const uint8_t *s = take(c, *len);
  if (!s) *len = 0;
  return s;
}

const uint8_t *tape_bytes(tape_cursor *c, uint32_t *len) {
  *len = tape_u32(c);
  const uint8_t *s = take(c, *len);
  if (!s) *len = 0;
  return s;
}

static void room(tape_writer *w, size_t n) {
  if (w->len + n <= w->cap) return;
  size_t cap = w->cap ? w->cap : 256;
  while (cap < w->len + n) cap *= 2;
  uint8_t *d = realloc(w->data, cap);
  if (!d) abort(); /* a replay tool: out of memory is fatal, not a divergence */
  w->data = d;
  w->cap = cap;
}

void tape_writer_clear(tape_writer *w) {
  w->len = 0;
}

void tape_writer_free(tape_writer *w) {
  free(w->data);
  w->data = NULL;
  w->len = w->cap = 0;
}

static void put(tape_writer *w, const void *p, size_t n) {
  room(w, n);
  if (n) memcpy(w->data + w->len, p, n);
  w->len += n;
}

static void put_le32_at(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

void tape_begin(tape_writer *w, int tag) {
  uint8_t head[5] = {(uint8_t)tag, 0, 0, 0, 0};
  put(w, head, 5);
  w->mark = w->len - 4;
}

void tape_end(tape_writer *w) {
  put_le32_at(w->data + w->mark, (uint32_t)(w->len - w->mark - 4));
}

void tape_put_u32(tape_writer *w, uint32_t v) {
  uint8_t b[4];
  put_le32_at(b, v);
  put(w, b, 4);
}

void tape_put_i32(tape_writer *w, int32_t v) {
  tape_put_u32(w, (uint32_t)v);
}

void tape_put_f64(tape_writer *w, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  tape_put_u32(w, (uint32_t)bits);
  tape_put_u32(w, (uint32_t)(bits >> 32));
}

void tape_put_str(tape_writer *w, const char *s) {
  size_t n = strlen(s);
  uint8_t b[2] = {(uint8_t)n, (uint8_t)(n >> 8)};
  put(w, b, 2);
  put(w, s, n);
}

void tape_put_bytes(tape_writer *w, const uint8_t *b, uint32_t n) {
  tape_put_u32(w, n);
  put(w, b, n);
}
