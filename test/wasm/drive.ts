// A minimal plain-TCP driver for the compiled core, for tests only (the real I/O loop with TLS,
// timers and retries is host/session/driver.ts). It answers the core's events the simplest way and
// counts round trips: one per batch of server bytes after which the client had to write.
import net from "node:net";
import tls from "node:tls";
import { Core, type CoreEvent } from "../../host/core/core.js";

export interface DriveOptions {
  port: number;
  sizes?: { inCap: number; outCap: number; lineMax: number; eventTextCap: number };
  from: string;
  to: string[];
  body: Uint8Array;
  bodyMode?: number; // BodyMode*; default 7-bit DATA
  configure?: (core: Core) => void;
  accessToken?: string;
  /** Send QUIT in the same write as the end of the message (PIPELINING). */
  quitWithBody?: boolean;
  /** Hand the server's bytes to the core in pieces of this many bytes (default: as read). */
  feedStep?: number;
  /** STARTTLS: the CA that signed the server's certificate, and the name to check. */
  tls?: { ca: string; servername: string };
  timeoutMs?: number;
}

export interface DriveResult {
  events: CoreEvent[];
  wire: string;        // everything the client wrote, latin1
  roundTrips: number;  // server-data batches that made the client write
  writes: number;
  state: string;
  memoryBefore: number;
  memoryAfter: number;
  core: Core;
}

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const core = await Core.create(o.sizes ?? { inCap: 4096, outCap: 16384, lineMax: 1024, eventTextCap: 512 });
  const k = core.k;
  core.setString(k.FieldClientName, "mfp.test");
  core.setString(k.FieldMailFrom, o.from);
  for (const r of o.to) core.setString(k.FieldRcptTo, r);
  core.setInt(k.FieldTlsPolicy, k.TlsPolicyNone);
  o.configure?.(core);
  const memoryBefore = core.memoryBytes();
  const events: CoreEvent[] = [];
  const wire: Buffer[] = [];
  let roundTrips = 0;
  let writes = 0;
  let socket: net.Socket = net.connect({ host: "127.0.0.1", port: o.port });
  let tlsNeeded = false;
  const flush = (): number => {
    const out = core.takeOut();
    if (out.length) {
      socket.write(out);
      wire.push(Buffer.from(out));
      writes++;
    }
    return out.length;
  };
  let sentMessage = false;
  let bodyOff = 0;
  let bodyActive = false;
  // Write as much body as the core takes; without PIPELINING a BDAT chunk waits for its reply,
  // so this runs again after every batch of server bytes until the body and its end are out.
  const pumpBody = (): void => {
    for (let guard = 0; bodyActive && guard < 1_000_000; guard++) {
      if (bodyOff < o.body.length) {
        const n = core.bodyWrite(o.body.subarray(bodyOff));
        bodyOff += n;
        if (n === 0 && flush() === 0) return; // wait for the server
        continue;
      }
      const rc = core.bodyEnd();
      if (rc === k.StatusBusy) {
        if (flush() === 0) return;
        continue;
      }
      bodyActive = false;
      if (rc !== 0) throw new Error(`bodyEnd refused: ${core.nameOf("Reason", rc)}`);
      if (o.quitWithBody && core.quit() !== 0) throw new Error("pipelined QUIT refused");
    }
  };
  const handle = (e: CoreEvent): boolean => {
    events.push(e);
    if (e.kind === k.EventReadyForEnvelope && !sentMessage) {
      sentMessage = true;
      const rc = core.sendEnvelope(o.body.length, o.bodyMode ?? k.BodyMode7Bit);
      if (rc !== 0) throw new Error(`sendEnvelope refused: ${core.nameOf("Reason", rc)}`);
    } else if (e.kind === k.EventReadyForEnvelope && sentMessage) {
      core.quit();
    } else if (e.kind === k.EventNeedTlsUpgrade) {
      tlsNeeded = true;
    } else if (e.kind === k.EventNeedAccessToken) {
      core.accessToken(o.accessToken ?? "");
    } else if (e.kind === k.EventReadyForBody) {
      bodyOff = 0;
      bodyActive = true;
      pumpBody();
    } else if (e.kind === k.EventFailed) {
      if (core.quit() !== 0) return true;
    } else if (e.kind === k.EventClosed) return true;
    return false;
  };
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("drive: timeout")); }, o.timeoutMs ?? 10_000);
    const finish = () => { clearTimeout(timer); socket.end(); resolve(); };
    const fail = (err: unknown) => { clearTimeout(timer); socket.destroy(); reject(err); };
    const turn = (feedBytes: Buffer | null) => {
      const writesBefore = writes;
      if (feedBytes) {
        const step = o.feedStep ?? feedBytes.length;
        for (let off = 0; off < feedBytes.length; off += step) core.feed(feedBytes.subarray(off, off + step));
      }
      let end = false;
      for (let e = core.nextEvent(); e; e = core.nextEvent()) end = handle(e) || end;
      if (bodyActive && !end) {
        pumpBody();
        for (let e = core.nextEvent(); e; e = core.nextEvent()) end = handle(e) || end;
      }
      flush();
      if (writes > writesBefore) roundTrips++;
      if (end) finish();
      else if (tlsNeeded) startTls();
    };
    const onData = (chunk: Buffer) => {
      try { turn(chunk); } catch (err) { fail(err); }
    };
    // RFC 3207: the handshake runs on the same connection; the core sends EHLO again after it
    const startTls = () => {
      tlsNeeded = false;
      if (!o.tls) return fail(new Error("server asked for TLS but the test gave no CA"));
      const plainSocket = socket;
      plainSocket.removeListener("data", onData);
      const secure = tls.connect({ socket: plainSocket, servername: o.tls.servername, ca: o.tls.ca, minVersion: "TLSv1.2" });
      socket = secure;
      secure.on("error", fail);
      secure.on("data", onData);
      secure.once("secureConnect", () => {
        try {
          if (core.tlsUpgraded() !== 0) throw new Error("tlsUpgraded refused");
          turn(null);
        } catch (err) { fail(err); }
      });
    };
    socket.on("error", fail);
    socket.on("close", () => { clearTimeout(timer); resolve(); });
    socket.on("data", onData);
  });
  if (core.start() !== 0) throw new Error("start refused");
  await done;
  return {
    events, wire: Buffer.concat(wire).toString("latin1"), roundTrips, writes, state: core.stateName(),
    memoryBefore, memoryAfter: core.memoryBytes(), core,
  };
}
