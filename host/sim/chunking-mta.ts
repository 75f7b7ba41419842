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

function serve(raw: net.Socket, options: ChunkingMtaOptions, messages: ReceivedMessage[]): void {
  const maxSize = options.maxSize ?? 100 * 1024 * 1024;
  const keepData = options.keepData ?? true;
  const authRequired = options.authRequired ?? Boolean(options.authenticate);
  let socket: net.Socket = raw;
  let secure = false;
  let user: string | null = null;
  let tx: Transaction | null = null;
  let buffered: Buffer = Buffer.alloc(0);
  // Reading modes: command lines, a DATA body up to CRLF.CRLF, or n octets of a BDAT chunk.
  let mode: "line" | "data" | "bdat" | "auth-login-user" | "auth-login-pass" | "auth-plain" = "line";
  let bdatLeft = 0;
  let bdatSize = 0;
  let bdatLast = false;
  let loginUser = "";
  let atLineStart = true;

  const reply = (text: string) => {
    if (!socket.destroyed) socket.write(text + CRLF);
  };
  const newTx = (from: string, body: Transaction["body"]): Transaction => ({
    from, to: [], body, parts: [], size: 0, hash: createHash("sha256"),
  });
  const append = (chunk: Buffer) => {
    if (!tx) return;
    tx.size += chunk.length;
    tx.hash.update(chunk);
    if (keepData) tx.parts.push(chunk);
  };
  const deliver = (via: ReceivedMessage["via"]) => {
    if (!tx) return;
    const message: ReceivedMessage = {
      from: tx.from, to: tx.to, via, body: tx.body, user, tls: secure, size: tx.size,
      data: keepData ? Buffer.concat(tx.parts) : null, sha256: tx.hash.digest("hex"),
    };
    messages.push(message);
    options.onMessage?.(message);
    tx = null;
  };

  const ehloLines = () => {
    const lines = ["mfp-mail-sim", "PIPELINING", `SIZE ${maxSize}`, "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME"];
    if (options.key && options.cert && !secure) lines.push("STARTTLS");
    if (options.authenticate) lines.push("AUTH PLAIN LOGIN XOAUTH2");
    return lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}`).join(CRLF);
  };

  const checkAuth = (mechanism: string, u: string, secret: string) => {
    if (options.authenticate?.(mechanism, u, secret)) {
      user = u;
      reply("235 2.7.0 Authentication successful");
    } else {
      reply("535 5.7.8 Authentication credentials invalid");
    }
  };

  const command = (line: string) => {
    const [verbRaw, ...rest] = line.split(" ");
    const verb = verbRaw.toUpperCase();
    const arg = rest.join(" ");
    switch (verb) {
      case "EHLO":
        tx = null;
        return reply(ehloLines());
      case "HELO":
        return reply("250 mfp-mail-sim");
      case "STARTTLS":
        if (!options.key || !options.cert || secure) return reply("502 5.5.1 STARTTLS not available");
        reply("220 2.0.0 Ready to start TLS");
        // RFC 3207 §4.2: discard anything pipelined after STARTTLS; forget the session state.
        buffered = Buffer.alloc(0);
        raw.removeAllListeners("data");
        socket = new tls.TLSSocket(raw, { isServer: true, key: options.key, cert: options.cert, minVersion: "TLSv1.2" });
        socket.on("error", () => raw.destroy());
        secure = true;
        user = null;
        tx = null;
        socket.on("data", onData);
        return;
      case "AUTH": {
        if (user) return reply("503 5.5.1 Already authenticated");
        const [mech, initial] = arg.split(" ");
        const m = (mech ?? "").toUpperCase();
        if (m === "PLAIN") {
          if (!initial) {
            mode = "auth-plain";
            return reply("334 ");
          }
          return authPlain(initial);
        }
        if (m === "LOGIN") {
          mode = "auth-login-user";
          return reply("334 VXNlcm5hbWU6");
        }
        if (m === "XOAUTH2" && initial) {
          const decoded = Buffer.from(initial, "base64").toString("utf8");
          const match = /^user=([^\x01]*)\x01auth=Bearer ([^\x01]*)\x01\x01$/.exec(decoded);
          if (!match) return reply("501 5.5.2 Malformed XOAUTH2 response");
          return checkAuth("XOAUTH2", match[1], match[2]);
        }
        return reply("504 5.5.4 Unrecognized authentication type");
      }
      case "MAIL": {
        if (authRequired && !user) return reply("530 5.7.0 Authentication required");
        const m = /^FROM:<([^>]*)>(.*)$/i.exec(arg);
        if (!m) return reply("501 5.5.4 Syntax: MAIL FROM:<address>");
        const params = m[2].trim().toUpperCase().split(/\s+/).filter(Boolean);
        let body: Transaction["body"] = "7BIT";
        for (const p of params) {
          const [k, v] = p.split("=");
          if (k === "SIZE" && Number(v) > maxSize) return reply("552 5.3.4 Message size exceeds fixed maximum message size");
          if (k === "BODY") body = v === "BINARYMIME" ? "BINARYMIME" : v === "8BITMIME" ? "8BITMIME" : "7BIT";
        }
        tx = newTx(m[1], body);
        return reply("250 2.1.0 Sender OK");
      }
      case "RCPT": {
        if (!tx) return reply("503 5.5.1 Need MAIL command");
        const m = /^TO:<([^>]+)>/i.exec(arg);
        if (!m) return reply("501 5.5.4 Syntax: RCPT TO:<address>");
        tx.to.push(m[1]);
        return reply("250 2.1.5 Recipient OK");
      }
      case "DATA":
        if (!tx || tx.to.length === 0) return reply("503 5.5.1 Need RCPT command");
        // RFC 3030 §3: BINARYMIME bodies must go with BDAT.
        if (tx.body === "BINARYMIME") return reply("503 5.5.1 BINARYMIME requires BDAT");
        mode = "data";
        atLineStart = true;
        return reply("354 Start mail input; end with <CRLF>.<CRLF>");
      case "BDAT": {
        const m = /^(\d+)( LAST)?$/i.exec(arg.trim());
        if (!m) return reply("501 5.5.4 Syntax: BDAT size [LAST]");
        bdatLeft = Number(m[1]);
        bdatSize = bdatLeft;
        bdatLast = Boolean(m[2]);
        mode = "bdat";
        if (bdatLeft === 0) onBdatDone();
        return;
      }
      case "RSET":
        tx = null;
        return reply("250 2.0.0 Flushed");
      case "NOOP":
        return reply("250 2.0.0 OK");
      case "QUIT":
        reply("221 2.0.0 Bye");
        socket.end();
        return;
      default:
        return reply("500 5.5.2 Command unrecognized");
    }
  };

  const authPlain = (b64: string) => {
    const parts = Buffer.from(b64, "base64").toString("utf8").split("\x00");
    if (parts.length !== 3) return reply("501 5.5.2 Malformed PLAIN response");
    checkAuth("PLAIN", parts[1], parts[2]);
  };

  const onBdatDone = () => {
    mode = "line";
    if (!tx || tx.to.length === 0) return reply("503 5.5.1 Need RCPT command");
    if (tx.size > maxSize) {
      tx = null;
      return reply("552 5.3.4 Message size exceeds fixed maximum message size");
    }
    if (bdatLast) {
      const size = tx.size;
      deliver("BDAT");
      return reply(`250 2.0.0 Message accepted (${size} octets)`);
    }
    return reply(`250 2.0.0 ${bdatSize} octets received`);
  };

  function onData(chunk: Buffer) {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length > 0) {
      if (mode === "bdat") {
        const take = Math.min(bdatLeft, buffered.length);
        append(buffered.subarray(0, take));
        buffered = buffered.subarray(take);
        bdatLeft -= take;
        if (bdatLeft > 0) return;
        onBdatDone();
        continue;
      }
      if (mode === "data") {
        // RFC 5321 §4.5.2: "." alone on a line ends the data; a leading "." was doubled.
        if (atLineStart && buffered[0] === 0x2e) {
          const terminator = Buffer.from(".\r\n");
          if (buffered.length < 3 && terminator.subarray(0, buffered.length).equals(buffered)) return;
          if (buffered[1] === 0x0d && buffered[2] === 0x0a) {
            buffered = buffered.subarray(3);
            mode = "line";
            const size = tx?.size ?? 0;
            deliver("DATA");
            reply(`250 2.0.0 Message accepted (${size} octets)`);
            continue;
          }
          buffered = buffered.subarray(1);
          if (buffered.length === 0) {
            atLineStart = false;
            return;
          }
        }
        const nl = buffered.indexOf(0x0a);
        if (nl < 0) {
          append(buffered);
          atLineStart = false;
          buffered = Buffer.alloc(0);
          return;
        }
        append(buffered.subarray(0, nl + 1));
        buffered = buffered.subarray(nl + 1);
        atLineStart = true;
        continue;
      }
      const eol = buffered.indexOf("\n");
      if (eol < 0) {
        if (buffered.length > 4096) {
          reply("500 5.5.2 Line too long");
          socket.destroy();
        }
        return;
      }
      const line = buffered.subarray(0, eol).toString("utf8").replace(/\r$/, "");
      buffered = buffered.subarray(eol + 1);
      if (mode === "auth-plain") {
        mode = "line";
        authPlain(line);
      } else if (mode === "auth-login-user") {
        loginUser = Buffer.from(line, "base64").toString("utf8");
        mode = "auth-login-pass";
        reply("334 UGFzc3dvcmQ6");
      } else if (mode === "auth-login-pass") {
        mode = "line";
        checkAuth("LOGIN", loginUser, Buffer.from(line, "base64").toString("utf8"));
      } else {
        command(line);
      }
    }
  }

  raw.on("data", onData);
  raw.on("error", () => raw.destroy());
  reply("220 mfp-mail-sim ESMTP ready");
}
