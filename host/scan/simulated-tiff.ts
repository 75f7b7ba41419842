// Multi-page TIFF from the simulated scanner (TIFF 6.0 baseline: little-endian, one uncompressed
// 8-bit greyscale strip per page, one IFD per page chained by "next IFD" offsets). Many MFPs
// offer TIFF for archive scans. Like the PDF, the size is exact and known up front: each page is
// its IFD, its pixel strip, and a few unreferenced padding bytes (TIFF 6.0 §2 allows gaps).
import { ScanError, type ScanSource } from "./types.js";
import { defaultScanName, fillNoise, type SimulatedScanOptions } from "./simulated-pdf.js";

/** The same knobs as the PDF scan (total size, rate, chunk size, seed, name, date, onPage). */
export type SimulatedTiffOptions = SimulatedScanOptions;

const HEADER = 8;
const ENTRIES = 12;
const IFD = 2 + ENTRIES * 12 + 4; // 150
const RATIONALS = 16;             // X and Y resolution, 2 × (num, den)
const PAGE_OVERHEAD = IFD + RATIONALS;
const WIDTH = 1000;

export function minimumTiffSize(pages: number): number {
  return HEADER + pages * (PAGE_OVERHEAD + 2); // at least a 1×1 page (+1 pad for alignment)
}

interface Page { ifdAt: number; width: number; height: number; pad: number; dataAt: number; end: number }

function plan(pages: number, total: number): Page[] {
  const extra = total - HEADER - pages * PAGE_OVERHEAD;
  const out: Page[] = [];
  let pos = HEADER;
  for (let i = 0; i < pages; i++) {
    let share = Math.floor(extra / pages) + (i < extra % pages ? 1 : 0);
    // IFDs start on a word boundary (TIFF 6.0 §2): keep every page but the last even-sized.
    if (i < pages - 1 && share % 2 === 1) share -= 1;
    if (i === pages - 1) share = total - pos - PAGE_OVERHEAD;
    const width = Math.max(1, Math.min(WIDTH, share - 1));
    const height = Math.max(1, Math.floor((share - 1) / width));
    out.push({ ifdAt: pos, width, height, pad: share - width * height, dataAt: pos + PAGE_OVERHEAD, end: pos + PAGE_OVERHEAD + share });
    pos += PAGE_OVERHEAD + share;
  }
  return out;
}

function ifdBytes(p: Page, next: number): Buffer {
  const b = Buffer.alloc(PAGE_OVERHEAD);
  b.writeUInt16LE(ENTRIES, 0);
  let o = 2;
  const entry = (tag: number, type: number, value: number) => {
    b.writeUInt16LE(tag, o); b.writeUInt16LE(type, o + 2); b.writeUInt32LE(1, o + 4);
    if (type === 3) b.writeUInt16LE(value, o + 8); else b.writeUInt32LE(value, o + 8);
    o += 12;
  };
  const SHORT = 3, LONG = 4, RATIONAL = 5;
  const rat = p.ifdAt + IFD;
  entry(256, LONG, p.width);         // ImageWidth
  entry(257, LONG, p.height);        // ImageLength
  entry(258, SHORT, 8);              // BitsPerSample
  entry(259, SHORT, 1);              // Compression: none
  entry(262, SHORT, 1);              // PhotometricInterpretation: BlackIsZero
  entry(273, LONG, p.dataAt);        // StripOffsets
  entry(277, SHORT, 1);              // SamplesPerPixel
  entry(278, LONG, p.height);        // RowsPerStrip: one strip
  entry(279, LONG, p.width * p.height); // StripByteCounts
  entry(282, RATIONAL, rat);         // XResolution → 300/1
  entry(283, RATIONAL, rat + 8);     // YResolution → 300/1
  entry(296, SHORT, 2);              // ResolutionUnit: inch
  b.writeUInt32LE(next, o);
  b.writeUInt32LE(300, IFD); b.writeUInt32LE(1, IFD + 4);
  b.writeUInt32LE(300, IFD + 8); b.writeUInt32LE(1, IFD + 12);
  return b;
}

export function simulatedTiff(options: SimulatedTiffOptions): ScanSource {
  const pages = options.pages;
  if (!Number.isInteger(pages) || pages < 1 || pages > 10000) throw new ScanError("SCAN_BAD_OPTIONS", `page count must be 1…10000, got ${pages}`);
  const min = minimumTiffSize(pages);
  const total = options.bytes ?? HEADER + pages * (PAGE_OVERHEAD + 200 * 1024);
  if (!Number.isInteger(total) || total < min) throw new ScanError("SCAN_BAD_OPTIONS", `a ${pages}-page simulated TIFF needs at least ${min} bytes`);
  if (total > 0xffffffff) throw new ScanError("SCAN_BAD_OPTIONS", "a TIFF cannot exceed 4 GiB");
  const layout = plan(pages, total);
  const seed = (options.seed ?? 0x71ff) >>> 0 || 1;
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const date = options.date ?? new Date();
  return {
    fileName: options.fileName ?? defaultScanName(date, "tif"),
    mimeType: "image/tiff",
    size: total,
    pageEnds: layout.map((p) => p.end),
    replayable: true,
    async *chunks() {
      const t0 = Date.now();
      let produced = 0;
      const scratch = new Uint32Array((chunkSize >>> 2) + 1);
      const pace = async () => {
        const rate = options.rateBytesPerSec;
        if (!rate) return;
        const wait = t0 + (produced / rate) * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      };
      const head = Buffer.alloc(HEADER);
      head.write("II", 0, "latin1");
      head.writeUInt16LE(42, 2);
      head.writeUInt32LE(layout[0]!.ifdAt, 4);
      produced += HEADER;
      yield head;
      for (let i = 0; i < layout.length; i++) {
        const p = layout[i]!;
        const ifd = ifdBytes(p, i + 1 < layout.length ? layout[i + 1]!.ifdAt : 0);
        produced += ifd.length;
        yield ifd;
        const state = { s: (seed ^ Math.imul(0x9e3779b9, i + 1)) >>> 0 || 1 };
        let left = p.width * p.height + p.pad;
        let row = 0;
        while (left > 0) {
          const n = Math.min(chunkSize, left);
          const buf = Buffer.allocUnsafe(n);
          fillNoise(buf, state, scratch);
          // A white header band with a black bar on every page, so a viewer shows a "document".
          const bandEnd = Math.min(p.height, 40) * p.width;
          for (let k = 0; k < n && row + k < bandEnd; k++) buf[k] = (row + k) % p.width < p.width / 3 && (row + k) >= 15 * p.width ? 0 : 255;
          row += n;
          left -= n;
          produced += n;
          yield buf;
          await pace();
        }
        options.onPage?.(i + 1, pages);
      }
    },
  };
}
