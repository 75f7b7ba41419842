/* Session tapes (docs/firmware.md): reading records, writing output records. Knows the
 * encoding only; which calls exist is core-bind.c's business. */
#ifndef MFP_TAPE_H
#define MFP_TAPE_H

#include <stddef.h>
#include <stdint.h>

enum tape_tag {
  TAG_HEADER = 'H', TAG_CALL = 'C', TAG_DATA = 'D', TAG_TAKE = 'T', TAG_NEXT = 'N',
  TAG_RESULT = 'R', TAG_OUT = 'O', TAG_EVENT = 'E', TAG_BYTES = 'B', TAG_TRAP = 'X', TAG_NOTE = 'M'
};

int tape_is_input(int tag);
int tape_is_output(int tag);

/* One record of a buffer: tag, offset of its tag byte, payload [start, end). */
typedef struct {
  int tag;
  size_t at, start, end;
} tape_record;

/* The record at `at` (0 = none left or cut short). */
int tape_record_at(const uint8_t *buf, size_t len, size_t at, tape_record *r);

/* Reads the fields of a payload in order; `bad` is set when a field runs past `end`. */
typedef struct {
  const uint8_t *buf;
  size_t pos, end;
  int bad;
} tape_cursor;

void tape_cursor_init(tape_cursor *c, const uint8_t *buf, const tape_record *r);
uint8_t tape_u8(tape_cursor *c);
uint32_t tape_u32(tape_cursor *c);
int32_t tape_i32(tape_cursor *c);
double tape_f64(tape_cursor *c);
/* A string or byte field: a pointer into the buffer and its length (strings are not NUL-ended). */
const uint8_t *tape_str(tape_cursor *c, uint32_t *len);
const uint8_t *tape_bytes(tape_cursor *c, uint32_t *len);

/* A growable buffer of encoded records (what a replay produced). */
typedef struct {
  uint8_t *data;
  size_t len, cap, mark;
} tape_writer;

void tape_writer_clear(tape_writer *w);
void tape_writer_free(tape_writer *w);
void tape_begin(tape_writer *w, int tag);
void tape_end(tape_writer *w);
void tape_put_u32(tape_writer *w, uint32_t v);
void tape_put_i32(tape_writer *w, int32_t v);
void tape_put_f64(tape_writer *w, double v);
void tape_put_str(tape_writer *w, const char *s);
void tape_put_bytes(tape_writer *w, const uint8_t *b, uint32_t n);

#endif
