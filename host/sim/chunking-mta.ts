// A small receiving MTA for the simulator and the benchmarks. nodemailer's smtp-server (used for
// most personalities in the tests) has no CHUNKING, so it cannot receive BDAT or BINARYMIME
// (RFC 3030), which Exchange Online offers and which the device prefers. This server speaks
// EHLO, STARTTLS (RFC 3207), AUTH PLAIN/LOGIN/XOAUTH2 (RFC 4954), PIPELINING (RFC 2920),
// SIZE (RFC 1870), 8BITMIME, SMTPUTF8, CHUNKING + BINARYMIME, DATA with dot-unstuffing — and
// listens on loopback only.
import net from "node:net";
import tls from "node:tls";
import { createHash } from "node:crypto";

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** the message bytes as delivered (DATA: dot-unstuffed; BDAT: concatenated chunks) */
  data: Buffer | null;
  size: number;
  sha256: string;
  via: "DATA" | "BDAT";
  body: "7BIT" | "8BITMIME" | "BINARYMIME";
  user: string | null;
  tls: boolean;
}

export interface ChunkingMtaOptions {
  /** PEM key + certificate for STARTTLS; without them STARTTLS is not offered. */
  key?: string;
  cert?: string;
  /** Return true to accept. Mechanism is "PLAIN" | "LOGIN" | "XOAUTH2"; secret is password or token. */
  authenticate?: (mechanism: string, user: string, secret: string) => boolean;
  /** Require AUTH before MAIL (default: true when authenticate is given). */
  authRequired?: boolean;
  /** Largest message accepted (SIZE), bytes. */
  maxSize?: number;
  /** Keep message bytes in memory (false: only count and hash — for benchmarks). */
  keepData?: boolean;
  onMessage?: (message: ReceivedMessage) => void;
}

export interface ChunkingMta {
  port: number;
  messages: ReceivedMessage[];
  close(): Promise<void>;
}

const CRLF = "\r\n";

export async function startChunkingMta(options: ChunkingMtaOptions = {}): Promise<ChunkingMta> {
  const messages: ReceivedMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serve(socket, options, messages);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Transaction {
  from: string;
  to: string[];
  body: ReceivedMessage["body"];
  parts: Buffer[];
  size: number;
  hash: ReturnType<typeof createHash>;
}

function newTransaction(from: string, body: Transaction["body"]): Transaction {
  return { from, to: [], body, parts: [], size: 0, hash: createHash("sha256") };
}

// Reading modes: command lines, a DATA body up to CRLF.CRLF, or n octets of a BDAT chunk; the
// auth-* modes read the client's next line as an AUTH response instead of a command.
type ReadMode = "line" | "data" | "bdat" | "auth-login-user" | "auth-login-pass" | "auth-plain";

/** One connection: its session state, the command handlers, and the readers of message bytes. */
class MtaSession {
  private readonly maxSize: number;
  private readonly keepData: boolean;
  private readonly authRequired: boolean;
  private socket: net.Socket;
  private secure = false;
  private user: string | null = null;
  private tx: Transaction | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private mode: ReadMode = "line";
  private bdatLeft = 0;
  private bdatSize = 0;
  private bdatLast = false;
  private loginUser = "";
  private atLineStart = true;

  constructor(
    private readonly raw: net.Socket,
    private readonly options: ChunkingMtaOptions,
    private readonly messages: ReceivedMessage[],
  ) {
    this.maxSize = options.maxSize ?? 100 * 1024 * 1024;
    this.keepData = options.keepData ?? true;
    this.authRequired = options.authRequired ?? Boolean(options.authenticate);
    this.socket = raw;
  }

  reply(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text + CRLF);
  }

  /** Bytes from the client: consumed by the current reading mode for as long as it can go on. */
  onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length > 0) {
      const more = this.mode === "bdat" ? this.readBdat() : this.mode === "data" ? this.readData() : this.readLine();
      if (!more) return;
    }
  }

  // ── readers: each returns false to wait for more bytes ──

  /** The octets of a BDAT chunk, counted off exactly (RFC 3030 §2): no line or dot handling. */
  private readBdat(): boolean {
    const take = Math.min(this.bdatLeft, this.buffered.length);
    this.append(this.buffered.subarray(0, take));
    this.buffered = this.buffered.subarray(take);
    this.bdatLeft -= take;
    if (this.bdatLeft > 0) return false;
    this.bdatDone();
    return true;
  }

  /** A DATA body, one line at a time, dot-unstuffed. */
  private readData(): boolean {
    // RFC 5321 §4.5.2: "." alone on a line ends the data; a leading "." was doubled.
    if (this.atLineStart && this.buffered[0] === 0x2e) {
      const terminator = Buffer.from(".\r\n");
      if (this.buffered.length < 3 && terminator.subarray(0, this.buffered.length).equals(this.buffered)) return false;
      if (this.buffered[1] === 0x0d && this.buffered[2] === 0x0a) {
        this.buffered = this.buffered.subarray(3);
        this.mode = "line";
        this.accept("DATA");
        return true;
      }
      this.buffered = this.buffered.subarray(1);
      if (this.buffered.length === 0) {
        this.atLineStart = false;
        return false;
      }
    }
    const nl = this.buffered.indexOf(0x0a);
    if (nl < 0) {
      this.append(this.buffered);
      this.atLineStart = false;
      this.buffered = Buffer.alloc(0);
      return false;
    }
    this.append(this.buffered.subarray(0, nl + 1));
    this.buffered = this.buffered.subarray(nl + 1);
    this.atLineStart = true;
    return true;
  }

  /** A command line, or the client's answer to a 334 AUTH challenge. */
  private readLine(): boolean {
    const eol = this.buffered.indexOf("\n");
    if (eol < 0) {
      if (this.buffered.length > 4096) {
        this.reply("500 5.5.2 Line too long");
        this.socket.destroy();
      }
      return false;
    }
    const line = this.buffered.subarray(0, eol).toString("utf8").replace(/\r$/, "");
    this.buffered = this.buffered.subarray(eol + 1);
    if (this.mode === "auth-plain") {
      this.mode = "line";
      this.authPlain(line);
    } else if (this.mode === "auth-login-user") {
      this.loginUser = Buffer.from(line, "base64").toString("utf8");
      this.mode = "auth-login-pass";
      this.reply("334 UGFzc3dvcmQ6");
    } else if (this.mode === "auth-login-pass") {
      this.mode = "line";
      this.checkAuth("LOGIN", this.loginUser, Buffer.from(line, "base64").toString("utf8"));
    } else {
      this.command(line);
    }
    return true;
  }

  // ── commands ──

  private command(line: string): void {
    const [verbRaw, ...rest] = line.split(" ");
    const arg = rest.join(" ");
    switch (verbRaw.toUpperCase()) {
      case "EHLO":
        this.tx = null;
        return this.reply(this.ehloLines());
      case "HELO":
        return this.reply("250 mfp-mail-sim");
      case "STARTTLS":
        return this.startTls();
      case "AUTH":
        return this.auth(arg);
      case "MAIL":
        return this.mail(arg);
      case "RCPT":
        return this.rcpt(arg);
      case "DATA":
        return this.data();
      case "BDAT":
        return this.bdat(arg);
      case "RSET":
        this.tx = null;
        return this.reply("250 2.0.0 Flushed");
      case "NOOP":
        return this.reply("250 2.0.0 OK");
      case "QUIT":
        this.reply("221 2.0.0 Bye");
        this.socket.end();
        return;
      default:
        return this.reply("500 5.5.2 Command unrecognized");
    }
  }

  private ehloLines(): string {
    const lines = ["mfp-mail-sim", "PIPELINING", `SIZE ${this.maxSize}`, "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME"];
    if (this.options.key && this.options.cert && !this.secure) lines.push("STARTTLS");
    if (this.options.authenticate) lines.push("AUTH PLAIN LOGIN XOAUTH2");
    return lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}`).join(CRLF);
  }

  private startTls(): void {
    const { key, cert } = this.options;
    if (!key || !cert || this.secure) return this.reply("502 5.5.1 STARTTLS not available");
    this.reply("220 2.0.0 Ready to start TLS");
    // RFC 3207 §4.2: discard anything pipelined after STARTTLS; forget the session state.
    this.buffered = Buffer.alloc(0);
    const raw = this.raw;
    raw.removeAllListeners("data");
    this.socket = new tls.TLSSocket(raw, { isServer: true, key, cert, minVersion: "TLSv1.2" });
    this.socket.on("error", () => raw.destroy());
    this.secure = true;
    this.user = null;
    this.tx = null;
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  private auth(arg: string): void {
    if (this.user) return this.reply("503 5.5.1 Already authenticated");
    const [mech, initial] = arg.split(" ");
    const m = (mech ?? "").toUpperCase();
    if (m === "PLAIN") {
      if (!initial) {
        this.mode = "auth-plain";
        return this.reply("334 ");
      }
      return this.authPlain(initial);
    }
    if (m === "LOGIN") {
      this.mode = "auth-login-user";
      return this.reply("334 VXNlcm5hbWU6");
    }
    if (m === "XOAUTH2" && initial) {
      const decoded = Buffer.from(initial, "base64").toString("utf8");
      const match = /^user=([^\x01]*)\x01auth=Bearer ([^\x01]*)\x01\x01$/.exec(decoded);
      if (!match) return this.reply("501 5.5.2 Malformed XOAUTH2 response");
      return this.checkAuth("XOAUTH2", match[1], match[2]);
    }
    return this.reply("504 5.5.4 Unrecognized authentication type");
  }

  private authPlain(b64: string): void {
    const parts = Buffer.from(b64, "base64").toString("utf8").split("\x00");
    if (parts.length !== 3) return this.reply("501 5.5.2 Malformed PLAIN response");
    this.checkAuth("PLAIN", parts[1], parts[2]);
  }

  private checkAuth(mechanism: string, u: string, secret: string): void {
    if (this.options.authenticate?.(mechanism, u, secret)) {
      this.user = u;
      this.reply("235 2.7.0 Authentication successful");
    } else {
      this.reply("535 5.7.8 Authentication credentials invalid");
    }
  }

  private mail(arg: string): void {
    if (this.authRequired && !this.user) return this.reply("530 5.7.0 Authentication required");
    const m = /^FROM:<([^>]*)>(.*)$/i.exec(arg);
    if (!m) return this.reply("501 5.5.4 Syntax: MAIL FROM:<address>");
    const params = m[2].trim().toUpperCase().split(/\s+/).filter(Boolean);
    let body: Transaction["body"] = "7BIT";
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k === "SIZE" && Number(v) > this.maxSize) return this.reply("552 5.3.4 Message size exceeds fixed maximum message size");
      if (k === "BODY") body = v === "BINARYMIME" ? "BINARYMIME" : v === "8BITMIME" ? "8BITMIME" : "7BIT";
    }
    this.tx = newTransaction(m[1], body);
    return this.reply("250 2.1.0 Sender OK");
  }

  private rcpt(arg: string): void {
    if (!this.tx) return this.reply("503 5.5.1 Need MAIL command");
    const m = /^TO:<([^>]+)>/i.exec(arg);
    if (!m) return this.reply("501 5.5.4 Syntax: RCPT TO:<address>");
    this.tx.to.push(m[1]);
    return this.reply("250 2.1.5 Recipient OK");
  }

  private data(): void {
    if (!this.tx || this.tx.to.length === 0) return this.reply("503 5.5.1 Need RCPT command");
    // RFC 3030 §3: BINARYMIME bodies must go with BDAT.
    if (this.tx.body === "BINARYMIME") return this.reply("503 5.5.1 BINARYMIME requires BDAT");
    this.mode = "data";
    this.atLineStart = true;
    return this.reply("354 Start mail input; end with <CRLF>.<CRLF>");
  }

  /** BDAT size [LAST]: the chunk's octets follow the command line directly, so read them first. */
  private bdat(arg: string): void {
    const m = /^(\d+)( LAST)?$/i.exec(arg.trim());
    if (!m) return this.reply("501 5.5.4 Syntax: BDAT size [LAST]");
    this.bdatLeft = Number(m[1]);
    this.bdatSize = this.bdatLeft;
    this.bdatLast = Boolean(m[2]);
    this.mode = "bdat";
    if (this.bdatLeft === 0) this.bdatDone();
  }

  /** A BDAT chunk read whole: its reply, and with LAST the message's arrival. */
  private bdatDone(): void {
    this.mode = "line";
    if (!this.tx || this.tx.to.length === 0) return this.reply("503 5.5.1 Need RCPT command");
    if (this.tx.size > this.maxSize) {
      this.tx = null;
      return this.reply("552 5.3.4 Message size exceeds fixed maximum message size");
    }
    if (this.bdatLast) return this.accept("BDAT");
    return this.reply(`250 2.0.0 ${this.bdatSize} octets received`);
  }

  // ── the message ──

  private append(chunk: Buffer): void {
    if (!this.tx) return;
    this.tx.size += chunk.length;
    this.tx.hash.update(chunk);
    if (this.keepData) this.tx.parts.push(chunk);
  }

  /** The end of a message: hand it off (messages, onMessage), then 250 with its size. */
  private accept(via: ReceivedMessage["via"]): void {
    const size = this.tx?.size ?? 0;
    this.deliver(via);
    this.reply(`250 2.0.0 Message accepted (${size} octets)`);
  }

  private deliver(via: ReceivedMessage["via"]): void {
    const tx = this.tx;
    if (!tx) return;
    const message: ReceivedMessage = {
      from: tx.from, to: tx.to, via, body: tx.body, user: this.user, tls: this.secure, size: tx.size,
      data: this.keepData ? Buffer.concat(tx.parts) : null, sha256: tx.hash.digest("hex"),
    };
    this.messages.push(message);
    this.options.onMessage?.(message);
    this.tx = null;
  }
}

function serve(raw: net.Socket, options: ChunkingMtaOptions, messages: ReceivedMessage[]): void {
  const session = new MtaSession(raw, options, messages);
  raw.on("data", (chunk: Buffer) => session.onData(chunk));
  raw.on("error", () => raw.destroy());
  session.reply("220 mfp-mail-sim ESMTP ready");
}
