// End-to-end sends, side by side: every peer sends the same scan over STARTTLS + AUTH PLAIN to
// one receiver (Postfix or the project's chunking MTA, each in its own process) through the link
// model (bench/link.ts, its own process). Rounds are interleaved — each round runs every peer
// once, in an order rotated per round — after one warm-up round that is not counted, so a slow
// moment of the shared machine hits every peer alike. The floor (a raw TLS pipe) carries as
// many bytes as mfp-mail --no-queue put on the wire, through the same link model.
//   node --import tsx bench/e2e.ts --receiver postfix --mib 50 [--rounds 5] [--delay-ms 50 --mbit 40]
//     [--board arm-64mb] [--peers "mfp-mail,nodemailer"]
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { startHelper, type HelperProcess } from "./procs.js";
import { sendWith, peerAvailable, buildMime, type PeerName, type PeerRun } from "./peers.js";
import { summary, type Summary } from "./stats.js";

export type ReceiverName = "postfix" | "chunking";
interface ReceiverReady { port: number; caPem: string; user: string; pass: string; name: string }
interface LinkStats { clientToServer: number; serverToClient: number; roundTrips: number }

export interface E2eOptions {
  receiver: ReceiverName;
  sizesMiB: number[];
  rounds: number;
  warmup?: number;
  peers: PeerName[];
  link?: { delayMs: number; mbit: number };
  /** mfp-mail's board (--board); the CLI's default otherwise */
  board?: string;
  work?: string;
  log?: (line: string) => void;
}

export interface PeerFigures {
  peer: PeerName;
  ok: boolean;
  error?: string;
  wallMs?: Summary;
  cpuMs?: Summary;
  wireBytes?: number;
  roundTrips?: number;
  bodyMode?: string;
  parts?: number;
}

export interface E2eResult {
  receiver: string;
  sizeMiB: number;
  link: { delayMs: number; mbit: number };
  board: string;
  rounds: number;
  peers: PeerFigures[];
}

const SCAN_SEED_NOTE = "random bytes (crypto.randomBytes): a compressed PDF's entropy";

function lastJson(stdout: string): Record<string, unknown> | null {
  try {
    return JSON.parse(stdout.trim().split("\n").pop() ?? "");
  } catch {
    return null;
  }
}

export async function runEndToEnd(o: E2eOptions): Promise<E2eResult[]> {
  const log = o.log ?? (() => {});
  const work = o.work ?? mkdtempSync(join(tmpdir(), "mfp-bench-e2e-"));
  const ownWork = !o.work;
  const link = o.link ?? { delayMs: 0, mbit: 0 };
  const helpers: HelperProcess<unknown>[] = [];
  const results: E2eResult[] = [];
  try {
    const rx = await startHelper<ReceiverReady>("./receiver.ts", [o.receiver]);
    helpers.push(rx);
    const floor = await startHelper<ReceiverReady>("./receiver.ts", ["floor"]);
    helpers.push(floor);
    const linkArgs = ["--delay-ms", String(link.delayMs), "--mbit", String(link.mbit)];
    const proxy = await startHelper<{ port: number }>("./link.ts", ["--target", String(rx.ready.port), ...linkArgs]);
    helpers.push(proxy);
    const floorProxy = await startHelper<{ port: number }>("./link.ts", ["--target", String(floor.ready.port), ...linkArgs]);
    helpers.push(floorProxy);
    const caFile = join(work, `ca-${o.receiver}.pem`);
    writeFileSync(caFile, rx.ready.caPem);
    const floorCa = join(work, "ca-floor.pem");
    writeFileSync(floorCa, floor.ready.caPem);
    const to = o.receiver === "postfix" ? "desk@test.local" : "desk@example.com";
    const outboxEnv = { MFP_OUTBOX_DIR: join(work, "outbox") };
    const boardArgs = o.board ? ["--board", o.board] : [];

    for (const mib of o.sizesMiB) {
      const file = join(work, `scan-${mib}MiB.pdf`);
      if (!existsSync(file)) writeFileSync(file, randomBytes(mib * 1024 * 1024));
      const mimeFile = join(work, `scan-${mib}MiB.eml`);
      if (o.peers.includes("curl --upload-file") && !existsSync(mimeFile)) buildMime(file, to, mimeFile);
      const peers = o.peers.filter((p) => peerAvailable(p));
      const runs = new Map<PeerName, { wall: number[]; cpu: number[]; wire: number; trips: number; error?: string; bodyMode?: string; parts?: number }>();
      for (const p of peers) runs.set(p, { wall: [], cpu: [], wire: 0, trips: 0 });
      const warmup = o.warmup ?? 1;
      for (let round = 0; round < warmup + o.rounds; round++) {
        const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
        for (const peer of order) {
          const r = runs.get(peer)!;
          if (r.error) continue;
          await proxy.ask("reset");
          const before = (await rx.ask<{ count: number }>("count")).count;
          const run: PeerRun = await sendWith(peer, {
            port: proxy.ready.port, caFile, file, mimeFile, user: rx.ready.user, pass: rx.ready.pass, to,
            env: outboxEnv, extraArgs: boardArgs,
          });
          const json = peer.startsWith("mfp-mail") ? lastJson(run.stdout) : null;
          const parts = Number((json?.parts as { total?: number } | undefined)?.total ?? 1);
          const after = (await rx.ask<{ count: number }>("count")).count;
          if (!run.ok || after < before + parts) {
            r.error = (run.stderr || run.stdout).trim().split("\n").slice(-3).join(" | ") || "not delivered";
            log(`  ${peer}: ${r.error}`);
            continue;
          }
          const st = await proxy.ask<LinkStats>("stats");
          r.wire = st.clientToServer;
          r.trips = st.roundTrips;
          if (json) { r.bodyMode = String(json.bodyMode ?? ""); r.parts = parts; }
          if (round >= warmup) {
            r.wall.push(run.wallMs);
            if (run.cpuMs !== null) r.cpu.push(run.cpuMs);
          }
        }
      }
      // The floor: the bytes mfp-mail --no-queue put on the wire, through the same link model.
      const floorBytes = runs.get("mfp-mail --no-queue")?.wire || runs.get("mfp-mail")?.wire || mib * 1024 * 1024;
      const floorRuns: { wall: number[]; cpu: number[] } = { wall: [], cpu: [] };
      for (let i = 0; i < warmup + o.rounds; i++) {
        const run = await sendWith("floor", { port: floorProxy.ready.port, caFile: floorCa, file: "", user: "", pass: "", to: "", bytes: floorBytes });
        if (run.ok && i >= warmup) {
          floorRuns.wall.push(run.wallMs);
          if (run.cpuMs !== null) floorRuns.cpu.push(run.cpuMs);
        }
      }
      const figures: PeerFigures[] = [...runs.entries()].map(([peer, r]) => ({
        peer, ok: !r.error, ...(r.error ? { error: r.error } : {}),
        wallMs: summary(r.wall), cpuMs: summary(r.cpu), wireBytes: r.wire, roundTrips: r.trips,
        ...(r.bodyMode ? { bodyMode: r.bodyMode, parts: r.parts } : {}),
      }));
      figures.push({ peer: "floor", ok: floorRuns.wall.length > 0, wallMs: summary(floorRuns.wall), cpuMs: summary(floorRuns.cpu), wireBytes: floorBytes });
      results.push({ receiver: rx.ready.name, sizeMiB: mib, link, board: o.board ?? "sim-desktop", rounds: o.rounds, peers: figures });
      log(`e2e ${o.receiver} ${mib} MiB${link.delayMs || link.mbit ? ` (link ${link.delayMs} ms each way, ${link.mbit || "∞"} Mbit/s)` : ""}${o.board ? ` board ${o.board}` : ""}: ` +
        figures.map((f) => `${f.peer} ${f.wallMs?.median.toFixed(0) ?? "—"} ms`).join(", "));
    }
  } finally {
    for (const h of helpers.reverse()) await h.stop().catch(() => {});
    if (ownWork) rmSync(work, { recursive: true, force: true });
  }
  return results;
}

export const scanContent = SCAN_SEED_NOTE;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (n: string, d: string) => {
    const i = process.argv.indexOf(n);
    return i > 0 ? process.argv[i + 1]! : d;
  };
  const res = await runEndToEnd({
    receiver: arg("--receiver", "postfix") as ReceiverName,
    sizesMiB: arg("--mib", "50").split(",").map(Number),
    rounds: Number(arg("--rounds", "3")),
    warmup: Number(arg("--warmup", "1")),
    peers: arg("--peers", "mfp-mail,mfp-mail --no-queue,nodemailer,curl --upload-file").split(",") as PeerName[],
    link: { delayMs: Number(arg("--delay-ms", "0")), mbit: Number(arg("--mbit", "0")) },
    ...(process.argv.includes("--board") ? { board: arg("--board", "") } : {}),
    log: (l) => console.log(l),
  });
  for (const r of res) {
    for (const p of r.peers) {
      console.log(`${p.peer.padEnd(22)} wall ${p.wallMs?.min.toFixed(0)}/${p.wallMs?.median.toFixed(0)}/${p.wallMs?.max.toFixed(0)} ms  cpu ${p.cpuMs?.median.toFixed(0)} ms  wire ${p.wireBytes}  trips ${p.roundTrips ?? "-"} ${p.bodyMode ?? ""} ${p.parts ?? ""} ${p.error ?? ""}`);
    }
  }
}
