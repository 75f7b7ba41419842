/* The core's one import, env.abort, and the import instance wasm2c hands it. */
#ifndef MFP_ENV_H
#define MFP_ENV_H

#include "core.h"

/* Ours: abort records here that it ran, so a trap can be told from an assertion. */
struct Z_env_instance_t {
  int aborted;
};

#endif
