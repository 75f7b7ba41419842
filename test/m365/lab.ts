// Shared by the Microsoft 365 end-to-end suites: the Exchange-Online-like fixture with its CA in a
// file, a board file per TLS engine (arm-64mb with BINARYMIME on, as Exchange Online offers it;
// the shipped boards are not changed), the real CLI as a child process, and the outbox it used.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startExchangeOnline, type ExoOptions, type ExoServer } from "../fixtures/exchange-online.js";
import { cli, lastJson, type Run } from "../cli/run.js";
import { Outbox, type JobRecord } from "../../host/outbox/index.js";
import type { TlsEngineName } from "../../host/config/board.js";
import { mbedtlsAvailable, mbedtlsWasmPath } from "../../host/transport/mbedtls-module.js";

export const ENGINES: { engine: TlsEngineName; skip: string | false }[] = [
  { engine: "node-tls", skip: false },
  {
    engine: "mbedtls-wasm",
    skip: mbedtlsAvailable() ? false : `${mbedtlsWasmPath()} is not built — run "npm run build:tls" (CI builds it); the mbedtls-wasm half is skipped`,
  },
];

export type LabServer = ExoServer & { caFile: string };

export interface Lab {
  dir: string;
  fixture(o: ExoOptions): Promise<LabServer>;
  /** arm-64mb with this TLS engine and BINARYMIME on, as a board file; `retryAfterMs`: the first
   *  retry is due that soon, without jitter (a daemon picks the job up within the test). */
  board(engine: TlsEngineName, retryAfterMs?: number): Promise<string>;
  /** A fresh outbox directory. */
  outbox(): string;
  close(): Promise<void>;
}

export async function openLab(): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), "mfp-m365-lab-"));
  const servers: ExoServer[] = [];
  let n = 0;
  const arm = JSON.parse(await readFile(fileURLToPath(new URL("../../boards/arm-64mb.json", import.meta.url)), "utf8")) as Record<string, unknown>;
  delete arm.$schema;
  return {
    dir,
    async fixture(o) {
      const s = await startExchangeOnline({ bindHost: "localhost", ...o });
      servers.push(s);
      const caFile = join(dir, `ca-${++n}.pem`);
      await writeFile(caFile, s.ca.cert);
      return Object.assign(s, { caFile });
    },
    async board(engine, retryAfterMs) {
      const file = join(dir, `board-${engine}${retryAfterMs ? `-retry-${retryAfterMs}` : ""}.json`);
      const b = {
        ...arm, name: `arm-64mb-${engine}`, tls: { engine, minVersion: "TLSv1.2" }, smtp: { ...(arm.smtp as object), binaryMime: true },
        ...(retryAfterMs ? { retry: { ...(arm.retry as object), initialDelay: retryAfterMs, jitter: 0 } } : {}),
      };
      await writeFile(file, JSON.stringify(b));
      return file;
    },
    outbox: () => join(dir, `outbox-${++n}`),
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SendRun { run: Run; json: Record<string, unknown>; jobs: JobRecord[] }

/** `mfp-mail send --json` with a one-page scan against a fixture (--server unless null: then the
 *  preset finds it, e.g. by MX); the jobs left in its outbox. */
export async function cliSend(s: LabServer, board: string, outbox: string, args: string[], env: Record<string, string> = {}, server: string | null = "localhost"): Promise<SendRun> {
  const run = await cli([
    "send", ...(server ? ["--server", server] : []), "--port", String(s.port), "--ca", s.caFile, "--board", board, "--outbox", outbox,
    "--timeout", "10000", "--scan-pages", "1", "--json", ...args,
  ], { MFP_MAIL_TOKEN: "", ...env });
  let json: Record<string, unknown>;
  try {
    json = lastJson(run);
  } catch {
    throw new Error(`no JSON on stdout (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  const jobs = await (await Outbox.open({ dir: outbox })).list();
  return { run, json, jobs };
}
