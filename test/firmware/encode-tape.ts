// A tape of the base64 encode path alone, for instruction counts per MiB: the MIME writer of a
// core with the arm-64mb board's buffers turns N MiB of deterministic pseudo-random scan bytes
// (in the board's scan chunks) into a base64 message, no SMTP session around it. Counting a
// 0 MiB and an N MiB tape and dividing the difference by N leaves only the per-MiB cost.
import { rmSync } from "node:fs";
import { Core } from "../../host/core/core.js";
import { resolveBoard } from "../../host/config/board.js";
import { MimeWriter, type MessageSpec } from "../../host/core/mime.js";
import { FileTape } from "../../host/tape/recorder.js";

export const ENCODE_BOARD = "arm-64mb";

/** LCG bytes: the same scan on every run, so counts compare across builds and engines. */
function* scanBytes(total: number, chunk: number): Generator<Uint8Array> {
  const buf = new Uint8Array(chunk);
  let s = 0x2545f491;
  for (let sent = 0; sent < total; sent += chunk) {
    for (let i = 0; i < chunk; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      buf[i] = s >>> 24;
    }
    yield total - sent >= chunk ? buf : buf.subarray(0, total - sent);
  }
}

export async function recordEncodeTape(path: string, mib: number): Promise<void> {
  rmSync(path, { force: true });
  const board = resolveBoard(ENCODE_BOARD);
  const target = new FileTape(path);
  const core = await Core.create(board.core, { tape: { target, origin: `encode ${mib} MiB base64, board ${ENCODE_BOARD}` } });
  const mime = new MimeWriter(core);
  mime.configure(4096);
  const total = mib * 1024 * 1024;
  const spec: MessageSpec = {
    from: { address: "scanner@example.com" },
    to: [{ address: "desk@example.com" }],
    subject: "Scan",
    date: "Mon, 23 Nov 2026 12:00:00 +0000",
    messageId: "<encode-tape@example.com>",
    text: "Scanned document attached.",
    attachments: [{ filename: "scan.pdf", type: "application/pdf", size: total, source: () => scanBytes(total, board.scan.chunkMax) }],
  };
  await mime.write(spec, { boundaryRandom: "encodeTapeBoundary0123456789" }, () => {});
  target.flush();
}
