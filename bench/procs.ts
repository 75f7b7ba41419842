// Bench helper processes (bench/receiver.ts, bench/link.ts): started as children, each prints
// one JSON line when ready and answers one JSON line per command written to its stdin; closing
// stdin stops it. Stopped by their own pid only.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface HelperProcess<T> {
  ready: T;
  pid: number;
  ask<R>(command: string): Promise<R>;
  stop(): Promise<void>;
}

const TSX = ["--import", "tsx"];
const root = fileURLToPath(new URL("..", import.meta.url));

export async function startHelper<T>(script: string, args: string[], startMs = 30_000): Promise<HelperProcess<T>> {
  const child: ChildProcess = spawn(process.execPath, [...TSX, fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: root, stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  const next = (ms: number) => new Promise<string>((resolve, reject) => {
    const queued = lines.shift();
    if (queued !== undefined) return resolve(queued);
    const timer = setTimeout(() => reject(new Error(`${script} did not answer within ${ms} ms: ${stderr.slice(-800)}`)), ms);
    const onExit = () => reject(new Error(`${script} exited (${child.exitCode}): ${stderr.slice(-800)}`));
    child.once("exit", onExit);
    waiters.push((line) => { clearTimeout(timer); child.off("exit", onExit); resolve(line); });
  });
  const ready = JSON.parse(await next(startMs)) as T;
  return {
    ready,
    pid: child.pid!,
    async ask<R>(command: string): Promise<R> {
      child.stdin!.write(command + "\n");
      return JSON.parse(await next(10_000)) as R;
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
