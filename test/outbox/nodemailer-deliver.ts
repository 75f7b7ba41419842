// A Deliver built on nodemailer (a real SMTP client): lets the outbox's fault tests run against
// a real server with real sockets independent of the device's own session. The transcript gets
// nodemailer's raw client lines — including its AUTH lines — so the logger's allow-list is what
// keeps secrets out (the redaction test checks the files).
import { Readable } from "node:stream";
import nodemailer from "nodemailer";
import type { Deliver, DeliveryResult, Json } from "../../host/outbox/types.js";
import { TEST_PASSWORD, TEST_TOKEN } from "./helpers.js";

interface Conn {
  host: string;
  port: number;
  user?: string;
  auth?: "plain" | "login" | "xoauth2";
}

function conn(c: Json): Conn {
  const o = c as unknown as Conn;
  return { host: o.host ?? "127.0.0.1", port: Number(o.port), user: o.user, auth: o.auth };
}

export function nodemailerDeliver(overridePort?: () => number | undefined): Deliver {
  return async (req) => {
    const c = conn(req.connection);
    const port = overridePort?.() ?? c.port;
    req.observer.connect(c.host, port);
    const auth =
      c.auth === "xoauth2"
        ? { type: "OAuth2" as const, user: c.user, accessToken: TEST_TOKEN }
        : c.auth
          ? { user: c.user!, pass: TEST_PASSWORD }
          : undefined;
    const transport = nodemailer.createTransport({
      host: c.host,
      port,
      secure: false,
      ignoreTLS: true,
      auth,
      authMethod: c.auth === "login" ? "LOGIN" : c.auth === "plain" ? "PLAIN" : undefined,
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10000,
      debug: true,
      logger: {
        level() {},
        trace() {},
        debug(entry: { tnx?: string }, msg: string) {
          // nodemailer's transcript: {tnx:"client"} command lines, {tnx:"server"} replies.
          const line = String(msg);
          if (entry?.tnx === "client") req.observer.command(line);
          else if (entry?.tnx === "server") {
            const m = /^(\d{3})[ -](?:(\d\.\d{1,3}\.\d{1,3}) )?(.*)$/.exec(line.split("\n").pop() ?? "");
            if (m) req.observer.reply(Number(m[1]), m[2] ?? "", m[3] ?? "");
          }
        },
        info() {},
        warn() {},
        error() {},
        fatal() {},
      } as never,
    });
    const msg = (req.message ?? {}) as { subject?: string; text?: string };
    try {
      const info = await transport.sendMail({
        envelope: { from: req.from, to: req.recipients },
        from: req.from,
        to: req.recipients,
        subject: msg.subject ?? "scan",
        text: msg.text ?? "",
        attachments: req.scans.map((s) => ({
          filename: s.fileName,
          contentType: s.mimeType,
          content: Readable.from(s.chunks()),
        })),
      });
      const rejectedErrors = (info as { rejectedErrors?: { recipient: string; responseCode?: number; response?: string }[] }).rejectedErrors ?? [];
      const recipients = req.recipients.map((address) => {
        const rej = rejectedErrors.find((e) => e.recipient === address);
        return rej ? { address, accepted: false, code: rej.responseCode ?? 0, message: rej.response } : { address, accepted: true, code: 250 };
      });
      const code = Number(/^(\d{3})/.exec(info.response)?.[1] ?? 250);
      const result: DeliveryResult = {
        status: rejectedErrors.length ? "partial" : "sent",
        code,
        enhanced: /\d\.\d+\.\d+/.exec(info.response)?.[0] ?? "",
        message: info.response,
        recipients,
        messageAccepted: true,
      };
      return result;
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message: string; rejectedErrors?: { recipient: string; responseCode?: number; response?: string }[] };
      const code = e.responseCode ?? 0;
      const recipients = (e.rejectedErrors ?? []).map((r) => ({ address: r.recipient, accepted: false, code: r.responseCode ?? 0, message: r.response }));
      return {
        status: code >= 500 ? "failed" : "queued",
        code,
        enhanced: /\d\.\d+\.\d+/.exec(e.response ?? "")?.[0] ?? "",
        message: e.response ?? e.message,
        recipients,
        messageAccepted: false,
        // All recipients rejected (EENVELOPE) is decided per recipient by the outbox.
        transient: code === 0 || (code >= 400 && code < 500) || (e.rejectedErrors?.length ?? 0) > 0,
      };
    } finally {
      transport.close();
    }
  };
}
