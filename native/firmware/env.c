/* env.abort(msg, file, line, col): one of the core's assertions failed. It must not return:
 * trap, which long-jumps back to the wasm_rt_impl_try() around the call. msg and file point at
 * AssemblyScript strings (UTF-16LE, byte length at ptr - 4) should a firmware want to log them. */
#include "env.h"

#include "wasm-rt-impl.h"

void Z_envZ_abort(struct Z_env_instance_t *env, u32 msg, u32 file, u32 line, u32 col) {
  (void)msg; (void)file; (void)line; (void)col;
  env->aborted = 1;
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}
