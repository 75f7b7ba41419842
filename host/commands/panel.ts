// `mfp-mail sim --panel`: start the front panel on the simulator's embedded server, print its
// address, and keep running until Ctrl-C (SIGINT) or SIGTERM; then stop the panel, the SMTP
// server and the sign-in service and remove the temporary outbox. Exit code 0 after a clean stop.
import type { Board } from "../config/board.js";
import type { AuthChoice } from "../session/types.js";
import { startSimPanel } from "../sim/panel.js";

export interface PanelCommandOptions {
  board?: Board;
  mta?: "smtp-server" | "chunking";
  auth?: AuthChoice;
  tls?: boolean;
  /** Scanner speed in bytes per second. */
  scanRate?: number;
  /** Panel HTTP port on 127.0.0.1 (0 = any free port). */
  port?: number;
  line(s: string): void;
}

export async function runPanel(o: PanelCommandOptions): Promise<number> {
  const sim = await startSimPanel({
    ...(o.board ? { board: o.board } : {}), ...(o.mta ? { mta: o.mta } : {}), ...(o.auth ? { auth: o.auth } : {}),
    ...(o.tls !== undefined ? { tls: o.tls } : {}), ...(o.scanRate ? { scanRate: o.scanRate } : {}), ...(o.port ? { port: o.port } : {}),
    onMessage: (m) => o.line(`arrived   ${m.raw.length} bytes via ${m.via}${m.tls ? " over TLS" : ""}${m.to.length ? ` for ${m.to.join(", ")}` : ""}`),
    onFinished: (f) => o.line(`panel     ${f.scan.fileName} (${f.scan.pages} pages, ${f.scan.size} bytes): ${f.done.status} — ${f.done.userMessage}`),
  });
  o.line(`server    ${sim.smtp.kind} on ${sim.smtp.host}:${sim.smtp.port}, device account ${sim.account}`);
  o.line(`panel     open ${sim.url} in a browser (made for 800×480 to 1280×800 touch screens); Ctrl-C stops the simulator`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  o.line("stopping  panel, SMTP server and sign-in service");
  await sim.close();
  return 0;
}
