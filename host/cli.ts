#!/usr/bin/env node
// mfp-mail — the command line. Each subcommand lives in host/commands/<name>.ts and exports a
// factory returning a commander Command; this file only lists them and maps failures to the
// documented exit codes: 0 sent, 2 configuration error, 3 permanent rejection, 4 transient
// failure (1 = an internal error — a bug, reported in one line, never a stack trace).
import { Command, CommanderError } from "commander";
import { sendCommand } from "./commands/send.js";
import { simCommand } from "./commands/sim.js";
import { doctorCommand } from "./commands/doctor.js";
import { loginCommand } from "./commands/login.js";
import { queueCommand } from "./commands/queue.js";
import { logCommand } from "./commands/log.js";
import { daemonCommand } from "./commands/daemon.js";

/** The subcommands, in help order. Add a line here for a new host/commands/<name>.ts. */
const COMMANDS: (() => Command)[] = [
  sendCommand,
  simCommand,
  doctorCommand,
  loginCommand,
  queueCommand,
  logCommand,
  daemonCommand,
];

export const EXIT = { sent: 0, internal: 1, config: 2, permanent: 3, transient: 4 } as const;

function fatal(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mfp-mail: internal error: ${msg.split("\n")[0]}\n`);
  if (process.env.MFP_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  process.exit(EXIT.internal);
}

export function buildProgram(): Command {
  const program = new Command("mfp-mail")
    .description("scan-to-email SMTP client for multifunction printers (wasm core + host shim)")
    .version("0.1.0")
    .showHelpAfterError("(run mfp-mail help <command> for the options)")
    .exitOverride();
  for (const make of COMMANDS) program.addCommand(make().exitOverride());
  return program;
}

async function main(): Promise<void> {
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  // A closed pipe (mfp-mail … | head) is not an error worth a trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); });
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and --version exit 0; every parse error (unknown option, missing value) is a
      // configuration error: commander already printed its one line.
      const ok = e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help";
      process.exit(ok ? 0 : EXIT.config);
    }
    fatal(e);
  }
}

await main();
