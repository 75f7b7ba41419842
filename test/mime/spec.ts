// Shared message specs for the MIME tests.
import { randomBytes } from "node:crypto";
import type { AttachmentSpec, MessageSpec } from "../../host/core/mime.js";

/** Deterministic-length random chunking of a buffer: fixed size, or "random" (1..70000). */
export function chunked(data: Uint8Array, size: number | "random"): () => Iterable<Uint8Array> {
  return function* () {
    for (let i = 0; i < data.length; ) {
      const n = size === "random" ? 1 + Math.floor(Math.random() * 70000) : size;
      yield data.subarray(i, i + n);
      i += n;
    }
  };
}

export function attachment(data: Uint8Array, filename: string, chunk: number | "random" = 4096,
  type: AttachmentSpec["type"] = "application/pdf"): AttachmentSpec {
  return { filename, type, size: data.length, source: chunked(data, chunk) };
}

export function baseSpec(over: Partial<MessageSpec> = {}): MessageSpec {
  return {
    from: { name: "Scanner 3F", address: "mfp@example.com" },
    to: [{ name: "Ann", address: "ann@example.com" }],
    subject: "Scan",
    date: "Mon, 23 Nov 2026 11:00:00 +0000",
    messageId: "<t1@example.com>",
    text: "Scanned document attached.\n",
    attachments: [attachment(randomBytes(1000), "scan.pdf")],
    ...over,
  };
}
