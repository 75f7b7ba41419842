// A scan source: what the scanner (or a file) hands the session. The bytes are pulled as an
// async iterable of chunks so a 200 MiB scan never sits whole in host memory; the total size is
// known up front because SMTP's SIZE parameter (RFC 1870) and the split plan need it before the
// first body byte is written.

export interface ScanSource {
  /** File name for the attachment (Content-Disposition filename). */
  readonly fileName: string;
  /** MIME type of the attachment, e.g. application/pdf. */
  readonly mimeType: string;
  /** Exact number of bytes chunks() yields. */
  readonly size: number;
  /**
   * Byte offsets where each page ends (cumulative, strictly increasing, last = size), when the
   * source knows its pages; the MIME split plan cuts messages only at these offsets.
   */
  readonly pageEnds?: readonly number[];
  /** True when chunks() may be called again and yields the same bytes (retry, split mail). */
  readonly replayable: boolean;
  /** The bytes, in order. A chunk is valid until the consumer asks for the next one. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Bytes [start, end) only, read from their offset (a split message's part); sources that
   *  cannot seek leave it out and a part is cut from chunks(). */
  chunksFrom?(start: number, end: number): AsyncIterable<Uint8Array>;
}

/** A scan source problem the user can act on (missing file, short stream, …). */
export class ScanError extends Error {
  constructor(
    readonly code: "SCAN_FILE_MISSING" | "SCAN_FILE_UNREADABLE" | "SCAN_SHORT" | "SCAN_LONG" | "SCAN_BAD_OPTIONS",
    message: string,
  ) {
    super(message);
    this.name = "ScanError";
  }
}

/** MIME type from a file name's extension; application/octet-stream when unknown. */
export function mimeTypeFor(fileName: string): string {
  const ext = fileName.toLowerCase().split(".").pop() ?? "";
  const table: Record<string, string> = {
    pdf: "application/pdf",
    tif: "image/tiff",
    tiff: "image/tiff",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    png: "image/png",
    txt: "text/plain",
    xps: "application/vnd.ms-xpsdocument",
  };
  return table[ext] ?? "application/octet-stream";
}
