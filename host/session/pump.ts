// The driver's pump: the only code that moves bytes between the core and the connection, and
// the one place events leave the core. flush() writes what the core queued; read() takes one
// chunk from the server and feeds it in; next() drains the events, the ones put aside while a
// body streamed first. Round trips are counted here: a read that follows a write is one.
import type { Core, CoreEvent } from "../core/core.js";
import { TransportError, type Transport } from "../transport/types.js";
import { say } from "../text/outcomes.js";

/** Repeats of a busy core call before the pump gives up (no hang). */
const BUSY_LIMIT = 10_000;

export class Pump {
  roundTrips = 0;
  private wroteSinceRead = false;
  private readonly deferred: CoreEvent[] = [];

  constructor(private readonly core: Core, private readonly tr: Transport) {}

  /** Write every byte the core wants on the wire. */
  async flush(): Promise<void> {
    const out = this.core.takeOut();
    if (out.length) await this.write(out);
  }

  /** Bytes that bypass the core's output buffer (the encoded body). */
  async write(bytes: Uint8Array): Promise<void> {
    await this.tr.write(bytes);
    this.wroteSinceRead = true;
  }

  /** Flush, then feed the server's next chunk to the core; false at the end of the stream. */
  async read(): Promise<boolean> {
    await this.flush();
    if (this.wroteSinceRead) { this.roundTrips++; this.wroteSinceRead = false; }
    const chunk = await this.tr.read();
    if (chunk === null) return false;
    this.core.feed(chunk);
    return true;
  }

  /** Like read(), but the end of the stream is a lost connection. */
  async readOrFail(message: string): Promise<void> {
    if (!(await this.read())) throw new TransportError("CONNECTION_RESET", message, true);
  }

  /** The next event: the ones put aside first, then the core's. */
  next(): CoreEvent | null {
    return this.deferred.shift() ?? this.core.nextEvent();
  }

  /** Keep an event for after the body (it needs the driver's full attention). */
  defer(ev: CoreEvent): void {
    this.deferred.push(ev);
  }

  /**
   * Call `f` until the core stops answering busy (-1): flush after each try and, when there is
   * nothing to write, read — the core waits for replies (BDAT without PIPELINING).
   */
  async untilNotBusy(f: () => number): Promise<number> {
    for (let i = 0; i < BUSY_LIMIT; i++) {
      const rc = f();
      if (rc !== -1) return rc;
      await this.flush();
      if (this.core.outLen() === 0 && i > 0) await this.readOrFail(say("DETAIL:CLOSED"));
    }
    throw new Error("the core stayed busy");
  }
}
