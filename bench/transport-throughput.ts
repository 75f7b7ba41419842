// Transport throughput on loopback: how fast write() pushes bytes through plain TCP and through
// each TLS engine to a sink server, with back-pressure honoured (each write awaits drain).
//   node --import tsx bench/transport-throughput.ts [MiB=64]
import * as net from "node:net";
import * as tls from "node:tls";
import { loopbackServerCredentials } from "../host/sim/selfsigned.js";
import { loadTlsEngine, openTransport, type EngineName } from "../host/transport/connect.js";

const mib = Number(process.argv[2] ?? 64);
const total = mib * 1024 * 1024;
const block = Buffer.alloc(64 * 1024, 0x55);
const { ca, server: pair } = loopbackServerCredentials();

async function sink(secure: boolean): Promise<{ port: number; done: Promise<number>; close(): void }> {
  let resolveDone!: (n: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const onConn = (s: net.Socket): void => {
    let got = 0;
    s.on("data", (d: Buffer) => {
      got += d.length;
      if (got >= total) {
        resolveDone(got);
        s.end();
      }
    });
    s.on("error", () => {});
  };
  const srv = secure ? tls.createServer({ cert: pair.cert, key: pair.key }, onConn) : net.createServer(onConn);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as net.AddressInfo).port, done, close: () => srv.close() };
}

async function run(label: string, mode: "none" | "implicit", engine: EngineName): Promise<void> {
  const s = await sink(mode === "implicit");
  const t = await openTransport({ host: "127.0.0.1", port: s.port, tls: mode, engine, tlsOptions: { servername: "localhost", ca: ca.cert } });
  const heap0 = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  let peakRss = heap0;
  for (let sent = 0; sent < total; sent += block.length) {
    await t.write(block);
    if ((sent & 0xffffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  await s.done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`| ${label} | ${mib} | ${(mib / secs).toFixed(0)} MiB/s | ${t.bytesWritten} | ${((peakRss - heap0) / 1048576).toFixed(1)} MiB |`);
  t.close();
  s.close();
}

console.log(`| path | MiB | throughput | wire bytes written | RSS growth |`);
console.log(`|---|---|---|---|---|`);
await run("plain TCP", "none", "node-tls");
await run("TLS node-tls", "implicit", "node-tls");
const mbed = await loadTlsEngine("mbedtls-wasm").then(() => true, () => false);
if (mbed) await run("TLS mbedtls-wasm", "implicit", "mbedtls-wasm");
else console.log("| TLS mbedtls-wasm | – | engine not built | – | – |");
