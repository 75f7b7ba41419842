// `mfp-mail sim` (what `npm start` runs): the device flow end to end on loopback, offline.
// Exit 0 when the scan arrived byte-identical, 3 when it did not, 2 for bad options.
import { Command, Option } from "commander";
import { resolveBoard, defaultBoard } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { runSim, type SimOptions } from "../sim/run.js";
import { progressView } from "./progress.js";
import { jsonResult } from "./send.js";
import type { AuthChoice } from "../session/types.js";

interface SimFlags {
  pages: string; size?: string; rate?: string; mta: string; auth: string; tls: boolean;
  serverSize?: string; board?: string; json?: boolean; transcript?: boolean; serve?: boolean;
  panel?: boolean; panelPort?: string; format: string;
}

function num(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError("OPTION_INVALID", flag, `must be a whole number ≥ ${min}, got "${v}"`);
  return n;
}

export async function runSimCommand(f: SimFlags): Promise<number> {
  const out = (s: string) => process.stdout.write(s + "\n");
  const say = f.json ? (s: string) => process.stderr.write(s + "\n") : out;
  let opts: SimOptions;
  try {
    const board = f.board ? resolveBoard(f.board) : defaultBoard();
    const pages = num(f.pages, "--pages", 1)!;
    if (pages > 10000) throw new ConfigError("OPTION_INVALID", "--pages", "at most 10000 pages");
    opts = {
      pages, mta: f.mta as SimOptions["mta"], format: f.format as "pdf" | "tiff", auth: f.auth as AuthChoice, tls: f.tls, board,
      ...(f.size ? { bytes: num(f.size, "--size", 1)! } : {}),
      ...(f.rate ? { rate: num(f.rate, "--rate", 1)! } : {}),
      ...(f.serverSize ? { serverSize: num(f.serverSize, "--server-size", 1024)! } : {}),
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`mfp-mail sim: ${e.message}\n`);
    return 2;
  }
  if (f.serve) {
    const { serveSim } = await import("../sim/serve.js");
    say("mfp-mail simulator — embedded SMTP server on 127.0.0.1 for manual sends");
    await serveSim({ tls: f.tls, auth: f.auth !== "none", ...(opts.serverSize ? { size: opts.serverSize } : {}), line: say });
    return 0;
  }
  if (f.panel) {
    // The front panel (host/panel): same embedded server and session, driven from a browser.
    let port: number | undefined;
    try { port = num(f.panelPort, "--panel-port", 1); } catch (e) { process.stderr.write(`mfp-mail sim: ${(e as Error).message}\n`); return 2; }
    const { runPanel } = await import("./panel.js");
    say("mfp-mail simulator — front panel on 127.0.0.1 (nothing leaves this machine)");
    return runPanel({ board: opts.board!, mta: opts.mta, auth: opts.auth, tls: opts.tls, ...(opts.rate ? { scanRate: opts.rate } : {}),
      ...(port ? { port } : {}), line: say });
  }
  say("mfp-mail simulator — scanner → wasm core → SMTP on 127.0.0.1 (nothing leaves this machine)");
  const tty = !f.json && !!process.stderr.isTTY;
  const view = progressView(tty, (s) => say(`  ${s}`));
  let report;
  try {
    report = await runSim({
      ...opts,
      line: (s) => say(s),
      onProgress: (p) => view.update(p),
      ...(f.transcript ? { observer: { command: (t) => say(`  C: ${t}`), reply: (c, e, t) => say(`  S: ${c}${e ? ` ${e}` : ""} ${t.trim()}`) } } : {}),
    });
  } catch (e) {
    view.stop();
    if (e instanceof ConfigError) { process.stderr.write(`mfp-mail sim: ${e.message}\n`); return 2; }
    throw e;
  }
  view.stop();
  const r = report.result;
  say(`result    ${r.status.toUpperCase()}: ${r.message} (${r.code} ${r.enhanced})`.replace(/ \(0 \)$/, ""));
  say(`          ${r.tls ? `${r.tls.protocol} ${r.tls.cipher}, ` : ""}body ${r.bodyMode ?? "-"}, ${r.wireBytes} bytes on the wire, ${r.roundTrips} round trips` +
    (r.parts.total > 1 ? `, split into ${r.parts.total} messages` : ""));
  say(`arrived   ${report.arrived.length} message${report.arrived.length === 1 ? "" : "s"} (parsed with mailparser)`);
  for (const m of report.arrived) {
    say(`  from    ${m.from}`);
    say(`  to      ${m.to.join(", ")}`);
    say(`  subject ${m.subject}`);
    say(`  via     ${m.via}${m.tls ? " over TLS" : ""}`);
    for (const a of m.attachments) say(`  file    ${a.filename} (${a.contentType}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 16)}…)`);
  }
  say(report.matched
    ? `OK: the attachment that arrived is byte-identical to the scan (sha256 ${report.scan.sha256.slice(0, 16)}…)`
    : `MISMATCH: scanned sha256 ${report.scan.sha256}, arrived ${report.arrivedSha256}`);
  if (!f.json) say("panel     the same flow from a browser: npm start -- --panel (mfp-mail sim --panel) prints its http://127.0.0.1 address");
  if (f.json) out(JSON.stringify({ ...JSON.parse(jsonResult(r)), matched: report.matched, scan: report.scan, arrived: report.arrived }));
  // The simulator sends directly (no outbox): a transient failure kept nothing (exit 5).
  return report.matched ? 0 : r.status === "not-sent-transient" ? 5 : 3;
}

export function simCommand(): Command {
  return new Command("sim")
    .description("run the device flow offline: embedded SMTP server, simulated scan, send through the wasm core, verify what arrived")
    .option("--pages <n>", "pages in the simulated scan", "5")
    .option("--size <bytes>", "scan size in bytes (default 256 KiB per page)")
    .option("--rate <bytes/s>", "scanner speed (default unlimited)")
    .addOption(new Option("--format <kind>", "scan file format").choices(["pdf", "tiff"]).default("pdf"))
    .addOption(new Option("--mta <kind>", "receiving server: smtp-server (DATA) or chunking (BDAT + BINARYMIME)").choices(["smtp-server", "chunking"]).default("smtp-server"))
    .addOption(new Option("--auth <mech>", "AUTH mechanism the device uses").choices(["plain", "login", "xoauth2", "none"]).default("plain"))
    .option("--no-tls", "plain TCP (no STARTTLS)")
    .option("--server-size <bytes>", "SIZE limit the server announces (smaller than the scan → split mail)")
    .option("--board <name|file>", "board profile (default sim-desktop)")
    .option("--serve", "only run the embedded server (until Ctrl-C) and print the mfp-mail send command to try")
    .option("--panel", "serve the device's front panel (Scan to Email, Outbox, Sign in, Setup) on 127.0.0.1 until Ctrl-C")
    .option("--panel-port <n>", "port for --panel (default: any free port)")
    .option("--transcript", "print the SMTP commands and replies (secrets redacted by the core)")
    .option("--json", "print the result as one JSON object on the last stdout line")
    .action(async (f: SimFlags) => {
      process.exitCode = await runSimCommand(f);
    });
}
