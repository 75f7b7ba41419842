// Scan source backed by a readable stream (a scanner driver's pipe). The size must be declared
// by the producer; a stream that delivers fewer or more bytes is an error, because the SIZE we
// announced (RFC 1870) and the BDAT lengths (RFC 3030) would then be lies.
import type { Readable } from "node:stream";
import { ScanError, mimeTypeFor, type ScanSource } from "./types.js";

export interface StreamSourceOptions {
  fileName: string;
  size: number;
  mimeType?: string;
  pageEnds?: number[];
}

export function streamSource(stream: Readable | AsyncIterable<Uint8Array>, options: StreamSourceOptions): ScanSource {
  let used = false;
  return {
    fileName: options.fileName,
    mimeType: options.mimeType ?? mimeTypeFor(options.fileName),
    size: options.size,
    pageEnds: options.pageEnds,
    replayable: false,
    async *chunks() {
      if (used) throw new ScanError("SCAN_BAD_OPTIONS", "a stream scan source can be read only once");
      used = true;
      let done = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        done += bytes.length;
        if (done > options.size) throw new ScanError("SCAN_LONG", `scan stream sent more than the declared ${options.size} bytes`);
        yield bytes;
      }
      if (done < options.size) throw new ScanError("SCAN_SHORT", `scan stream ended after ${done} of ${options.size} bytes`);
    },
  };
}
