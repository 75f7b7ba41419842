// Scan sources: the simulated scanner's PDF is structurally valid (every xref offset points at
// its object, qpdf --check passes when installed), exactly the requested size, deterministic,
// paced at the requested rate, with page ends inside the file; file and stream sources report
// missing files and short streams as ScanErrors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { simulatedScan, minimumSize, fileSource, streamSource, ScanError } from "../../host/scan/index.js";

async function all(src: { chunks(): AsyncIterable<Uint8Array> }): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src.chunks()) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Check the PDF's skeleton: header, xref table whose offsets each start "n 0 obj", trailer. */
function checkPdf(b: Buffer, pages: number): void {
  const text = b.toString("latin1");
  assert.ok(text.startsWith("%PDF-1.4\n"));
  assert.ok(text.endsWith("%%EOF\n"));
  const sx = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  assert.ok(sx, "startxref");
  const xrefAt = Number(sx[1]);
  assert.equal(text.slice(xrefAt, xrefAt + 5), "xref\n");
  const head = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt))!;
  const count = Number(head[1]);
  assert.equal(count, 5 + 4 * pages);
  let p = xrefAt + head[0].length + 20; // skip the free entry
  for (let n = 1; n < count; n++, p += 20) {
    const off = Number(text.slice(p, p + 10));
    assert.equal(text.slice(off, off + `${n} 0 obj`.length), `${n} 0 obj`, `object ${n} at ${off}`);
  }
  assert.equal((text.match(/\/Type \/Page /g) ?? []).length, pages);
  // every stream's /Length matches the bytes between "stream\n" and "\nendstream" (or "endstream")
  const re = /\/Length (\d+) >>\nstream\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = start + Number(m[1]);
    assert.ok(text.startsWith("endstream", end) || text.startsWith("\nendstream", end), `stream at ${start}`);
  }
}

test("simulated scan: valid PDF, exact size, page ends, deterministic", async () => {
  for (const [pages, bytes] of [[1, undefined], [3, 1_000_000], [12, 2_345_678], [2, minimumSize(2)]] as const) {
    const scan = simulatedScan({ pages, ...(bytes ? { bytes } : {}), seed: 5, chunkSize: 10_000, date: new Date(0) });
    const b = await all(scan);
    assert.equal(b.length, scan.size);
    if (bytes) assert.equal(scan.size, bytes);
    checkPdf(b, pages);
    assert.equal(scan.pageEnds!.length, pages);
    assert.equal(scan.pageEnds!.at(-1), scan.size);
    for (let i = 1; i < pages; i++) assert.ok(scan.pageEnds![i]! > scan.pageEnds![i - 1]!);
    assert.ok((await all(scan)).equals(b), "replay yields the same bytes");
  }
  await assert.rejects(async () => simulatedScan({ pages: 3, bytes: 10 }), ScanError);
  assert.throws(() => simulatedScan({ pages: 0 }), ScanError);
});

test("simulated scan: qpdf --check accepts it (when qpdf is installed)", { skip: spawnSync("qpdf", ["--version"]).status === 0 ? false : "qpdf not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfp-scan-"));
  try {
    const f = join(dir, "scan.pdf");
    writeFileSync(f, await all(simulatedScan({ pages: 4, bytes: 500_000 })));
    const r = spawnSync("qpdf", ["--check", f], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No syntax or stream encoding errors/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("simulated scan: the filler is incompressible and the rate is honoured", async () => {
  const { deflateSync } = await import("node:zlib");
  const b = await all(simulatedScan({ pages: 1, bytes: 400_000 }));
  assert.ok(deflateSync(b).length > 0.98 * b.length, "noise does not compress");
  const pagesSeen: number[] = [];
  const t0 = Date.now();
  await all(simulatedScan({ pages: 4, bytes: 200_000, rateBytesPerSec: 500_000, chunkSize: 16_384, onPage: (p) => pagesSeen.push(p) }));
  const ms = Date.now() - t0;
  assert.ok(ms >= 350, `200 kB at 500 kB/s took ${ms} ms`);
  assert.deepEqual(pagesSeen, [1, 2, 3, 4]);
});

test("file source: bytes, name, type; a missing file is SCAN_FILE_MISSING", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfp-scan-"));
  try {
    const f = join(dir, "Invoice.TIFF");
    const data = Buffer.from(Array.from({ length: 150_000 }, (_, i) => i % 251));
    writeFileSync(f, data);
    const s = await fileSource(f, { chunkSize: 4096 });
    assert.equal(s.fileName, "Invoice.TIFF");
    assert.equal(s.mimeType, "image/tiff");
    assert.equal(s.size, data.length);
    assert.ok((await all(s)).equals(data));
    await assert.rejects(fileSource(join(dir, "nope.pdf")), (e: ScanError) => e.code === "SCAN_FILE_MISSING");
    await assert.rejects(fileSource(dir), (e: ScanError) => e.code === "SCAN_FILE_UNREADABLE");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stream source: declared size enforced both ways; read once", async () => {
  const ok = streamSource(Readable.from([Buffer.from("abc"), Buffer.from("def")]), { fileName: "a.pdf", size: 6 });
  assert.equal((await all(ok)).toString(), "abcdef");
  await assert.rejects(all(ok), ScanError);
  const short = streamSource(Readable.from([Buffer.from("abc")]), { fileName: "a.pdf", size: 6 });
  await assert.rejects(all(short), (e: ScanError) => e.code === "SCAN_SHORT");
  const long = streamSource(Readable.from([Buffer.from("abcdefg")]), { fileName: "a.pdf", size: 6 });
  await assert.rejects(all(long), (e: ScanError) => e.code === "SCAN_LONG");
});

/** Walk the TIFF's IFD chain: header, one IFD per page, strips inside the file. */
function checkTiff(b: Buffer, pages: number): void {
  assert.equal(b.toString("latin1", 0, 2), "II");
  assert.equal(b.readUInt16LE(2), 42);
  let at = b.readUInt32LE(4);
  let n = 0;
  while (at !== 0) {
    assert.equal(at % 2, 0, "IFD on a word boundary");
    const count = b.readUInt16LE(at);
    const tags = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const e = at + 2 + i * 12;
      const type = b.readUInt16LE(e + 2);
      tags.set(b.readUInt16LE(e), type === 3 ? b.readUInt16LE(e + 8) : b.readUInt32LE(e + 8));
    }
    const w = tags.get(256)!, h = tags.get(257)!, off = tags.get(273)!, len = tags.get(279)!;
    assert.equal(len, w * h);
    assert.ok(off + len <= b.length, "strip inside the file");
    assert.equal(tags.get(258), 8);
    assert.equal(tags.get(259), 1);
    at = b.readUInt32LE(at + 2 + count * 12);
    n++;
    assert.ok(n <= pages);
  }
  assert.equal(n, pages);
}

const TIFF_CASES = [[1, 50_000], [4, 1_000_001], [9, 3_333_333]] as const;

test("simulated TIFF: one IFD per page, exact size, page ends", async () => {
  const { simulatedTiff } = await import("../../host/scan/index.js");
  for (const [pages, bytes] of TIFF_CASES) {
    const s = simulatedTiff({ pages, bytes, chunkSize: 7_000 });
    const b = await all(s);
    assert.equal(b.length, bytes);
    assert.equal(s.mimeType, "image/tiff");
    assert.match(s.fileName, /\.tif$/);
    assert.equal(s.pageEnds!.length, pages);
    assert.equal(s.pageEnds!.at(-1), bytes);
    checkTiff(b, pages);
    assert.ok((await all(s)).equals(b));
  }
});

const noTiffinfo = spawnSync("tiffinfo", ["-h"]).error === undefined ? false : "tiffinfo not installed (Debian: libtiff-tools)";
test("simulated TIFF: tiffinfo reads every page", { skip: noTiffinfo }, async () => {
  const { simulatedTiff } = await import("../../host/scan/index.js");
  for (const [pages, bytes] of TIFF_CASES) {
    const b = await all(simulatedTiff({ pages, bytes, chunkSize: 7_000 }));
    const dir = mkdtempSync(join(tmpdir(), "mfp-tiff-"));
    try {
      writeFileSync(join(dir, "s.tif"), b);
      const r = spawnSync("tiffinfo", ["-D", join(dir, "s.tif")], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal((r.stdout.match(/TIFF Directory at offset/g) ?? []).length, pages);
      assert.doesNotMatch(r.stderr, /error|warning/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
