// Throughput of the SMTP core's body framing through the real ABI (host/core/core.ts → core.wasm):
// DATA (dot-stuffing + CRLF normalisation) on base64-shaped lines and on awkward text, and BDAT
// BINARYMIME chunking. Each run drives a scripted server up to ReadyForBody, then times
// bodyWrite/takeOut over the body. Run alone: `npx tsx bench/framer.ts [--quick]`.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Core } from "../host/core/core.js";

interface Row { case: string; mib: number; ms: number; mibPerS: number; wireBytes: number }

const enc = (s: string) => Buffer.from(s, "latin1");

async function readyForBody(mode: "data" | "bdat"): Promise<Core> {
  const core = await Core.create({ inCap: 65536, outCap: 65536 + 64, lineMax: 1024, eventTextCap: 256 });
  const k = core.k;
  core.setString(k.FieldMailFrom, "s@example.com");
  core.setString(k.FieldRcptTo, "a@example.com");
  core.setInt(k.FieldTlsPolicy, k.TlsPolicyNone);
  core.start();
  // each command leaves the core (takeOut) before its reply comes: an earlier reply is a desync
  core.feed(enc("220 mx\r\n"));
  core.takeOut();
  core.feed(enc("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n"));
  core.sendEnvelope(0, mode === "data" ? k.BodyMode7Bit : k.BodyModeBinaryMime);
  core.takeOut();
  core.feed(enc(mode === "data" ? "250 ok\r\n250 ok\r\n354 go\r\n" : "250 ok\r\n250 ok\r\n"));
  let ready = false;
  for (let e = core.nextEvent(); e; e = core.nextEvent()) if (e.kind === k.EventReadyForBody) ready = true;
  if (!ready) throw new Error("scripted server did not reach ReadyForBody");
  return core;
}

async function run(name: string, mode: "data" | "bdat", body: Buffer): Promise<Row> {
  const core = await readyForBody(mode);
  let wireBytes = 0;
  const t0 = process.hrtime.bigint();
  let stalls = 0;
  for (let off = 0; off < body.length;) {
    const n = core.bodyWrite(body.subarray(off, off + 65536));
    off += n;
    wireBytes += core.takeOut().length; // a copy, as a real host would hand it to the socket
    let chunks = 0;
    for (let e = core.nextEvent(); e; e = core.nextEvent()) if (e.kind === core.k.EventCommandSent) chunks++;
    // the server acknowledges each BDAT chunk (the core holds at most 256 unanswered commands)
    if (chunks) core.feed(enc("250 ok\r\n".repeat(chunks)));
    for (let e = core.nextEvent(); e; e = core.nextEvent()) { /* ReplyReceived */ }
    if (n === 0 && ++stalls > 3) throw new Error(`${name}: no progress at ${off}`);
    if (n > 0) stalls = 0;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const mib = body.length / 1048576;
  return { case: name, mib: round(mib, 1), ms: round(ms, 1), mibPerS: round(mib / (ms / 1000), 1), wireBytes };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export async function runFramerBench(opts: { quick?: boolean; mib?: number } = {}): Promise<Row[]> {
  const size = opts.quick ? 4 << 20 : (opts.mib ?? 32) << 20;
  const b64Line = Buffer.from("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n");
  const b64 = Buffer.alloc(size);
  for (let i = 0; i < size; i += b64Line.length) b64Line.copy(b64, i);
  const awkward = Buffer.alloc(size);
  const pattern = Buffer.from(".dot\nbare LF\rbare CR\r\n..two\n");
  for (let i = 0; i < size; i += pattern.length) pattern.copy(awkward, i);
  const binary = Buffer.alloc(size);
  for (let i = 0; i < size; i++) binary[i] = (i * 2654435761) >>> 24;
  const rows: Row[] = [];
  rows.push(await run("DATA, base64 lines (76 + CRLF)", "data", b64));
  rows.push(await run("DATA, dots + bare CR/LF every few bytes", "data", awkward));
  rows.push(await run("BDAT BINARYMIME, 64 KiB chunks", "bdat", binary));
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const rows = await runFramerBench({ quick: process.argv.includes("--quick") });
  console.table(rows);
}
