// Shared set-up for the session tests: the embedded smtp-server in a given personality, a
// simulated scan, and SessionOptions pointing at it. Everything on 127.0.0.1, port 0.
import { createHash } from "node:crypto";
import net from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { defaultBoard, type Board } from "../../host/config/board.js";
import { simulatedScan } from "../../host/scan/index.js";
import type { ScanSource } from "../../host/scan/types.js";
import { startSimServer, type SimServer, type SimServerOptions } from "../../host/sim/server.js";
import type { SessionOptions, Progress } from "../../host/session/types.js";

export const USER = "scanner@contoso.test";
export const PASSWORD = "s3cret-Pa55word-for-tests";

export async function server(o: SimServerOptions = {}): Promise<SimServer> {
  return startSimServer({ users: { [USER]: { password: PASSWORD, tokens: ["good-token"] } }, ...o });
}

export async function sha256(src: ScanSource): Promise<string> {
  const h = createHash("sha256");
  for await (const c of src.chunks()) h.update(c);
  return h.digest("hex");
}

export function board(over: Partial<Board> = {}): Board {
  const b = defaultBoard();
  return { ...b, timeouts: { ...b.timeouts, connect: 5000, greeting: 5000, command: 5000, mail: 5000, rcpt: 5000, dataInit: 5000, dataBlock: 5000, dataTerm: 5000 }, ...over };
}

export interface Recorded { commands: string[]; replies: string[]; progress: Progress[]; tls: number }

export function options(srv: { port: number; ca: string }, rec: Recorded, over: Partial<SessionOptions> & { scan?: ScanSource; to?: string[] } = {}): SessionOptions {
  const scan = over.scan ?? simulatedScan({ pages: 3, bytes: 300_000, seed: 42 });
  return {
    server: { host: "localhost", port: srv.port, tls: "starttls", requireTls: true, tlsOptions: { ca: srv.ca } },
    auth: { mechanism: "plain", user: USER, password: PASSWORD },
    message: { from: USER, to: over.to ?? ["frontdesk@contoso.test"], subject: "Scan", text: "Scanned document.\r\n", attachments: [scan] },
    board: board(),
    observer: {
      command: (t) => rec.commands.push(t),
      reply: (c, e, t) => rec.replies.push(`${c} ${e} ${t}`),
      tls: () => { rec.tls++; },
    },
    onProgress: (p) => rec.progress.push(p),
    ...over,
  };
}

export function recorder(): Recorded {
  return { commands: [], replies: [], progress: [], tls: 0 };
}

export async function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw);
}

export function attachmentSha(m: ParsedMail): string {
  return createHash("sha256").update(m.attachments[0]!.content).digest("hex");
}

/**
 * A raw loopback SMTP peer for faults smtp-server cannot produce: it answers each command from
 * `script` (a function of the command line) and can misbehave at any point.
 */
export async function rawServer(onConnect: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
    onConnect(s);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
  };
}

/** Line-by-line command handler on a raw socket (no TLS). */
export function onLines(s: net.Socket, handle: (line: string, s: net.Socket) => void): void {
  let buf = "";
  s.setEncoding("latin1");
  s.on("data", (d: string) => {
    buf += d;
    for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      handle(line, s);
    }
  });
}

/** A TCP proxy on loopback that can rewrite what the server says first (multi-line greeting). */
export async function greetingProxy(target: number, prefix: string): Promise<{ port: number; close(): Promise<void> }> {
  return rawServer((client) => {
    const up = net.connect(target, "127.0.0.1");
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
    let first = true;
    up.on("data", (d) => {
      if (first) { first = false; client.write(prefix); }
      client.write(d);
    });
    client.on("data", (d) => up.write(d));
    up.on("close", () => client.destroy());
    client.on("close", () => up.destroy());
  });
}
