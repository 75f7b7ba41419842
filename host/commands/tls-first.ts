// Two ways `--tls starttls` (the default) can go wrong without the user noticing, told plainly:
//   - a port that speaks TLS from the first byte (465, RFC 8314 §3.3) sends no SMTP greeting to
//     a plaintext client, so the send would sit in "Connecting" for the 5-minute greeting timeout
//     (RFC 5321 §4.5.3.2). After a short wait without a greeting, a second connection tries a TLS
//     handshake; when the port answers it, the send stops with "use --tls implicit".
//   - a server that offers no STARTTLS gets the message in plaintext (RFC 3207 §4 leaves that to
//     the client's policy): the send says so on stderr and in --json (`"tls": "none-offered"`).
import tls from "node:tls";
import { isIP } from "node:net";
import type { Progress, SessionResult } from "../session/types.js";

/** How long "Connecting" may last before the port is probed for TLS. */
export const GREETING_PROBE_MS = 3000;
const HANDSHAKE_MS = 5000;

/** Whether host:port completes (or at least answers) a TLS handshake. Never throws. */
export function speaksTlsFirst(host: string, port: number, ms = HANDSHAKE_MS): Promise<boolean> {
  return new Promise((resolve) => {
    // Only the protocol is in question here, not the certificate: the real session verifies it.
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.once("secureConnect", () => done(true));
    // A TLS alert from the server is TLS too; "wrong version number" means it answered in plaintext.
    socket.once("error", (e: NodeJS.ErrnoException) => done(/alert/i.test(e.message) && !/wrong version/i.test(e.message)));
  });
}

export interface GreetingWatch {
  /** Feed every session progress line. */
  progress(p: Progress): void;
  /** True once the port was found to speak TLS first (the session has been told to stop). */
  readonly found: boolean;
  stop(): void;
}

/** Watch "Connecting": when it outlasts GREETING_PROBE_MS and the port speaks TLS, call onFound. */
export function watchGreeting(host: string, port: number, onFound: () => void, waitMs = GREETING_PROBE_MS): GreetingWatch {
  let timer: NodeJS.Timeout | null = null;
  let found = false;
  let stopped = false;
  const clear = () => { if (timer) clearTimeout(timer); timer = null; };
  return {
    progress(p) {
      if (p.phase !== "Connecting") return clear();
      if (timer || stopped) return;
      timer = setTimeout(async () => {
        if (await speaksTlsFirst(host, port) && !stopped) {
          found = true;
          onFound();
        }
      }, waitMs);
      timer.unref();
    },
    get found() { return found; },
    stop() { stopped = true; clear(); },
  };
}

/** The message to give when a TLS-first port was found. */
export function tlsFirstMessage(host: string, port: number): string {
  return `no SMTP greeting from ${host}:${port}, but it answers a TLS handshake: this port expects TLS from the first byte: use --tls implicit`;
}

/** The session stages before any address or byte of the message went to the server. */
const BEFORE_ENVELOPE = new Set(["Connect", "Greeting", "Ehlo", "Helo", "StartTls", "TlsHandshake"]);

/** True when `--tls starttls` ended up sending in plaintext because STARTTLS was not offered. */
export function wentUnencrypted(mode: string, requireTls: boolean, r: SessionResult): boolean {
  if (mode !== "starttls" || requireTls || r.tls) return false;
  if (r.status === "sent" || r.status === "partial") return true;
  return r.stage !== undefined && !BEFORE_ENVELOPE.has(r.stage);
}
