// `npm run bench` — every benchmark in one run, side by side, on loopback only.
// Writes bench/results.json and bench/results.md (the README includes the table).
//   npm run bench              full run (medians of 5; 1, 10 and 50 MiB scans)
//   npm run bench -- --quick   smoke run (1 run, 1 MiB; what the test suite checks)
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import tls from "node:tls";
import net from "node:net";
import { loopbackServerCredentials } from "../host/certs/selfsigned.js";
import { startChunkingMta } from "../host/sim/chunking-mta.js";
import { startProxy } from "./proxy.js";
import { sendWith, peerAvailable, repoRoot, type PeerName } from "./peers.js";
import { median } from "./stats.js";
import { renderMarkdown } from "./report.js";
import { callgrindPerMiB } from "./callgrind.js";

const quick = process.argv.includes("--quick");
const runs = quick ? 1 : 5;
const sizesMiB = quick ? [1] : [1, 10, 50];
const USER = "bench";
const PASS = "bench-" + randomBytes(6).toString("hex");
const work = mkdtempSync(join(tmpdir(), "mfp-bench-"));
// mfp-mail's sends keep their durable copies in the bench's own outbox, removed at the end.
process.env.MFP_OUTBOX_DIR = join(work, "outbox");

const { ca, server } = loopbackServerCredentials();
const caFile = join(work, "ca.pem");
writeFileSync(caFile, ca.cert);

type Row = Record<string, unknown>;
const results: { quick: boolean; date: string; machine: string; sections: Record<string, unknown> } = {
  quick, date: new Date().toISOString(), machine: `${process.platform} ${process.arch}, node ${process.version}`, sections: {},
};

function scanFile(mib: number): string {
  const file = join(work, `scan-${mib}MiB.pdf`);
  if (!existsSync(file)) writeFileSync(file, randomBytes(mib * 1024 * 1024));
  return file;
}

/** A TLS sink for the floor: reads exactly N bytes per connection, then answers one byte. */
async function startFloorSink(): Promise<{ port: number; expect(n: number): void; close(): Promise<void> }> {
  let expected = 0;
  const srv = tls.createServer({ key: server.key, cert: server.cert, minVersion: "TLSv1.2" }, (s) => {
    let got = 0;
    s.on("data", (d) => {
      got += d.length;
      if (got >= expected) s.write("k");
    });
    s.on("error", () => s.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    expect: (n) => (expected = n),
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

async function endToEnd(): Promise<Row[]> {
  const mta = await startChunkingMta({
    key: server.key, cert: server.cert, keepData: false, maxSize: 512 * 1024 * 1024,
    authenticate: (_m, u, p) => u === USER && p === PASS,
  });
  const proxy = await startProxy(mta.port);
  const floorSink = await startFloorSink();
  const floorProxy = await startProxy(floorSink.port);
  const rows: Row[] = [];
  try {
    for (const mib of sizesMiB) {
      const file = scanFile(mib);
      const peers: PeerName[] = ["mfp-mail", "mfp-mail --no-queue", "nodemailer", "curl", "swaks"];
      const measured: Record<string, { ms: number; wire: number; ok: boolean; error?: string }> = {};
      for (const peer of peers) {
        if (!peerAvailable(peer)) {
          measured[peer] = { ms: NaN, wire: NaN, ok: false, error: "not installed" };
          continue;
        }
        const times: number[] = [];
        let wire = 0;
        let error: string | undefined;
        for (let i = 0; i < runs; i++) {
          proxy.reset();
          const before = mta.messages.length;
          const run = await sendWith(peer, { port: proxy.port, caFile, file, user: USER, pass: PASS });
          // A scan above the board's splitAbove goes out as several messages (issue 4 split).
          const parts = peer.startsWith("mfp-mail") ? Number((lastJson(run.stdout)?.parts as { total?: number } | undefined)?.total ?? 1) : 1;
          const delivered = mta.messages.length === before + parts;
          if (!run.ok || !delivered) {
            error = (run.stderr || run.stdout).trim().split("\n").slice(-3).join(" | ") || "not delivered";
            break;
          }
          times.push(run.wallMs);
          wire = proxy.stats().clientToServer;
        }
        measured[peer] = { ms: times.length === runs ? median(times) : NaN, wire, ok: !error, error };
      }
      // The floor carries as many bytes as mfp-mail put on the wire.
      const floorBytes = measured["mfp-mail"].wire || mib * 1024 * 1024;
      floorSink.expect(floorBytes);
      const floorTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const run = await sendWith("floor", { port: floorProxy.port, caFile, file: "", user: "", pass: "", bytes: floorBytes });
        if (run.ok) floorTimes.push(run.wallMs);
      }
      const floorMs = floorTimes.length ? median(floorTimes) : NaN;
      const nm = measured["nodemailer"].ms;
      for (const [peer, m] of Object.entries(measured)) {
        rows.push({
          sizeMiB: mib, peer, medianMs: round(m.ms), wireBytes: m.wire,
          ratioToNodemailer: round(m.ms / nm, 3), ratioToFloor: round(m.ms / floorMs, 3),
          ...(m.error ? { error: m.error } : {}),
        });
      }
      rows.push({ sizeMiB: mib, peer: "floor (raw TLS pipe)", medianMs: round(floorMs), wireBytes: floorBytes, ratioToNodemailer: round(floorMs / nm, 3), ratioToFloor: 1 });
      console.log(`e2e ${mib} MiB done`);
    }
  } finally {
    await proxy.close();
    await floorProxy.close();
    await floorSink.close();
    await mta.close();
  }
  return rows;
}

async function roundTrips(): Promise<Row[]> {
  const mta = await startChunkingMta({
    key: server.key, cert: server.cert, keepData: false, authenticate: (_m, u, p) => u === USER && p === PASS,
  });
  const proxy = await startProxy(mta.port, 50);
  const file = join(work, "small.pdf");
  writeFileSync(file, randomBytes(20 * 1024));
  const rows: Row[] = [];
  try {
    for (const peer of ["mfp-mail", "nodemailer", "curl", "swaks"] as PeerName[]) {
      if (!peerAvailable(peer)) {
        rows.push({ peer, error: "not installed" });
        continue;
      }
      const times: number[] = [];
      let trips = 0;
      let error: string | undefined;
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        proxy.reset();
        const run = await sendWith(peer, { port: proxy.port, caFile, file, user: USER, pass: PASS });
        if (!run.ok) {
          error = (run.stderr || run.stdout).trim().split("\n").slice(-2).join(" | ");
          break;
        }
        times.push(run.wallMs);
        trips = proxy.stats().roundTrips;
      }
      rows.push({ peer, roundTrips: trips, medianMs: round(median(times)), ...(error ? { error } : {}) });
    }
  } finally {
    await proxy.close();
    await mta.close();
  }
  return rows;
}

async function memory(): Promise<Row[]> {
  const mta = await startChunkingMta({
    key: server.key, cert: server.cert, keepData: false, maxSize: 512 * 1024 * 1024,
    authenticate: (_m, u, p) => u === USER && p === PASS,
  });
  const rows: Row[] = [];
  try {
    // The desktop board (the CLI default) and the smallest device board (16 KiB buffers).
    for (const board of ["sim-desktop", "arm-64mb"]) {
      const measured: Row[] = [];
      for (const mib of quick ? [1, 4] : [1, 200]) {
        const file = scanFile(mib);
        // The send path's memory: --no-queue, so the outbox (which may be smaller than a 200 MiB
        // scan on a device board) does not decide the result; its copy is on disk, not in RAM.
        const run = await sendWith("mfp-mail --no-queue", { port: mta.port, caFile, file, user: USER, pass: PASS, extraArgs: ["--board", board] }, true);
        const json = lastJson(run.stdout);
        measured.push({ board, sizeMiB: mib, ok: run.ok, maxRssKb: run.maxRssKb, coreMemoryBytes: json?.coreMemoryBytes ?? null });
      }
      const [small, big] = measured;
      rows.push(...measured);
      if (small.maxRssKb && big.maxRssKb) rows.push({ board, rssGrowthKb: (big.maxRssKb as number) - (small.maxRssKb as number) });
    }
  } finally {
    await mta.close();
  }
  return rows;
}

function codeSize(): Row {
  const wasm = readFileSync(join(repoRoot, "build/core.wasm"));
  return { coreWasmBytes: wasm.length, coreWasmGzipBytes: gzipSync(wasm, { level: 9 }).length };
}

function lastJson(stdout: string): Record<string, unknown> | null {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A bench module another part of the project provides; absent → the section says so. */
async function importOptional(specifier: string): Promise<Record<string, any> | null> {
  return import(specifier).catch(() => null);
}

async function section(name: string, fn: () => Promise<unknown> | unknown) {
  const started = Date.now();
  try {
    results.sections[name] = await fn();
  } catch (err) {
    results.sections[name] = { error: err instanceof Error ? err.message : String(err) };
  }
  console.log(`[bench] ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await section("encode", async () => {
    const mod = await importOptional("./encode.js");
    if (!mod?.runEncodeBench) return { error: "bench/encode.ts not available" };
    return mod.runEncodeBench({ quick });
  });
  await section("endToEnd", endToEnd);
  await section("roundTrips", roundTrips);
  await section("memory", memory);
  await section("codeSize", codeSize);
  await section("callgrind", () => callgrindPerMiB({ quick }));
  await section("tlsEngines", async () => {
    const mod = await importOptional("./tls-engines.js");
    if (!mod?.runTlsEngineBench) return { error: "bench/tls-engines.ts not available" };
    return mod.runTlsEngineBench({ quick });
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

const outDir = join(repoRoot, "bench");
const jsonFile = quick ? join(outDir, "results.quick.json") : join(outDir, "results.json");
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n");
if (!quick) writeFileSync(join(outDir, "results.md"), renderMarkdown(results));
console.log(`wrote ${jsonFile}${quick ? "" : " and bench/results.md"}`);

