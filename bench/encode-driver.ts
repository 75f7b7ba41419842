// Callgrind driver (bench/callgrind.ts): encode N MiB of deterministic pseudo-random scan bytes
// through the real host path — Core.create (host/core/core.ts) and MimeWriter (host/core/mime.ts) — in
// base64 or binary mode, into a sink that discards. Run with 0 MiB as the baseline so the
// difference counts only the encode path (Node start-up and wasm compile cancel out).
//   node --import tsx bench/encode-driver.ts <MiB> <base64|binary>
// Prints one JSON line: { mib, mode, wireBytes }.
import { Core } from "../host/core/core.js";
import { MimeWriter, type MessageSpec } from "../host/core/mime.js";

const mib = Number(process.argv[2] ?? "8");
const mode = process.argv[3] ?? "base64";
if (!Number.isInteger(mib) || mib < 0 || mib > 1024 || (mode !== "base64" && mode !== "binary")) {
  process.stderr.write("usage: encode-driver.ts <MiB 0..1024> <base64|binary>\n");
  process.exit(2);
}

const CHUNK = 192 * 1024;
const total = mib * 1024 * 1024;

/** xorshift32 bytes: the same input on every run, so instruction counts compare across changes. */
function* scan(): Generator<Uint8Array> {
  const buf = new Uint8Array(CHUNK);
  const words = new Uint32Array(buf.buffer);
  let s = 0x9e3779b9;
  for (let sent = 0; sent < total; sent += CHUNK) {
    for (let i = 0; i < words.length; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      words[i] = s;
    }
    yield total - sent >= CHUNK ? buf : buf.subarray(0, total - sent);
  }
}

const core = await Core.create({ inCap: 262144, outCap: 262144, lineMax: 4096, eventTextCap: 2048 });
const mime = new MimeWriter(core);
mime.configure(65536);
const spec: MessageSpec = {
  from: { address: "scanner@example.com" },
  to: [{ address: "desk@example.com" }],
  subject: "Scan",
  date: "Mon, 23 Nov 2026 12:00:00 +0000",
  messageId: "<callgrind@example.com>",
  text: "Scanned document attached.",
  attachments: [{ filename: "scan.pdf", type: "application/pdf", size: total, source: scan }],
};
let wireBytes = 0;
await mime.write(spec, { binary: mode === "binary", eightBit: mode === "binary", boundaryRandom: "callgrindBoundary0123456789" }, (b) => {
  wireBytes += b.length; // discarded: only the encode path is measured
});
process.stdout.write(JSON.stringify({ mib, mode, wireBytes }) + "\n");
