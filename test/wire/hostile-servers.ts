// Loopback servers that hold a client the way a broken or hostile server would: one that drips
// its replies a byte at a time, one that never ends a multi-line reply. Each stops writing when
// its client goes away, and counts what it managed to send.
import type net from "node:net";
import { rawServer, onLines } from "../session/lab.js";

export interface Hostile { port: number; written: () => number; close(): Promise<void> }

/** Greets, answers EHLO, then drips `text` (repeated for ever) one byte every `everyMs`. `at`
 *  says where: "greeting" drips the greeting itself, "ehlo" drips the EHLO reply after its first line. */
export async function dripServer(at: "greeting" | "ehlo", everyMs: number): Promise<Hostile> {
  let written = 0;
  const drip = (s: net.Socket, text: string) => {
    let i = 0;
    const timer = setInterval(() => {
      if (s.destroyed) return clearInterval(timer);
      s.write(text[i++ % text.length]!);
      written++;
    }, everyMs);
    s.on("close", () => clearInterval(timer));
  };
  const srv = await rawServer((s) => {
    if (at === "greeting") return drip(s, "220-still greeting you ");
    s.write("220 drip.test ESMTP\r\n");
    onLines(s, (line) => {
      if (/^EHLO/i.test(line)) { s.write("250-drip.test\r\n"); drip(s, "250-PIPELINING "); }
    });
  });
  return { port: srv.port, written: () => written, close: srv.close };
}

/** Greets, then answers EHLO with "250-" lines for ever, as fast as the client reads them. */
export async function endlessEhloServer(lineBytes = 20): Promise<Hostile> {
  let written = 0;
  const line = `250-${"X".repeat(Math.max(1, lineBytes - 6))}\r\n`;
  const srv = await rawServer((s) => {
    s.write("220 endless.test ESMTP\r\n");
    onLines(s, (cmd) => {
      if (!/^EHLO/i.test(cmd)) return;
      const pump = () => {
        while (!s.destroyed) {
          written += line.length;
          if (!s.write(line)) { s.once("drain", pump); return; }
        }
      };
      pump();
    });
  });
  return { port: srv.port, written: () => written, close: srv.close };
}

/** A full, honest SMTP dialogue whose every reply is dripped over about `replyMs`. */
export async function slowHonestServer(replyMs: number): Promise<Hostile & { messages: number }> {
  const state = { messages: 0 };
  let written = 0;
  const srv = await rawServer((s) => {
    const queue: string[] = [];
    let busy = false;
    const next = () => {
      const r = queue.shift();
      if (r === undefined || s.destroyed) { busy = false; return; }
      busy = true;
      let i = 0;
      const step = Math.max(1, Math.floor(replyMs / r.length));
      const timer = setInterval(() => {
        if (s.destroyed) return clearInterval(timer);
        s.write(r[i++]!);
        written++;
        if (i === r.length) { clearInterval(timer); next(); }
      }, step);
    };
    const say = (r: string) => { queue.push(r); if (!busy) next(); };
    say("220 slow.test ESMTP\r\n");
    let inData = false;
    onLines(s, (line) => {
      if (inData) { if (line === ".") { inData = false; state.messages++; say("250 2.0.0 queued\r\n"); } return; }
      const v = line.slice(0, 4).toUpperCase();
      if (v === "EHLO") say("250-slow.test\r\n250 8BITMIME\r\n");
      else if (v === "DATA") { say("354 go ahead\r\n"); inData = true; }
      else if (v === "QUIT") say("221 bye\r\n");
      else say("250 ok\r\n");
    });
  });
  return { port: srv.port, written: () => written, close: srv.close, get messages() { return state.messages; } };
}
