// How a scan is cut on the wire, against the project's receiver (CHUNKING + BINARYMIME, real
// STARTTLS and AUTH on 127.0.0.1): BDAT chunks of the board's size in bytes, no split below a
// server SIZE the board may use, and split parts read from their own offset (each scan byte read
// once, not once per part).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendMessage } from "../../host/session/driver.js";
import { resolveBoard, type Board } from "../../host/config/board.js";
import { fileSource } from "../../host/scan/file.js";
import type { ScanSource } from "../../host/scan/types.js";
import { startChunkingMta, type ChunkingMta } from "../../host/sim/chunking-mta.js";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { options, recorder, USER, PASSWORD, board as testBoard } from "./lab.js";

const dir = mkdtempSync(join(tmpdir(), "mfp-sizing-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const { ca, server } = loopbackServerCredentials();
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function mta(maxSize: number): Promise<ChunkingMta> {
  return startChunkingMta({ key: server.key, cert: server.cert, keepData: true, maxSize, authenticate: (_m, u, p) => u === USER && p === PASSWORD });
}

/** A file scan that counts the bytes its reads return. */
async function countedScan(bytes: Buffer): Promise<{ scan: ScanSource; read: () => number }> {
  const path = join(dir, `scan-${sha(bytes).slice(0, 8)}.pdf`);
  writeFileSync(path, bytes);
  const inner = await fileSource(path, { chunkSize: 64 * 1024 });
  let read = 0;
  const count = async function* (it: AsyncIterable<Uint8Array>) {
    for await (const c of it) { read += c.length; yield c; }
  };
  const scan: ScanSource = {
    fileName: inner.fileName, mimeType: inner.mimeType, size: inner.size, replayable: true,
    chunks: () => count(inner.chunks()),
    chunksFrom: (s, e) => count(inner.chunksFrom!(s, e)),
  };
  return { scan, read: () => read };
}

function withTimeouts(b: Board): Board {
  return { ...testBoard(), ...b, timeouts: testBoard().timeouts };
}

/** The scan bytes inside the delivered messages, in order (the attachment parts, decoded). */
async function attachmentBytes(m: ChunkingMta): Promise<Buffer> {
  const { simpleParser } = await import("mailparser");
  const parts: Buffer[] = [];
  for (const msg of m.messages) parts.push((await simpleParser(msg.data!)).attachments[0]!.content);
  return Buffer.concat(parts);
}

test("arm-64mb: BDAT chunks are the board's bdatChunk (its whole output buffer), not the 4 KiB MIME staging area", async () => {
  const srv = await mta(64 << 20);
  try {
    const b = withTimeouts(resolveBoard("arm-64mb"));
    const chunk = b.smtp.bdatChunk!;
    assert.ok(chunk > 4096 && chunk <= b.core.outCap - 18, `bdatChunk ${chunk}`);
    const bytes = randomBytes(300_000);
    const { scan } = await countedScan(bytes);
    const rec = recorder();
    const r = await sendMessage(options({ port: srv.port, ca: ca.cert }, rec, { scan, board: b }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.bodyMode, "binarymime", "arm-64mb sends BINARYMIME when offered");
    const sizes = rec.commands.filter((c) => /^BDAT \d+$/.test(c)).map((c) => Number(c.slice(5)));
    assert.ok(sizes.length >= Math.floor(300_000 / chunk), `${sizes.length} chunks`);
    assert.deepEqual(new Set(sizes.slice(0, -1)), new Set([chunk]), "every chunk but the last is exactly bdatChunk");
    assert.equal(sha(await attachmentBytes(srv)), sha(bytes));
  } finally {
    await srv.close();
  }
});

test("splitAtServerSize: a scan over splitAbove but under the server's SIZE goes as one message", async () => {
  const srv = await mta(3 << 20);
  try {
    const base = withTimeouts(resolveBoard("sim-desktop"));
    const bytes = randomBytes(2 << 20);
    const { scan } = await countedScan(bytes);
    const one = await sendMessage(options({ port: srv.port, ca: ca.cert }, recorder(), {
      scan, board: { ...base, message: { splitAbove: 1 << 20, splitAtServerSize: true } },
    }));
    assert.equal(one.status, "sent", one.message);
    assert.deepEqual(one.parts, { sent: 1, total: 1 });
    assert.equal(srv.messages.length, 1);
    const split = await sendMessage(options({ port: srv.port, ca: ca.cert }, recorder(), {
      scan, board: { ...base, message: { splitAbove: 1 << 20, splitAtServerSize: false } },
    }));
    assert.equal(split.status, "sent", split.message);
    assert.ok(split.parts.total >= 2, `split into ${split.parts.total}`);
  } finally {
    await srv.close();
  }
});

test("a split scan reads each byte once: parts start at their own offset", async () => {
  const srv = await mta(64 << 20);
  try {
    const base = withTimeouts(resolveBoard("sim-desktop"));
    const bytes = randomBytes(3 << 20);
    const { scan, read } = await countedScan(bytes);
    const r = await sendMessage(options({ port: srv.port, ca: ca.cert }, recorder(), {
      scan, board: { ...base, message: { splitAbove: 1 << 20 } },
    }));
    assert.equal(r.status, "sent", r.message);
    assert.ok(r.parts.total >= 3, `split into ${r.parts.total}`);
    assert.equal(read(), bytes.length, `read ${read()} bytes for a ${bytes.length}-byte scan in ${r.parts.total} parts`);
    assert.equal(sha(await attachmentBytes(srv)), sha(bytes), "the parts put together are the scan");
  } finally {
    await srv.close();
  }
});
