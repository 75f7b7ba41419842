// Pull-style reads and back-pressured writes over a node Duplex (a net.Socket or a TLSSocket).
//
// Reads: the stream is paused whenever nobody is waiting in read(), so at most one chunk sits in
// the queue and the rest stays in the kernel's receive window — the server is slowed by TCP flow
// control instead of the host buffering without bound.
// Writes: resolve when the stream's write callback says the bytes left its buffer — the caller
// never queues more than one write ahead of the wire, and may reuse the buffer afterwards.
import type { Duplex } from "node:stream";

type Waiter = { resolve: (c: Uint8Array | null) => void; reject: (e: Error) => void };

export class DuplexIo {
  private queue: Buffer[] = [];
  private waiter: Waiter | null = null;
  private ended = false;
  private failure: Error | null = null;
  private detached = false;

  constructor(
    private readonly stream: Duplex,
    /** Turns a stream error into the error read()/write() reject with. */
    private readonly mapError: (e: Error) => Error,
    /** Error for a stream that closed without 'end' (reset/abort). */
    private readonly closedError: () => Error,
  ) {
    stream.on("data", this.onData);
    stream.on("end", this.onEnd);
    stream.on("error", this.onError);
    stream.on("close", this.onClose);
    stream.pause();
  }

  private onData = (chunk: Buffer): void => {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      this.stream.pause();
      w.resolve(chunk);
    } else {
      this.queue.push(chunk);
      this.stream.pause();
    }
  };

  private onEnd = (): void => {
    this.ended = true;
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(null);
  };

  private onError = (e: Error): void => {
    if (!this.failure) this.failure = this.mapError(e);
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
  };

  private onClose = (): void => {
    if (!this.ended && !this.failure) this.failure = this.closedError();
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      if (this.ended) w.resolve(null);
      else w.reject(this.failure!);
    }
  };

  read(): Promise<Uint8Array | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended || this.detached) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error("DuplexIo: concurrent read()"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.stream.resume();
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const s = this.stream;
    if (s.destroyed || s.writableEnded) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (e: Error | null): void => {
        if (done) return;
        done = true;
        s.off("close", onClose);
        s.off("error", onErr);
        if (e) reject(e);
        else resolve();
      };
      const onClose = (): void => finish(this.failure ?? this.closedError());
      const onErr = (e: Error): void => finish(this.mapError(e));
      s.on("error", onErr);
      s.on("close", onClose);
      // Resolve when the stream is done with these bytes (its write callback: handed to the
      // kernel, or to TLS which copied them), not merely queued: the caller may then reuse the
      // buffer, so a long body is sent from a few reused buffers instead of one fresh copy per
      // chunk — garbage that held RSS tens of MiB above the steady state (bench/: 50 MiB scan).
      // A full socket delays the callback the same way 'drain' did: back-pressure is kept.
      s.write(bytes, (err) => finish(err ? this.mapError(err) : null));
    });
  }

  /**
   * Stop reading and hand the stream over (STARTTLS). Returns how many already-received bytes
   * were thrown away: the queued chunk(s) and anything in the stream's own readable buffer.
   */
  detach(): number {
    this.detached = true;
    const s = this.stream;
    s.off("data", this.onData);
    s.off("end", this.onEnd);
    s.off("error", this.onError);
    s.off("close", this.onClose);
    s.pause();
    let discarded = 0;
    for (const c of this.queue) discarded += c.length;
    this.queue = [];
    let c: Buffer | null;
    while (s.readableLength > 0 && (c = s.read() as Buffer | null) !== null) discarded += c.length;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(new Error("DuplexIo: detached while a read was pending"));
    return discarded;
  }

  get failed(): Error | null {
    return this.failure;
  }
}
