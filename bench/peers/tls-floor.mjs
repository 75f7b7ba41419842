// Benchmark floor: a raw TLS connection that says how many bytes follow ("N\n"), writes
// BENCH_BYTES bytes and waits for the sink to confirm it read them all. No SMTP, no encoding:
// the least any sender can cost on this path, with the same TLS and the same bytes on the wire.
import tls from "node:tls";
import { readFileSync } from "node:fs";

const total = Number(process.env.BENCH_BYTES);
const socket = tls.connect({
  host: "127.0.0.1",
  port: Number(process.env.BENCH_PORT),
  ca: readFileSync(process.env.BENCH_CA),
  servername: "localhost",
  minVersion: "TLSv1.2",
});
const block = Buffer.alloc(256 * 1024, 0x41);
socket.once("secureConnect", async () => {
  socket.write(`${total}\n`);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, block.length);
    left -= n;
    if (!socket.write(n === block.length ? block : block.subarray(0, n))) {
      await new Promise((r) => socket.once("drain", r));
    }
  }
});
socket.once("data", () => socket.end());
socket.once("error", (e) => { console.error(e.message); process.exit(1); });
