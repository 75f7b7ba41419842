// A loopback proxy in front of a real SMTP server (plaintext) that can rewrite the server's
// replies: each reply is handed to `rewrite` with the command it answers, and what it returns
// goes to the client instead. smtp-server cannot misbehave on its own; through this proxy it
// answers out of order (a 250 right behind a 354, two 250s to one MAIL) while everything else
// stays real, including what it delivers.
import net from "node:net";
import { rawServer } from "../session/lab.js";

/** `command` is the client's line the reply answers ("" for the greeting); return the bytes to send on. */
export type Rewrite = (command: string, reply: string) => string;

export interface ReplyProxy {
  port: number;
  /** Replace the rewrite rule (null: pass everything through unchanged). */
  set(rewrite: Rewrite | null): void;
  close(): Promise<void>;
}

export async function replyProxy(upstreamPort: number, first: Rewrite | null): Promise<ReplyProxy> {
  let rewrite = first;
  const srv = await rawServer((client) => {
    const up = net.connect(upstreamPort, "127.0.0.1");
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("close", () => up.destroy());
    // Client → server: pass through, and note the command lines (not the message text).
    const commands: string[] = [""]; // the greeting answers "no command"
    let cbuf = "";
    let inBody = false;
    client.on("data", (d: Buffer) => {
      up.write(d);
      cbuf += d.toString("latin1");
      for (let i = cbuf.indexOf("\r\n"); i >= 0; i = cbuf.indexOf("\r\n")) {
        const line = cbuf.slice(0, i);
        cbuf = cbuf.slice(i + 2);
        if (inBody) { if (line === ".") inBody = false; continue; }
        commands.push(line);
        if (/^DATA$/i.test(line)) inBody = true;
      }
    });
    // Server → client: whole replies (RFC 5321 §4.2: the last line has a space after the code).
    let sbuf = "";
    let reply = "";
    up.on("data", (d: Buffer) => {
      sbuf += d.toString("latin1");
      for (let i = sbuf.indexOf("\r\n"); i >= 0; i = sbuf.indexOf("\r\n")) {
        const line = sbuf.slice(0, i + 2);
        sbuf = sbuf.slice(i + 2);
        reply += line;
        if (line[3] === "-") continue;
        const command = commands.shift() ?? "";
        const out = rewrite ? rewrite(command, reply) : reply;
        reply = "";
        client.write(Buffer.from(out, "latin1"));
      }
    });
  });
  return { port: srv.port, set: (r) => { rewrite = r; }, close: srv.close };
}
