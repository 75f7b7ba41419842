// TLS engine figures: mbedtls-wasm vs node:tls on loopback, both at TLS 1.2 through the same
// TlsEngine interface. Engine size (raw, gzip -9), mbedTLS heap and wasm linear memory during a
// handshake and a bulk send, handshake time (median/p95), bulk throughput.
//
//   node --import tsx bench/tls-engines.ts [--quick]     prints the JSON
//   runTlsEngineBench({ quick })                         used by bench/run.ts (section tlsEngines)
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { createCa, issueServerCert } from "../host/sim/selfsigned.js";
import { createEcCa, issueEcServerCert } from "../test/tls-mbedtls/ec-certs.js";
import { loadMbedtls, mbedtlsAvailable, mbedtlsWasmPath } from "../host/transport/mbedtls-module.js";
import { MbedtlsEngine } from "../host/transport/tls-mbedtls.js";
import { nodeTlsEngine } from "../host/transport/tls-node.js";
import type { SecureChannel, TlsEngine, TlsOptions } from "../host/transport/types.js";

interface Server {
  port: number;
  close(): Promise<void>;
}

/** A TLS 1.2 server that answers "ok\n" once `expect` bytes arrived (0 = never answers). */
async function startServer(creds: { cert: string; key: string }, expect: number): Promise<Server> {
  const all = new Set<net.Socket>();
  const server = tls.createServer({ ...creds, maxVersion: "TLSv1.2" }, (s) => {
    let n = 0;
    s.on("error", () => {});
    s.on("data", (d: Buffer) => {
      n += d.length;
      if (expect > 0 && n >= expect) s.write("ok\n");
    });
  });
  server.on("connection", (s: net.Socket) => {
    all.add(s);
    s.on("close", () => all.delete(s));
  });
  server.on("tlsClientError", () => {});
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of all) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function connect(engine: TlsEngine, port: number, options: TlsOptions): Promise<SecureChannel> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  return engine.connect(socket, options);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function handshakes(engine: TlsEngine, port: number, options: TlsOptions, n: number) {
  const ms: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const ch = await connect(engine, port, options);
    const dt = performance.now() - t0;
    ch.close();
    if (i >= 2) ms.push(dt); // the first two warm up JIT and the wasm instance
  }
  return { runs: n, medianMs: r2(pct(ms, 50)), p95Ms: r2(pct(ms, 95)) };
}

async function bulk(engine: TlsEngine, creds: { cert: string; key: string }, ca: string, mib: number) {
  const total = mib << 20;
  const server = await startServer(creds, total);
  try {
    const ch = await connect(engine, server.port, { servername: "localhost", ca });
    const chunk = Buffer.alloc(64 << 10, 0x61);
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) await ch.write(chunk);
    const reply = await ch.read(); // "ok\n" once the server has every byte
    const secs = (performance.now() - t0) / 1000;
    ch.close();
    if (!reply || Buffer.from(reply).toString() !== "ok\n") throw new Error("bulk: no acknowledgement from the server");
    return { mib, seconds: r2(secs), mibPerSec: r2(mib / secs), cipher: ch.info.cipher };
  } finally {
    await server.close();
  }
}

export async function runTlsEngineBench(opts: { quick?: boolean } = {}): Promise<Record<string, unknown>> {
  const quick = opts.quick ?? false;
  const path = mbedtlsWasmPath();
  if (!mbedtlsAvailable(path)) return { error: `${path} is not built: run "npm run build:tls"` };
  const wasm = readFileSync(path);
  const mod = await loadMbedtls(path);
  // Before any connection (when run standalone): data segment + 64 KiB stack + allocator start.
  const initialLinearMemoryBytes = mod.memoryStats().linearMemory;
  const mbedtls = new MbedtlsEngine();

  const ca = createCa("bench TLS CA");
  const rsa = issueServerCert(ca, { names: ["localhost"] });
  const options: TlsOptions = { servername: "localhost", ca: ca.cert };
  const n = quick ? 10 : 50;
  const bulkMiB = quick ? 5 : 50;

  // Memory: mbedTLS heap high-water mark for one handshake (one CA) and the wasm linear memory.
  const server = await startServer(rsa, 0);
  let memory: Record<string, unknown>;
  try {
    const before = mod.memoryStats();
    mod.exports.tls_heap_reset_peak();
    const ch = await connect(mbedtls, server.port, options);
    const afterHandshake = mod.memoryStats();
    ch.close();
    mod.exports.tls_heap_reset_peak();
    const chRoots = await connect(mbedtls, server.port, { servername: "localhost", ca: ca.cert + "\n" + tls.rootCertificates.join("\n") }).catch(
      () => null,
    );
    const withRoots = mod.memoryStats();
    chRoots?.close();
    memory = {
      connectionStateBytes: mod.exports.tls_conn_size(),
      handshakeHeapPeakBytes: afterHandshake.heapPeak - before.heapNow,
      establishedHeapBytes: afterHandshake.heapNow - before.heapNow,
      handshakeHeapPeakWithSystemRootsBytes: withRoots.heapPeak - before.heapNow,
      systemRootCount: tls.rootCertificates.length,
      linearMemoryBytes: withRoots.linearMemory,
    };
  } finally {
    await server.close();
  }

  const handshake: Record<string, Record<string, unknown>> = {};
  const ecCa = createEcCa();
  const servers = [
    { label: "ECDHE-RSA (RSA-2048 server key)", creds: rsa, ca: ca.cert },
    { label: "ECDHE-ECDSA (P-256 server key, P-384 CA)", creds: issueEcServerCert(ecCa), ca: ecCa.cert },
  ];
  for (const { label, creds, ca: caPem } of servers) {
    const hsServer = await startServer(creds, 0);
    try {
      handshake[label] = {
        "mbedtls-wasm": await handshakes(mbedtls, hsServer.port, { servername: "localhost", ca: caPem }, n),
        "node-tls": await handshakes(nodeTlsEngine, hsServer.port, { servername: "localhost", ca: caPem }, n),
      };
    } finally {
      await hsServer.close();
    }
  }
  mod.exports.tls_heap_reset_peak();
  const heapBeforeBulk = mod.memoryStats().heapNow;
  const bulkResults = {
    "mbedtls-wasm": await bulk(mbedtls, rsa, ca.cert, bulkMiB),
    "node-tls": await bulk(nodeTlsEngine, rsa, ca.cert, bulkMiB),
  };
  const afterBulk = mod.memoryStats();

  return {
    engine: { path, bytes: wasm.length, gzipBytes: gzipSync(wasm, { level: 9 }).length },
    memory: { initialLinearMemoryBytes, ...memory, bulkHeapPeakBytes: afterBulk.heapPeak - heapBeforeBulk, linearMemoryAfterBulkBytes: afterBulk.linearMemory },
    handshake: { protocol: "TLSv1.2", loopback: true, ...handshake },
    bulk: bulkResults,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runTlsEngineBench({ quick: process.argv.includes("--quick") });
  console.log(JSON.stringify(result, null, 2));
}
