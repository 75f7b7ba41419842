// `mfp-mail sim --serve`: keep the embedded server running so `mfp-mail send` (or the panel)
// can be pointed at it by hand. Prints the command to use; stops on SIGINT/SIGTERM.
import { randomBytes } from "node:crypto";
import { writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { startSimServer } from "./server.js";

export async function serveSim(o: { tls: boolean; auth: boolean; size?: number; line(s: string): void; signal?: AbortSignal }): Promise<void> {
  const user = "scanner@sim.mfp-mail.test";
  const password = randomBytes(9).toString("base64url");
  const srv = await startSimServer({
    starttls: o.tls,
    ...(o.auth ? { users: { [user]: { password } } } : {}),
    ...(o.size ? { size: o.size } : {}),
    onMessage: (m) => {
      void simpleParser(m.raw).then((p) => {
        o.line(`arrived   from ${m.from} to ${m.to.join(", ")} — "${p.subject ?? ""}", ${m.size} bytes` +
          `${m.tls ? " over TLS" : ""}; attachments: ${p.attachments.map((a) => `${a.filename} (${a.size} bytes)`).join(", ") || "none"}`);
      });
    },
  });
  const caFile = join(tmpdir(), `mfp-sim-ca-${srv.port}.pem`);
  if (o.tls) writeFileSync(caFile, srv.ca);
  o.line(`server    smtp-server on 127.0.0.1:${srv.port}${o.tls ? `, STARTTLS (CA: ${caFile})` : ", no TLS"}${o.auth ? `, AUTH PLAIN/LOGIN as ${user}` : ", no AUTH"}`);
  o.line("try       " + (o.auth ? `MFP_SIM_PASSWORD=${password} ` : "") + `mfp-mail send --server localhost --port ${srv.port} ` +
    (o.tls ? `--tls starttls --require-tls --ca ${caFile} ` : "--tls none ") +
    (o.auth ? `--auth plain --user ${user} --password-env MFP_SIM_PASSWORD ` : "--auth none ") +
    `--from ${user} --to you@sim.mfp-mail.test --scan-pages 3`);
  o.line("          (Ctrl-C stops the server)");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    o.signal?.addEventListener("abort", stop, { once: true });
  });
  await srv.close();
  if (o.tls) rmSync(caFile, { force: true });
}
