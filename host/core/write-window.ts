// At most one write in flight between the MIME writer's output and a sink (the socket, or a
// test's collector). The writer encodes the next batch while the sink still writes the previous
// one: awaiting each write before encoding more left the client idle whenever the socket was
// full (bench/: half the wall time of a 50 MiB send). The writer hands out two alternating
// buffers (MimeWriter.reuseOutput), so a batch's buffer is free again once the write after it
// has started — which push() guarantees by awaiting the previous write first.
import type { OutputWriter } from "./mime-types.js";

export class WriteWindow {
  private inFlight: Promise<void> | null = null;

  /** `overlap` false: every push waits for its own write (a sink that keeps the bytes). */
  constructor(private readonly sink: OutputWriter, private readonly overlap = true) {}

  /** Wait for the write in flight, then start this one. */
  async push(bytes: Uint8Array): Promise<void> {
    await this.settle();
    const p = Promise.resolve(this.sink(bytes));
    if (!this.overlap) return p;
    p.catch(() => {}); // rethrown by the next settle(); never an unhandled rejection
    this.inFlight = p;
  }

  /** Wait for the write in flight (its error, if any, surfaces here). */
  async settle(): Promise<void> {
    const p = this.inFlight;
    this.inFlight = null;
    if (p) await p;
  }

  /** After a failure part-way: wait for the write in flight, ignoring its error, so none is
   *  left behind for the next message. */
  async abandon(): Promise<void> {
    await this.settle().catch(() => {});
  }
}
