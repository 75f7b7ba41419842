// The peers the benchmarks compare: mfp-mail (its CLI, through the wasm core; durable first as
// shipped, and --no-queue), nodemailer, curl (building the MIME itself with -F, and
// --upload-file of a pre-built message), swaks, and the physical floor (a raw TLS pipe carrying
// the same number of bytes). Each runs as a child process under /usr/bin/time, so every peer
// pays the same process start-up and each reports its own CPU time and peak RSS.
import { readFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface PeerRun {
  ok: boolean;
  wallMs: number;
  /** user + system CPU of the client process (null without /usr/bin/time) */
  cpuMs: number | null;
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
  /** the recipient (a Postfix receiver only accepts its own domain) */
  to: string;
  /** curl --upload-file: the pre-built message */
  mimeFile?: string;
  /** for the floor: how many bytes to push */
  bytes?: number;
  /** mfp-mail only: extra CLI arguments (e.g. --board arm-64mb) */
  extraArgs?: string[];
  /** environment for the client (e.g. MFP_OUTBOX_DIR) */
  env?: NodeJS.ProcessEnv;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** The node flags of the CLI's `#!/usr/bin/env -S node …` line: mfp-mail runs as its bin would. */
function cliNodeFlags(): string[] {
  const first = readFileSync(`${repoRoot}/dist/host/cli.js`, "utf8").split("\n", 1)[0]!;
  return first.replace(/^#!\/usr\/bin\/env\s+(-S\s+)?node\s*/, "").split(/\s+/).filter(Boolean);
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

const TIME_MARK = "BENCH-TIME";
const haveTime = hasCommand("/usr/bin/time");

/** Run a command, timing it; under /usr/bin/time (when installed) for CPU time and peak RSS. */
export function runTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<PeerRun> {
  const bin = haveTime ? "/usr/bin/time" : cmd;
  const argv = haveTime ? ["-f", `${TIME_MARK} %U %S %M`, cmd, ...args] : args;
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
      const t = new RegExp(`${TIME_MARK} ([\\d.]+) ([\\d.]+) (\\d+)`).exec(stderr);
      if (t) stderr = stderr.replace(t[0], "").trim();
      resolve({
        ok: code === 0, wallMs, cpuMs: t ? (Number(t[1]) + Number(t[2])) * 1000 : null,
        maxRssKb: t ? Number(t[3]) : null, stdout, stderr,
      });
    });
  });
}

/** "mfp-mail" is the product as shipped (the scan is stored durably in the outbox first);
 * "mfp-mail --no-queue" sends straight from the file, as the other peers do. */
export type PeerName = "mfp-mail" | "mfp-mail --no-queue" | "nodemailer" | "curl -F" | "curl --upload-file" | "swaks" | "floor";

export function peerAvailable(name: PeerName): boolean {
  if (name.startsWith("curl")) return hasCommand("curl");
  if (name === "swaks") return hasCommand("swaks");
  return true;
}

export function sendWith(name: PeerName, spec: SendSpec): Promise<PeerRun> {
  const env = {
    ...spec.env,
    BENCH_PORT: String(spec.port), BENCH_CA: spec.caFile, BENCH_FILE: spec.file, BENCH_TO: spec.to,
    BENCH_USER: spec.user, BENCH_PASS: spec.pass, BENCH_BYTES: String(spec.bytes ?? 0),
  };
  const curlBase = [
    "-sS", "--ssl-reqd", "--cacert", spec.caFile, `smtp://localhost:${spec.port}`,
    "--mail-from", "scanner@example.com", "--mail-rcpt", spec.to, "-u", `${spec.user}:${spec.pass}`,
  ];
  switch (name) {
    case "mfp-mail":
    case "mfp-mail --no-queue":
      return runTimed(process.execPath, [
        ...cliNodeFlags(), `${repoRoot}/dist/host/cli.js`, "send", "--server", "localhost", "--port", String(spec.port),
        "--tls", "starttls", "--require-tls", "--ca", spec.caFile, "--auth", "plain", "--user", spec.user,
        "--password-env", "BENCH_PASS", "--from", "scanner@example.com", "--to", spec.to,
        "--subject", "Scan", "--body", "Scanned document attached.", "--attach", spec.file, "--json",
        ...(name === "mfp-mail --no-queue" ? ["--no-queue"] : []), ...(spec.extraArgs ?? []),
      ], env);
    case "nodemailer":
      return runTimed(process.execPath, [here("./peers/nodemailer-send.mjs")], env);
    case "curl -F":
      // curl builds the MIME message itself (base64 attachment). The password on curl's command
      // line is a throw-away loopback account's.
      return runTimed("curl", [
        ...curlBase, "-H", "Subject: Scan",
        "-F", "=Scanned document attached.;type=text/plain",
        "-F", `=@${spec.file};type=application/pdf;encoder=base64`,
      ], env);
    case "curl --upload-file":
      // The message nodemailer would send, built before the timing starts (bench/peers/build-mime.mjs).
      return runTimed("curl", [...curlBase, "--upload-file", spec.mimeFile ?? ""], env);
    case "swaks":
      return runTimed("swaks", [
        "--silent", "2", "--server", "127.0.0.1", "--port", String(spec.port), "--tls",
        "--auth", "PLAIN", "--auth-user", spec.user, "--auth-password", spec.pass,
        "--from", "scanner@example.com", "--to", spec.to, "--header", "Subject: Scan",
        "--body", "Scanned document attached.", "--attach-type", "application/pdf", "--attach", `@${spec.file}`,
      ], env);
    case "floor":
      return runTimed(process.execPath, [here("./peers/tls-floor.mjs")], env);
  }
}

/** Build the pre-built MIME message for curl --upload-file (not timed). */
export function buildMime(file: string, to: string, out: string): void {
  const r = spawnSync(process.execPath, [here("./peers/build-mime.mjs")], { env: { ...process.env, BENCH_FILE: file, BENCH_TO: to, BENCH_OUT: out }, stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the MIME message for curl --upload-file failed");
}
