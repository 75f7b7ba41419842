/* Replay session tapes through the core and compare every output with the tape. */
#ifndef MFP_REPLAY_H
#define MFP_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  unsigned long tapes, calls, divergences;
} replay_totals;

/* Every tape of one file (a tape, or a reel of tapes each opened by a Header record). Each
 * divergence is one line on `report`: "DIVERGE <label>#<tape> call <n> <op>: expected … got …". */
void replay_buffer(const uint8_t *buf, size_t len, const char *label, FILE *report, replay_totals *t);

#endif
