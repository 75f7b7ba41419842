// The peers the benchmarks compare: mfp-mail (its CLI, through the wasm core), nodemailer, curl,
// swaks, and the physical floor (a raw TLS pipe carrying the same number of bytes). Each runs as
// a child process so every peer pays the same process start-up, and each talks to a loopback
// server through the counting proxy.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface PeerRun {
  ok: boolean;
  wallMs: number;
  maxRssKb: number | null;
  stdout: string;
  stderr: string;
}

export interface SendSpec {
  port: number;
  caFile: string;
  file: string;
  user: string;
  pass: string;
  /** for the floor: how many bytes to push */
  bytes?: number;
  /** mfp-mail only: extra CLI arguments (e.g. --board arm-64mb) */
  extraArgs?: string[];
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Run a command, timing it; with measureRss, under /usr/bin/time -v for the peak RSS. */
export function runTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv, measureRss = false, timeoutMs = 300_000): Promise<PeerRun> {
  const useTime = measureRss && hasCommand("/usr/bin/time");
  const argv = useTime ? ["-v", cmd, ...args] : args;
  const bin = useTime ? "/usr/bin/time" : cmd;
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(bin, argv, { env: { ...process.env, ...env }, cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ ok: code === 0, wallMs, maxRssKb: rss ? Number(rss[1]) : null, stdout, stderr });
    });
  });
}

/** "mfp-mail" is the product as shipped (the scan is stored durably in the outbox first);
 * "mfp-mail --no-queue" sends straight from the file, as the other peers do. */
export type PeerName = "mfp-mail" | "mfp-mail --no-queue" | "nodemailer" | "curl" | "swaks" | "floor";

export function peerAvailable(name: PeerName): boolean {
  if (name === "curl") return hasCommand("curl");
  if (name === "swaks") return hasCommand("swaks");
  return true;
}

export function sendWith(name: PeerName, spec: SendSpec, measureRss = false): Promise<PeerRun> {
  const env = {
    BENCH_PORT: String(spec.port), BENCH_CA: spec.caFile, BENCH_FILE: spec.file,
    BENCH_USER: spec.user, BENCH_PASS: spec.pass, BENCH_BYTES: String(spec.bytes ?? 0),
  };
  switch (name) {
    case "mfp-mail":
    case "mfp-mail --no-queue":
      return runTimed(process.execPath, [
        `${repoRoot}/dist/host/cli.js`, "send", "--server", "localhost", "--port", String(spec.port),
        "--tls", "starttls", "--require-tls", "--ca", spec.caFile, "--auth", "plain", "--user", spec.user,
        "--password-env", "BENCH_PASS", "--from", "scanner@example.com", "--to", "desk@example.com",
        "--subject", "Scan", "--body", "Scanned document attached.", "--attach", spec.file, "--json",
        ...(name === "mfp-mail --no-queue" ? ["--no-queue"] : []), ...(spec.extraArgs ?? []),
      ], env, measureRss);
    case "nodemailer":
      return runTimed(process.execPath, [here("./peers/nodemailer-send.mjs")], env, measureRss);
    case "curl":
      // curl builds the MIME message itself with -F (base64 attachment); credentials via netrc-less -u
      // are fine here: a throw-away loopback account.
      return runTimed("curl", [
        "-sS", "--ssl-reqd", "--cacert", spec.caFile, `smtp://localhost:${spec.port}`,
        "--mail-from", "scanner@example.com", "--mail-rcpt", "desk@example.com",
        "-u", `${spec.user}:${spec.pass}`, "-H", "Subject: Scan",
        "-F", "=Scanned document attached.;type=text/plain",
        "-F", `=@${spec.file};type=application/pdf;encoder=base64`,
      ], env, measureRss);
    case "swaks":
      return runTimed("swaks", [
        "--silent", "2", "--server", "127.0.0.1", "--port", String(spec.port), "--tls",
        "--auth", "PLAIN", "--auth-user", spec.user, "--auth-password", spec.pass,
        "--from", "scanner@example.com", "--to", "desk@example.com", "--header", "Subject: Scan",
        "--body", "Scanned document attached.", "--attach-type", "application/pdf", "--attach", `@${spec.file}`,
      ], env, measureRss);
    case "floor":
      return runTimed(process.execPath, [here("./peers/tls-floor.mjs")], env, measureRss);
  }
}
