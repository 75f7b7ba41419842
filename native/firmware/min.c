/* The smallest firmware-shaped program around the core: instantiate, configure with the
 * arm-64mb board's sizes, start, free. Linked only to measure the static RAM an image carries
 * (the footprint table in docs/firmware.md), with and without --gc-sections. */
#include "core.h"
#include "env.h"
#include "wasm-rt-impl.h"

int main(void) {
  static Z_core_instance_t core;
  static struct Z_env_instance_t env;
  wasm_rt_init();
  Z_core_init_module();
  if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) return 1;
  Z_core_instantiate(&core, &env);
  int rc = (int)Z_coreZ_configure(&core, 16384, 16384, 1024, 512) | (int)Z_coreZ_start(&core);
  Z_core_free(&core);
  wasm_rt_free();
  return rc != 0;
}
