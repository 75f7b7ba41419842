// The firmware lane's tools: what is installed, and building native/firmware with them. Each
// engine that cannot run says why (the lane counts it as skipped with that reason).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const outDir = join(root, "build", "firmware");
/** The armhf C library qemu-arm loads the dynamic linker and libc from (libc6-dev-armhf-cross). */
export const ARM_SYSROOT = "/usr/arm-linux-gnueabihf";
const SETUP = "bash .ci/setup.d/50-firmware.sh installs it";

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Why an engine cannot be built or run here, or null when it can. */
export function missingFor(engine: "x86_64" | "armv7"): string | null {
  const need = ["wasm2c", "make", "cc"];
  if (engine === "armv7") need.push("arm-linux-gnueabihf-gcc", "qemu-arm");
  const absent = need.filter((c) => !hasCommand(c));
  if (!existsSync("/usr/share/wabt/wasm2c/wasm-rt-impl.c") && hasCommand("wasm2c")) absent.push("wasm-rt-impl.c (Debian's wabt)");
  if (engine === "armv7" && !existsSync(join(ARM_SYSROOT, "lib", "ld-linux-armhf.so.3"))) absent.push("libc6-dev-armhf-cross");
  return absent.length ? `not installed: ${absent.join(", ")} (${SETUP})` : null;
}

/** `make -C native/firmware <target>`; returns null or the build's error output. */
export function build(target: "x86_64" | "armv7" | "sizes"): string | null {
  const r = spawnSync("make", ["-s", "-C", join(root, "native", "firmware"), target], { encoding: "utf8", timeout: 600_000 });
  return r.status === 0 ? null : `make ${target} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`;
}

export const replayer = {
  x86_64: join(outDir, "fw-replay-x86_64"),
  armv7: join(outDir, "fw-replay-armv7"),
};

/** The command that runs a replayer binary (ARM: under qemu-arm with the armhf sysroot). */
export function replayCommand(engine: "x86_64" | "armv7", args: string[]): [string, string[]] {
  return engine === "armv7" ? ["qemu-arm", ["-L", ARM_SYSROOT, replayer.armv7, ...args]] : [replayer.x86_64, args];
}
