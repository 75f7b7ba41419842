// Run the mfp-mail CLI as a child process (from source through tsx), bounded in time.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../host/cli.ts", import.meta.url));

export interface Run { code: number | null; stdout: string; stderr: string; ms: number; killed: boolean }

/** `as`: run the child as another user (only root may; the unreadable-file test needs it as root). */
export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000, as?: { uid: number; gid: number }): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT, env: { ...process.env, ...env, MFP_DEBUG: "" }, stdio: ["ignore", "pipe", "pipe"], ...(as ?? {}),
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => { killed = true; child.kill("SIGKILL"); }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      // npm's own configuration warnings are not ours
      stderr = stderr.split("\n").filter((l) => !l.startsWith("npm warn")).join("\n");
      resolve({ code, stdout, stderr, ms: Date.now() - t0, killed });
    });
  });
}

/** The last non-empty stdout line, parsed. */
export function lastJson(r: Run): Record<string, unknown> {
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/** A stack trace looks like "    at fn (file.ts:12:3)". */
export const STACK = /^\s+at .+[:(].*\d+:\d+\)?$/m;
