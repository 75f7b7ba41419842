#!/usr/bin/env -S node --max-semi-space-size=2
// The flag caps V8's young generation at 2 MiB a half: a long send allocates a little per chunk
// (promises, event objects) and V8 would otherwise grow the young generation under that rate, so
// the process's peak RSS grew by 8-10 MiB between a 1 MiB and a 200 MiB scan; with the cap, 2-6.5
// MiB at the same CPU time (docs/bench.md, "Memory"). `npm start` passes the same flag.
// mfp-mail — the command line. Each subcommand lives in host/commands/<name>.ts and exports a
// factory returning a commander Command; this file only lists them and maps failures to the
// documented exit codes (docs/cli.md, the same for every command): 0 done, 2 configuration or
// usage error, 3 refused, 4 transient failure (try again; a message is kept), 5 transient with
// nothing kept (send only); 1 = an internal error — a bug, reported in one line, never a trace.
import { Command, CommanderError } from "commander";

/** The subcommands, in help order. Add a line here for a new host/commands/<name>.ts. Each is
 *  imported only when needed: `send` must not pay for the simulator's mailparser, the panel, or
 *  OAuth at start-up (bench/: start-up was most of a 1 MiB send's wall time). */
const COMMANDS: Record<string, () => Promise<() => Command>> = {
  send: async () => (await import("./commands/send.js")).sendCommand,
  sim: async () => (await import("./commands/sim.js")).simCommand,
  doctor: async () => (await import("./commands/doctor.js")).doctorCommand,
  login: async () => (await import("./commands/login.js")).loginCommand,
  queue: async () => (await import("./commands/queue.js")).queueCommand,
  log: async () => (await import("./commands/log.js")).logCommand,
  daemon: async () => (await import("./commands/daemon.js")).daemonCommand,
};

export const EXIT = { sent: 0, internal: 1, config: 2, permanent: 3, transient: 4 } as const;

function fatal(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mfp-mail: internal error: ${msg.split("\n")[0]}\n`);
  if (process.env.MFP_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  process.exit(EXIT.internal);
}

/** The program with the named subcommands (all of them when `only` is absent: help, errors). */
export async function buildProgram(only?: string[]): Promise<Command> {
  const program = new Command("mfp-mail")
    .description("scan-to-email SMTP client for multifunction printers (wasm core + host shim)")
    .version("0.1.0")
    .showHelpAfterError("(run mfp-mail help <command> for the options)")
    .exitOverride();
  const names = only ?? Object.keys(COMMANDS);
  const makers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const make of makers) program.addCommand(make().exitOverride());
  return program;
}

/** The subcommand the arguments name, when it is the first argument (the usual `mfp-mail send …`). */
function invokedCommand(argv: string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

async function main(): Promise<void> {
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  // A closed pipe (mfp-mail … | head) is not an error worth a trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); });
  const cmd = invokedCommand(process.argv);
  const program = await buildProgram(cmd ? [cmd] : undefined);
  // Bare `mfp-mail` did not say what to do: the help goes to stderr and it is a usage error.
  if (process.argv.length <= 2) {
    process.stderr.write(program.helpInformation());
    process.exit(EXIT.config);
  }
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
