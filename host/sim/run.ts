// `mfp-mail sim`: the whole device flow on a laptop, offline, in one command. Start a receiving
// server on loopback (smtp-server by default, or the CHUNKING/BINARYMIME MTA), simulate a
// multi-page scan, send it through the wasm core with STARTTLS + AUTH, then read back what
// arrived with mailparser and compare the attachment's SHA-256 with the scanned bytes.
import { createHash, randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { defaultBoard, type Board } from "../config/board.js";
import { simulatedScan } from "../scan/simulated-pdf.js";
import { simulatedTiff } from "../scan/simulated-tiff.js";
import { sendMessage } from "../session/driver.js";
import { outcomeProgress } from "../session/setup.js";
import type { AuthChoice, Progress, SessionResult, SessionObserver } from "../session/types.js";
import { loopbackServerCredentials } from "./selfsigned.js";
import { startSimServer } from "./server.js";
import { startChunkingMta } from "./chunking-mta.js";

export interface SimOptions {
  pages: number;
  /** Scan size in bytes (default 256 KiB per page). */
  bytes?: number;
  /** Scanner speed, bytes per second (default unlimited). */
  rate?: number;
  mta: "smtp-server" | "chunking";
  /** Scan as a PDF (default) or a multi-page TIFF. */
  format?: "pdf" | "tiff";
  auth: AuthChoice;
  tls: boolean;
  /** SIZE the server announces (bytes): smaller than the scan → the scan is split. */
  serverSize?: number;
  board?: Board;
  from?: string;
  to?: string[];
  subject?: string;
  onProgress?(p: Progress): void;
  observer?: SessionObserver;
  line?(s: string): void;
}

export interface ArrivedPart {
  from: string;
  to: string[];
  subject: string;
  via: string;
  tls: boolean;
  attachments: { filename: string; contentType: string; size: number; sha256: string }[];
}

export interface SimReport {
  result: SessionResult;
  server: { kind: string; host: string; port: number };
  scan: { fileName: string; size: number; pages: number; sha256: string };
  arrived: ArrivedPart[];
  /** SHA-256 of the attachment bytes that arrived (parts concatenated in order). */
  arrivedSha256: string;
  matched: boolean;
}

interface RawArrival { raw: Buffer; via: string; tls: boolean }

export async function runSim(o: SimOptions): Promise<SimReport> {
  const line = o.line ?? (() => {});
  const board = o.board ?? defaultBoard();
  const user = o.from ?? "scanner@sim.mfp-mail.test";
  const password = randomBytes(12).toString("base64url");
  const token = randomBytes(24).toString("base64url");
  const arrivals: RawArrival[] = [];
  let close: () => Promise<void>;
  let port: number;
  let ca = "";
  if (o.mta === "chunking") {
    const creds = o.tls ? loopbackServerCredentials(["localhost", "127.0.0.1"]) : null;
    const mta = await startChunkingMta({
      ...(creds ? { key: creds.server.key, cert: creds.server.cert } : {}),
      ...(o.auth !== "none" ? { authenticate: (_m: string, u: string, secret: string) => u === user && (secret === password || secret === token) } : {}),
      ...(o.serverSize ? { maxSize: o.serverSize } : {}),
      onMessage: (m) => { if (m.data) arrivals.push({ raw: m.data, via: `${m.via} ${m.body}`, tls: m.tls }); },
    });
    port = mta.port;
    ca = creds?.ca.cert ?? "";
    close = () => mta.close();
  } else {
    const srv = await startSimServer({
      starttls: o.tls,
      ...(o.auth !== "none" ? { users: { [user]: { password, tokens: [token] } } } : {}),
      ...(o.serverSize ? { size: o.serverSize } : {}),
      onMessage: (m) => arrivals.push({ raw: m.raw, via: `DATA ${m.body.toUpperCase()}`, tls: m.tls }),
    });
    port = srv.port;
    ca = srv.ca;
    close = () => srv.close();
  }
  const serverInfo = { kind: o.mta, host: "127.0.0.1", port };
  line(`server    ${o.mta} on 127.0.0.1:${port}` + (o.tls ? " (STARTTLS, certificate generated at start)" : " (no TLS)") +
    (o.auth !== "none" ? `, AUTH required` : ""));
  try {
    const so = {
      pages: o.pages, chunkSize: board.scan.chunkMax,
      bytes: o.bytes ?? o.pages * 256 * 1024 + 8192, ...(o.rate ? { rateBytesPerSec: o.rate } : {}),
    };
    const scan = o.format === "tiff" ? simulatedTiff(so) : simulatedScan(so);
    const h = createHash("sha256");
    for await (const c of scan.chunks()) h.update(c);
    const scanSha = h.digest("hex");
    line(`scanner   ${o.pages} pages, ${scan.size} bytes ${o.format === "tiff" ? "TIFF" : "PDF"} "${scan.fileName}", sha256 ${scanSha.slice(0, 16)}…`);
    const result = await sendMessage({
      server: { host: "localhost", port, tls: o.tls ? "starttls" : "none", requireTls: o.tls, tlsOptions: { ca } },
      auth: {
        mechanism: o.auth, user,
        ...(o.auth === "plain" || o.auth === "login" ? { password } : {}),
        ...(o.auth === "xoauth2" ? { tokenProvider: { getAccessToken: async () => token, invalidate() {} } } : {}),
        allowPlaintextAuth: !o.tls,
      },
      message: {
        from: user, to: o.to ?? ["frontdesk@sim.mfp-mail.test"], subject: o.subject ?? `Scan from the simulator (${o.pages} pages)`,
        text: `Scanned ${o.pages} pages on the mfp-mail simulator.\r\n`, attachments: [scan],
      },
      board,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.observer ? { observer: o.observer } : {}),
    });
    o.onProgress?.(outcomeProgress(result.status));
    const arrived: ArrivedPart[] = [];
    const whole = createHash("sha256");
    for (const a of arrivals) {
      const p = await simpleParser(a.raw);
      const atts = p.attachments.map((x) => {
        whole.update(x.content);
        return { filename: x.filename ?? "", contentType: x.contentType, size: x.size, sha256: createHash("sha256").update(x.content).digest("hex") };
      });
      const addr = (v: typeof p.to) => (v ? (Array.isArray(v) ? v : [v]).flatMap((x) => x.value.map((y) => y.address ?? "")) : []);
      arrived.push({ from: addr(p.from as typeof p.to)[0] ?? "", to: addr(p.to), subject: p.subject ?? "", via: a.via, tls: a.tls, attachments: atts });
    }
    const arrivedSha256 = whole.digest("hex");
    const matched = result.status === "sent" && arrived.length === result.parts.total && arrivedSha256 === scanSha;
    return { result, server: serverInfo, scan: { fileName: scan.fileName, size: scan.size, pages: o.pages, sha256: scanSha }, arrived, arrivedSha256, matched };
  } finally {
    await close();
  }
}
