/* The one C file that knows the core's exported ABI (its TypeScript twin is
 * host/tape/core-calls.ts). Everything else in native/firmware/ speaks in taped calls. */
#ifndef MFP_CORE_BIND_H
#define MFP_CORE_BIND_H

#include <stdint.h>

#include "tape.h"

#define FW_MAX_ARGS 8
#define FW_MAX_NAME 64

typedef struct fw_core fw_core;

/* One call as a tape holds it: the export's name, the named constant its first argument is
 * ("" when none, "#n" for a bare number), its other numbers, and the bytes it reads from the
 * staging area (a, and b for the second range of mimeHeader's address). */
typedef struct {
  char op[FW_MAX_NAME];
  char key[FW_MAX_NAME];
  int argc;
  double args[FW_MAX_ARGS];
  const uint8_t *a;
  uint32_t alen;
  const uint8_t *b;
  uint32_t blen;
} fw_call;

/* Once per process, before the first instance. */
void fw_runtime_init(void);
/* A fresh, unconfigured instance: one per session. NULL when out of memory. */
fw_core *fw_core_new(void);
void fw_core_free(fw_core *c);

/* Perform a call and append its output records (R, O, E, B or X) to `out`. Returns 0, or -1
 * when the call trapped (the instance must not be used again). */
int fw_core_perform(fw_core *c, const fw_call *call, tape_writer *out);

/* Calls that return how many bytes they took and are offered the rest again (tape compaction). */
int fw_is_stream_op(const char *op);

/* The core's linear memory size in bytes right now. */
uint32_t fw_core_memory_bytes(fw_core *c);

#endif
