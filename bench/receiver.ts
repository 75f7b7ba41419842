// One benchmark receiver in a process of its own, so what it costs never shares an event loop
// with a client or the link model:
//   node --import tsx bench/receiver.ts postfix   Postfix 3.7 (test/fixtures/postfix.ts) with the
//                                                 discard transport: STARTTLS, AUTH PLAIN, SIZE 512 MiB
//   node --import tsx bench/receiver.ts chunking  the project's receiver (host/sim/chunking-mta.ts):
//                                                 CHUNKING + BINARYMIME, counts and hashes only
//   node --import tsx bench/receiver.ts floor     a TLS sink for the floor: reads BENCH_BYTES per
//                                                 connection, then answers one byte
// The first stdout line is JSON: { port, caPem, user, pass, name }. stdin commands: `count`
// (messages accepted so far, one JSON line). Closing stdin stops the receiver (Postfix by pid).
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import tls from "node:tls";
import net from "node:net";
import { loopbackServerCredentials } from "../host/sim/selfsigned.js";

interface Receiver { port: number; caPem: string; user: string; pass: string; name: string; count(): number; stop(): Promise<void> }

const MAX_SIZE = 512 * 1024 * 1024;

async function chunking(): Promise<Receiver> {
  const { startChunkingMta } = await import("../host/sim/chunking-mta.js");
  const { ca, server } = loopbackServerCredentials();
  const user = "bench";
  const pass = "bench-" + randomBytes(6).toString("hex");
  const mta = await startChunkingMta({
    key: server.key, cert: server.cert, keepData: false, maxSize: MAX_SIZE,
    authenticate: (_m, u, p) => u === user && p === pass,
  });
  return {
    port: mta.port, caPem: ca.cert, user, pass, name: "chunking-mta (host/sim/chunking-mta.ts: CHUNKING + BINARYMIME)",
    count: () => mta.messages.length, stop: () => mta.close(),
  };
}

async function postfix(): Promise<Receiver> {
  const { startPostfix } = await import("../test/fixtures/postfix.js");
  const pf = await startPostfix({ discard: true, messageSizeLimit: MAX_SIZE });
  // cleanup(8) logs one message-id= line per message it accepted into the queue.
  const count = () => (pf.log().match(/: message-id=/g) ?? []).length;
  return { port: pf.port, caPem: pf.caPem, user: `${pf.user}@${pf.domain}`, pass: pf.password, name: "Postfix 3.7 (discard transport)", count, stop: () => pf.stop() };
}

async function floor(): Promise<Receiver> {
  const { ca, server } = loopbackServerCredentials();
  let accepted = 0;
  const srv = tls.createServer({ key: server.key, cert: server.cert, minVersion: "TLSv1.2" }, (s) => {
    let want = -1;
    let got = 0;
    let head = "";
    // The floor client first says how many bytes follow ("N\n"), then sends them.
    s.on("data", (d: Buffer) => {
      if (want < 0) {
        head += d.toString("latin1");
        const nl = head.indexOf("\n");
        if (nl < 0) return;
        want = Number(head.slice(0, nl));
        got = Buffer.byteLength(head, "latin1") - nl - 1;
      } else got += d.length;
      if (got >= want) {
        accepted++;
        s.end("k");
      }
    });
    s.on("error", () => s.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port, caPem: ca.cert, user: "", pass: "", name: "raw TLS sink",
    count: () => accepted, stop: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

const kinds: Record<string, () => Promise<Receiver>> = { chunking, postfix, floor };
const kind = process.argv[2] ?? "";
if (!kinds[kind]) {
  process.stderr.write(`usage: bench/receiver.ts ${Object.keys(kinds).join("|")}\n`);
  process.exit(2);
}
const r = await kinds[kind]!();
process.stdout.write(JSON.stringify({ port: r.port, caPem: r.caPem, user: r.user, pass: r.pass, name: r.name }) + "\n");
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await r.stop();
  process.exit(0);
};
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "count") process.stdout.write(JSON.stringify({ count: r.count() }) + "\n");
}).on("close", stop);
process.once("SIGTERM", stop);
