/* Binding of the core's exports, as wasm2c names them (module name "core": Z_coreZ_<export>).
 * The one C file that knows the ABI; host/tape/core-calls.ts is its TypeScript twin and the two
 * must say the same: which calls are taped, which constant prefix names a first argument,
 * where a data call reads its bytes, and what each call outputs.
 *
 * What the host must provide to the module: one import, env.abort(msg, file, line, col), called
 * when one of the core's assertions fails (it must not return: we trap), linear memory
 * (wasm-rt-impl.c allocates it; 2 pages at instantiation, grown once by configure()), and
 * nothing else: the core never calls the host. */
#include "core-bind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "env.h"
#include "wasm-rt-impl.h"

struct fw_core {
  Z_core_instance_t inst;
  struct Z_env_instance_t env;
  int dead;
};

void fw_runtime_init(void) {
  wasm_rt_init();
  Z_core_init_module();
}

fw_core *fw_core_new(void) {
  fw_core *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  Z_core_instantiate(&c->inst, &c->env);
  return c;
}

void fw_core_free(fw_core *c) {
  if (!c) return;
  Z_core_free(&c->inst);
  free(c);
}

uint32_t fw_core_memory_bytes(fw_core *c) {
  return (uint32_t)c->inst.w2c_memory.size;
}

/* ── Constants: every constant of the ABI, generated from the core's own sources
 * (scripts/abi-constants.mjs writes build/core-abi.inc from build/core.abi.wasm) ────────── */

typedef struct {
  const char *name;
  int32_t value;
} const_entry;
#define CORE_CONST(n, v) {#n, v},
static const const_entry consts[] = {
#include "core-abi.inc"
};
#undef CORE_CONST
#define CORE_CONST(n, v) enum { K_##n = v };
#include "core-abi.inc"
#undef CORE_CONST
#define NCONSTS (sizeof consts / sizeof consts[0])

/* "#n" is a bare number; otherwise the constant by name. 0 = no such constant. */
static int const_value(const char *key, double *v) {
  if (key[0] == '#') { *v = strtod(key + 1, NULL); return 1; }
  for (size_t i = 0; i < NCONSTS; i++) {
    if (strcmp(consts[i].name, key) == 0) { *v = (double)consts[i].value; return 1; }
  }
  return 0;
}

/* The first constant with this prefix and value, as host/tape/core-calls.ts Constants.nameOf. */
static void const_name(const char *prefix, int32_t value, char *out, size_t cap) {
  size_t plen = strlen(prefix);
  for (size_t i = 0; i < NCONSTS; i++) {
    if (strncmp(consts[i].name, prefix, plen) == 0 && consts[i].value == value) {
      snprintf(out, cap, "%s", consts[i].name);
      return;
    }
  }
  snprintf(out, cap, "#%d", (int)value);
}

/* ── Calls: argument conversion as JavaScript's ToInt32, results as the tape's f64 ───────── */

#define U(x) ((u32)(int64_t)(x))
#define I(x) ((double)(int32_t)(x))
typedef Z_core_instance_t inst_t;
typedef double (*op_fn)(inst_t *, const double *);
#define OP0(n) static double op_##n(inst_t *i, const double *a) { (void)a; return I(Z_coreZ_##n(i)); }
#define OP1(n) static double op_##n(inst_t *i, const double *a) { return I(Z_coreZ_##n(i, U(a[0]))); }
#define OP2(n) static double op_##n(inst_t *i, const double *a) { return I(Z_coreZ_##n(i, U(a[0]), U(a[1]))); }
#define OP3(n) static double op_##n(inst_t *i, const double *a) { return I(Z_coreZ_##n(i, U(a[0]), U(a[1]), U(a[2]))); }
#define OP4(n) static double op_##n(inst_t *i, const double *a) { return I(Z_coreZ_##n(i, U(a[0]), U(a[1]), U(a[2]), U(a[3]))); }

OP4(configure) OP2(setString) OP2(setInt) OP0(start) OP1(feed) OP0(tlsUpgraded) OP1(accessToken)
OP2(sendEnvelope) OP1(bodyWrite) OP0(bodyEnd) OP0(quit) OP0(rset) OP0(nextEvent) OP0(outLen)
OP2(mimeMark) OP3(mimeHeader) OP2(mimePart) OP2(mimeWrite) OP0(mimeFlush)
static double op_outConsume(inst_t *i, const double *a) { Z_coreZ_outConsume(i, U(a[0])); return 0; }
static double op_wipeSecrets(inst_t *i, const double *a) { (void)a; Z_coreZ_wipeSecrets(i); return 0; }
static double op_info(inst_t *i, const double *a) { return Z_coreZ_info(i, U(a[0])); }
static double op_mimeEncodedSize(inst_t *i, const double *a) { return Z_coreZ_mimeEncodedSize(i, a[0], U(a[1])); }
static double op_mimeMaxPartBytes(inst_t *i, const double *a) { return Z_coreZ_mimeMaxPartBytes(i, a[0], a[1], U(a[2])); }
static double op_mimeSplitPages(inst_t *i, const double *a) { return I(Z_coreZ_mimeSplitPages(i, U(a[0]), a[1])); }

/* Where a data call reads its bytes: [offset, length] of each range, from its numbers (the key
 * argument left out). stream: it returns what it took and is offered the rest again. */
typedef struct {
  int data, stream;
  int a_off_arg, a_len_arg; /* index into args, -1 = 0 */
  int b_off_arg, b_len_arg; /* -1 = none */
  int a_len_scale;          /* mimeSplitPages: 4 bytes per page end */
} shape;

typedef struct {
  const char *name;
  op_fn fn;
  const char *key_prefix; /* the first argument names a constant with this prefix */
  shape s;
} op_entry;

#define CALL(n) {#n, op_##n, NULL, {0, 0, -1, -1, -1, -1, 1}}
#define KEYED(n, p) {#n, op_##n, p, {0, 0, -1, -1, -1, -1, 1}}
#define WHOLE(n, p, st) {#n, op_##n, p, {1, st, -1, 0, -1, -1, 1}}
static const op_entry ops[] = {
  CALL(configure), KEYED(setInt, "Field"), KEYED(info, "Info"), CALL(start), CALL(tlsUpgraded),
  CALL(sendEnvelope), CALL(bodyEnd), CALL(quit), CALL(rset), CALL(wipeSecrets), CALL(outConsume),
  CALL(nextEvent), CALL(outLen), CALL(mimeFlush), CALL(mimeEncodedSize), CALL(mimeMaxPartBytes),
  WHOLE(setString, "Field", 0), WHOLE(accessToken, NULL, 0), WHOLE(feed, NULL, 1),
  WHOLE(bodyWrite, NULL, 1), WHOLE(mimeMark, "MimeMark", 0), WHOLE(mimePart, "MimeType", 0),
  {"mimeHeader", op_mimeHeader, "MimeField", {1, 0, -1, 0, 0, 1, 1}},
  {"mimeWrite", op_mimeWrite, NULL, {1, 1, 0, 1, -1, -1, 1}},
  {"mimeSplitPages", op_mimeSplitPages, NULL, {1, 0, -1, 0, -1, -1, 4}},
};

static const op_entry *find_op(const char *name) {
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (strcmp(ops[i].name, name) == 0) return &ops[i];
  }
  return NULL;
}

int fw_is_stream_op(const char *op) {
  const op_entry *e = find_op(op);
  return e && e->s.stream;
}

static uint32_t staging_base(fw_core *c) { return (uint32_t)Z_coreZ_info(&c->inst, K_InfoInPtr); }
static uint32_t staging_cap(fw_core *c) { return (uint32_t)Z_coreZ_info(&c->inst, K_InfoInCap); }

static double arg_or_zero(const fw_call *call, int idx) {
  return idx < 0 || idx >= call->argc ? 0 : call->args[idx];
}

/* Copy bytes to where the call reads them: offset clamped into the staging area, as taped. */
static void place(fw_core *c, const uint8_t *bytes, uint32_t n, double off) {
  uint32_t base = staging_base(c), cap = staging_cap(c);
  double o = off < 0 ? 0 : off > cap ? cap : off;
  uint32_t at = (uint32_t)o;
  if (n > cap - at) n = cap - at;
  if (n) memcpy(c->inst.w2c_memory.data + base + at, bytes, n);
}

/* The event record at `at` (the core's Record* offsets), as host/tape/core-calls.ts writes it. */
static void write_event(fw_core *c, uint32_t at, tape_writer *out) {
  const uint8_t *r = c->inst.w2c_memory.data + at;
  int32_t f[7] = {0};
  if (at != 0) {
    static const int offs[7] = {K_RecordKind, K_RecordCode, K_RecordIndex, K_RecordClass, K_RecordReason,
                                K_RecordCommand, K_RecordDetail};
    for (int k = 0; k < 7; k++) memcpy(&f[k], r + offs[k], 4); /* little-endian, like wasm */
  }
  char name[FW_MAX_NAME] = "";
  if (at != 0) const_name("Event", f[0], name, sizeof name);
  tape_begin(out, TAG_EVENT);
  tape_put_str(out, name);
  for (int k = 1; k < 7; k++) tape_put_i32(out, f[k]);
  if (at == 0) {
    tape_put_bytes(out, NULL, 0);
    tape_put_bytes(out, NULL, 0);
  } else {
    uint32_t elen, tlen;
    memcpy(&elen, r + K_RecordEnhancedLen, 4);
    memcpy(&tlen, r + K_RecordTextLen, 4);
    tape_put_bytes(out, r + K_RecordEnhanced, elen);
    tape_put_bytes(out, r + K_RecordText, tlen);
  }
  tape_end(out);
}

static void write_trap(tape_writer *out, size_t mark, const char *what) {
  out->len = mark;
  tape_begin(out, TAG_TRAP);
  tape_put_str(out, what);
  tape_end(out);
}

int fw_core_perform(fw_core *c, const fw_call *call, tape_writer *out) {
  const size_t mark = out->len;
  const op_entry *e = find_op(call->op);
  double raw[FW_MAX_ARGS + 1];
  int n = 0;
  if (!e || c->dead) { write_trap(out, mark, c->dead ? "dead instance" : "unbound call"); return -1; }
  if (e->key_prefix) {
    if (!const_value(call->key, &raw[n++])) { write_trap(out, mark, "unknown constant"); return -1; }
  }
  for (int k = 0; k < call->argc && n <= FW_MAX_ARGS; k++) raw[n++] = call->args[k];
  for (; n <= FW_MAX_ARGS; n++) raw[n] = 0;
  const double *args = raw + (e->key_prefix ? 1 : 0);
  c->env.aborted = 0;
  if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) {
    c->dead = 1;
    write_trap(out, mark, c->env.aborted ? "abort" : "trap");
    return -1;
  }
  if (e->s.data) {
    place(c, call->a, call->alen, arg_or_zero(call, e->s.a_off_arg));
    if (e->s.b_len_arg >= 0) place(c, call->b, call->blen, arg_or_zero(call, e->s.b_off_arg));
  }
  if (strcmp(e->name, "outConsume") == 0) {
    /* the wire bytes the host writes: read before they are consumed */
    uint32_t len = Z_coreZ_outLen(&c->inst);
    if (args[0] < (double)len) len = args[0] > 0 ? (uint32_t)args[0] : 0;
    tape_begin(out, TAG_OUT);
    tape_put_bytes(out, c->inst.w2c_memory.data + (uint32_t)Z_coreZ_info(&c->inst, K_InfoOutPtr), len);
    tape_end(out);
    e->fn(&c->inst, raw);
    return 0;
  }
  double result = e->fn(&c->inst, raw);
  if (strcmp(e->name, "nextEvent") == 0) {
    write_event(c, (uint32_t)result, out);
    return 0;
  }
  tape_begin(out, TAG_RESULT);
  tape_put_f64(out, result);
  tape_end(out);
  if (strcmp(e->name, "mimeSplitPages") == 0 && result > 0) {
    /* the split points follow the page ends in the staging area (assembly/mime/abi.ts) */
    uint32_t at = staging_base(c) + U(args[0]) * 4;
    tape_begin(out, TAG_BYTES);
    tape_put_bytes(out, c->inst.w2c_memory.data + at, (uint32_t)result * 4);
    tape_end(out);
  }
  return 0;
}
