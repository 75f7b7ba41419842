// The link model: a loopback TCP proxy with a bandwidth and a latency each way, in a process of
// its own (`node --import tsx bench/link.ts --target PORT [--delay-ms 50] [--mbit 40]`), so its
// work never shares an event loop with a client or a receiver. It counts bytes each way and
// round trips (a client→server burst answered by a server→client burst), and answers two
// commands on stdin: `stats` (one JSON line) and `reset`. Loopback only, both sides.
//
// Model: each direction is one serial link. A piece of n bytes leaves when the link is free,
// takes n·8/bandwidth to serialise, and arrives `delay` later; what waits for the link is
// bounded (a router queue): above it the proxy stops reading, so TCP back-pressure reaches the
// sender as it would on a real bottleneck.
import net from "node:net";
import { createInterface } from "node:readline";

interface Stats { clientToServer: number; serverToClient: number; roundTrips: number }

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const target = arg("--target", 0);
const delayMs = arg("--delay-ms", 0);
const mbit = arg("--mbit", 0); // 0 = no bandwidth limit
const bytesPerMs = mbit > 0 ? (mbit * 1e6) / 8 / 1000 : Infinity;
/** Bytes in the link before the proxy stops reading: with a bandwidth, one bandwidth-delay
 *  product plus 64 KiB (a router queue), at least 256 KiB; without one, 4 MiB (what a TCP
 *  receive window grows to), so latency alone does not throttle the stream. */
const queueCap = Number.isFinite(bytesPerMs) ? Math.max(256 * 1024, bytesPerMs * 2 * delayMs + 65536) : 4 << 20;

let stats: Stats = { clientToServer: 0, serverToClient: 0, roundTrips: 0 };
let last: "c2s" | "s2c" | null = null;
function note(dir: "c2s" | "s2c", n: number): void {
  if (dir === "c2s") stats.clientToServer += n;
  else stats.serverToClient += n;
  if (last === "c2s" && dir === "s2c") stats.roundTrips++;
  last = dir;
}

/** One direction of one connection: serialise, delay, deliver in order. Pieces wait in one
 *  FIFO served by one timer at a time: timers of different lengths may fire out of order, and a
 *  reordered TLS record breaks the connection. */
function pipe(from: net.Socket, to: net.Socket, dir: "c2s" | "s2c"): void {
  let linkFreeAt = 0; // ms (performance.now) when the link has sent everything queued so far
  let queued = 0;
  let ended = false;
  const fifo: { chunk: Buffer; at: number }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const serve = () => {
    timer = null;
    const now = performance.now();
    while (fifo.length > 0 && fifo[0]!.at <= now + 0.5) {
      const { chunk } = fifo.shift()!;
      queued -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (from.isPaused() && queued < queueCap / 2) from.resume();
    if (fifo.length > 0) timer = setTimeout(serve, Math.max(1, fifo[0]!.at - now));
    else if (ended && !to.destroyed) to.end();
  };
  from.on("data", (chunk: Buffer) => {
    note(dir, chunk.length);
    if (delayMs === 0 && !Number.isFinite(bytesPerMs)) {
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => from.resume());
      }
      return;
    }
    const start = Math.max(performance.now(), linkFreeAt);
    linkFreeAt = start + (Number.isFinite(bytesPerMs) ? chunk.length / bytesPerMs : 0);
    queued += chunk.length;
    fifo.push({ chunk, at: linkFreeAt + delayMs });
    if (timer === null) timer = setTimeout(serve, Math.max(1, fifo[0]!.at - performance.now()));
    if (queued > queueCap) from.pause();
  });
  from.on("end", () => {
    ended = true;
    if (fifo.length === 0 && !to.destroyed) to.end();
  });
  from.on("error", () => to.destroy());
  from.on("close", () => setTimeout(() => to.destroy(), delayMs + Math.max(0, linkFreeAt - performance.now()) + 5));
}

const sockets = new Set<net.Socket>();
const server = net.createServer((client) => {
  const upstream = net.connect(target, "127.0.0.1");
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.setNoDelay(true);
    s.on("close", () => sockets.delete(s));
  }
  pipe(client, upstream, "c2s");
  pipe(upstream, client, "s2c");
});

server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as net.AddressInfo).port;
  process.stdout.write(JSON.stringify({ port, delayMs, mbit }) + "\n");
});

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "stats") process.stdout.write(JSON.stringify(stats) + "\n");
  else if (line === "reset") {
    stats = { clientToServer: 0, serverToClient: 0, roundTrips: 0 };
    last = null;
    process.stdout.write("{}\n");
  }
}).on("close", () => {
  for (const s of sockets) s.destroy();
  server.close(() => process.exit(0));
});
