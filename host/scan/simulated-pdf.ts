// The simulated scanner: produces a valid multi-page PDF (PDF 1.4, ISO 32000-1 structure:
// header, objects, cross-reference table, trailer) page by page at a configurable rate, the way
// an MFP's scan engine fills its buffer. Each page carries real text and vector drawing plus a
// greyscale "scanned image" of incompressible noise, so the requested size is honest: a 20 MiB
// scan is 20 MiB on the wire (before base64) and cannot be shrunk by any transfer encoding.
//
// Every number that depends on the requested size (stream /Length, image /Height, xref offsets)
// is written with a fixed width (leading zeros are valid PDF integers, §7.3.3), so the byte
// layout, page boundaries and total size are computed before a single byte is produced.
import { ScanError, type ScanSource } from "./types.js";

export interface SimulatedScanOptions {
  pages: number;
  /** Total PDF size in bytes; at least minimumSize(pages). Default 200 KiB per page. */
  bytes?: number;
  /** Production rate in bytes per second (the scan engine's speed); default unlimited. */
  rateBytesPerSec?: number;
  /** Chunk size handed to the consumer (default 64 KiB). */
  chunkSize?: number;
  /** PRNG seed for the noise; the same seed gives the same bytes (replayable). */
  seed?: number;
  fileName?: string;
  /** Fixed creation time (the PDF carries it); default now. */
  date?: Date;
  /** Called when page n (1-based) has been fully produced. */
  onPage?: (page: number, pages: number) => void;
}

const IMAGE_WIDTH = 1000; // greyscale pixels per image row, one byte each
const NUM_WIDTH = 10;

type Segment = { lit: Buffer } | { noise: number; seed: number };

function pad(n: number): string {
  return String(n).padStart(NUM_WIDTH, "0");
}

function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** Default attachment name, the way MFP panels name scans: Scan_2026-11-23_1042.pdf */
export function defaultScanName(d: Date = new Date(), ext = "pdf"): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `Scan_${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}.${ext}`;
}

function pageContent(page: number, pages: number, stamp: string): Buffer {
  // A5-ish drawing on A4 (595×842 pt): a frame, a header band, ruled lines, a circle (four
  // Bézier arcs), text, and the noise image placed where a photo would be.
  const k = 0.5523 * 60;
  const lines: string[] = [
    "0.2 0.3 0.6 RG 2 w 40 40 515 762 re S",
    "0.85 0.9 1 rg 40 742 515 60 re f",
    "BT /F1 22 Tf 0 0 0 rg 60 762 Td (Simulated scan) Tj ET",
    `BT /F1 12 Tf 60 712 Td (Page ${page} of ${pages}) Tj 0 -16 Td (mfp-mail simulated scanner, ${stamp}) Tj ET`,
    "0.6 g 0.5 w",
  ];
  for (let y = 660; y > 440; y -= 20) lines.push(`60 ${y} m 535 ${y} l S`);
  lines.push(
    "0.8 0.2 0.2 RG 1.5 w",
    `420 560 m 420 ${(560 + k).toFixed(2)} ${(480 - 60 + k + 60 - k).toFixed(2)} 620 480 620 c`,
    `${(480 - k).toFixed(2)} 620 360 ${(560 + k).toFixed(2)} 360 560 c`,
    `360 ${(560 - k).toFixed(2)} ${(480 - k).toFixed(2)} 500 480 500 c`,
    `${(480 + k).toFixed(2)} 500 420 ${(560 - k).toFixed(2)} 420 560 c S`,
    "q 475 0 0 340 60 80 cm /Im1 Do Q",
  );
  return Buffer.from(lines.join("\n") + "\n", "latin1");
}

interface Layout {
  segments: Segment[];
  size: number;
  pageEnds: number[];
}

function layout(pages: number, imageBytes: number[], seed: number, date: Date): Layout {
  const segments: Segment[] = [];
  const offsets: number[] = [0]; // object number → byte offset (index 0 unused)
  let pos = 0;
  const lit = (s: string | Buffer) => {
    const b = typeof s === "string" ? Buffer.from(s, "latin1") : s;
    segments.push({ lit: b });
    pos += b.length;
  };
  const obj = (num: number, body: string) => {
    offsets[num] = pos;
    lit(`${num} 0 obj\n${body}\nendobj\n`);
  };
  const stamp = date.toISOString().slice(0, 16).replace("T", " ");
  // Binary marker line after the header tells transfer agents the file is binary (§7.5.2).
  lit("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  const pageObj = (i: number) => 5 + 4 * i;
  const kids = Array.from({ length: pages }, (_, i) => `${pageObj(i)} 0 R`).join(" ");
  obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
  obj(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  obj(4, `<< /Producer (mfp-mail simulated scanner) /Title (Simulated scan, ${pages} pages) /CreationDate (${pdfDate(date)}) >>`);
  const pageEnds: number[] = [];
  for (let i = 0; i < pages; i++) {
    const n = pageObj(i);
    const content = pageContent(i + 1, pages, stamp);
    obj(n, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${n + 1} 0 R ` +
      `/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 ${n + 2} 0 R >> >> >>`);
    offsets[n + 1] = pos;
    lit(`${n + 1} 0 obj\n<< /Length ${content.length} >>\nstream\n`);
    lit(content);
    lit("endstream\nendobj\n");
    // The image: width × height greyscale bytes; the remainder (< one row) goes into an
    // unreferenced padding stream so the total is exact.
    const share = imageBytes[i];
    const width = Math.max(1, Math.min(IMAGE_WIDTH, share));
    const height = Math.max(1, Math.floor(share / width));
    const img = share === 0 ? 0 : width * height;
    const rest = share - img;
    offsets[n + 2] = pos;
    lit(`${n + 2} 0 obj\n<< /Type /XObject /Subtype /Image /Width ${pad(share === 0 ? 1 : width)} /Height ${pad(height)} ` +
      `/ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pad(share === 0 ? 1 : img)} >>\nstream\n`);
    if (share === 0) lit(Buffer.from([0x80]));
    else { segments.push({ noise: img, seed: (seed ^ (0x9e3779b9 * (i + 1))) >>> 0 }); pos += img; }
    lit("\nendstream\nendobj\n");
    offsets[n + 3] = pos;
    lit(`${n + 3} 0 obj\n<< /Length ${pad(rest)} >>\nstream\n`);
    if (rest > 0) { segments.push({ noise: rest, seed: (seed ^ (0x85ebca6b * (i + 1))) >>> 0 }); pos += rest; }
    lit("\nendstream\nendobj\n");
    if (i < pages - 1) pageEnds.push(pos);
  }
  const count = 5 + 4 * pages;
  const xrefAt = pos;
  let xref = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let k = 1; k < count; k++) xref += `${pad(offsets[k])} 00000 n \n`;
  lit(xref);
  lit(`trailer\n<< /Size ${count} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${pad(xrefAt)}\n%%EOF\n`);
  pageEnds.push(pos);
  return { segments, size: pos, pageEnds };
}

/** Smallest PDF the simulated scanner can make for this many pages (no image bytes). */
export function minimumSize(pages: number): number {
  return layout(pages, new Array(pages).fill(0), 1, new Date(0)).size;
}

/** xorshift32 noise: fast, deterministic, incompressible enough for any transfer encoding. */
export function fillNoise(dst: Uint8Array, state: { s: number }, scratch: Uint32Array): void {
  // Generate whole words into an aligned scratch buffer, then copy (dst may be unaligned).
  let s = state.s | 0;
  const words = (dst.length + 3) >>> 2;
  for (let i = 0; i < words; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    scratch[i] = s;
  }
  dst.set(new Uint8Array(scratch.buffer, 0, dst.length));
  state.s = s;
}

export function simulatedScan(options: SimulatedScanOptions): ScanSource {
  const pages = options.pages;
  if (!Number.isInteger(pages) || pages < 1 || pages > 10000) {
    throw new ScanError("SCAN_BAD_OPTIONS", `page count must be 1…10000, got ${pages}`);
  }
  const date = options.date ?? new Date();
  const seed = (options.seed ?? 0x5ca11ed) >>> 0 || 1;
  const min = minimumSize(pages);
  const target = options.bytes ?? min + pages * 200 * 1024;
  if (!Number.isInteger(target) || target < min) {
    throw new ScanError("SCAN_BAD_OPTIONS", `a ${pages}-page simulated scan needs at least ${min} bytes`);
  }
  // Only the image bytes vary with the size: spread them evenly over the pages.
  const extra = target - min;
  const imageBytes = Array.from({ length: pages }, (_, i) => Math.floor(extra / pages) + (i < extra % pages ? 1 : 0));
  // The minimum layout carries a 1-byte placeholder image per page, so an image of s > 0 bytes
  // adds exactly s − 1 bytes over it: give each page its share + 1.
  const plan = layout(pages, imageBytes.map((b) => (b > 0 ? b + 1 : 0)), seed, date);
  if (plan.size !== target) throw new ScanError("SCAN_BAD_OPTIONS", `cannot lay out exactly ${target} bytes`);
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const rate = options.rateBytesPerSec;
  const { segments, pageEnds } = plan;

  return {
    fileName: options.fileName ?? defaultScanName(date),
    mimeType: "application/pdf",
    size: plan.size,
    pageEnds,
    replayable: true,
    async *chunks() {
      const started = Date.now();
      let produced = 0;
      let page = 0;
      let out = Buffer.allocUnsafe(chunkSize);
      const scratch = new Uint32Array((chunkSize >>> 2) + 1);
      let used = 0;
      const flush = async function* (): AsyncGenerator<Uint8Array> {
        if (used === 0) return;
        const chunk = out.subarray(0, used);
        out = Buffer.allocUnsafe(chunkSize);
        used = 0;
        produced += chunk.length;
        yield chunk;
        while (page < pageEnds.length && produced >= pageEnds[page]) {
          page++;
          options.onPage?.(page, pages);
        }
        if (rate && rate > 0) {
          const due = started + (produced / rate) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      };
      for (const seg of segments) {
        if ("lit" in seg) {
          let off = 0;
          while (off < seg.lit.length) {
            const n = Math.min(chunkSize - used, seg.lit.length - off);
            seg.lit.copy(out, used, off, off + n);
            used += n; off += n;
            if (used === chunkSize) yield* flush();
          }
        } else {
          const state = { s: seg.seed || 1 };
          let left = seg.noise;
          while (left > 0) {
            // Same options → same call boundaries → same bytes (replays match).
            const n = Math.min(chunkSize - used, left);
            fillNoise(out.subarray(used, used + n), state, scratch);
            used += n; left -= n;
            if (used === chunkSize) yield* flush();
          }
        }
      }
      yield* flush();
    },
  };
}
