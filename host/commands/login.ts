// `mfp-mail login`: sign a mailbox in on this device with the OAuth 2.0 device-code flow
// (RFC 8628) and keep its refresh token in the outbox storage directory (mode 0600), for
// `mfp-mail send --auth xoauth2` later.
//
// Nothing secret is taken from the command line (no token, no secret in argv) and nothing
// secret is printed: only the user code, the verification address and the expiry.

import { Command, Option } from "commander";
import { resolve } from "node:path";
import { assertMailbox } from "../config/address.js";
import { defaultBoard, resolveBoard } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { isPresetName, PRESETS, PRESET_NAMES } from "../config/presets.js";
import { DEFAULT_AUTHORITY, DEFAULT_DELEGATED_SCOPE, resolveEndpoints } from "../oauth/authority.js";
import { TokenCache } from "../oauth/cache.js";
import { OAuthError } from "../oauth/errors.js";
import { deviceLogin } from "../oauth/provider.js";
import type { DeviceCodePrompt } from "../oauth/types.js";
import type { Clock } from "../base/clock.js";

export interface LoginOptions {
  preset: string;
  tenant: string;
  clientId: string;
  user: string;
  authority?: string;
  scope?: string;
  board?: string;
  /** Storage directory override; default: the board profile's outbox directory. */
  outbox?: string;
}

export interface LoginIo {
  out(line: string): void;
  err(line: string): void;
  clock?: Clock;
  signal?: AbortSignal;
}

/** Exit codes: 0 signed in; 2 bad options (nothing sent); 3 the sign-in failed or was declined;
 *  4 the sign-in service could not be reached (try again). */
export async function runLogin(o: LoginOptions, io: LoginIo): Promise<number> {
  let storage: string;
  try {
    if (!isPresetName(o.preset)) {
      throw new ConfigError("PRESET_UNKNOWN", "--preset", `unknown preset "${o.preset}"; choose one of ${PRESET_NAMES.join(", ")}`);
    }
    if (!PRESETS[o.preset].authMechs.includes("XOAUTH2")) {
      throw new ConfigError("OPTION_INVALID", "--preset", `${o.preset} sends without AUTH; sign-in is for m365-submission or generic`);
    }
    assertMailbox(o.user, "--user");
    resolveEndpoints({ authority: o.authority, tenant: o.tenant, clientId: o.clientId });
    storage = resolve(o.outbox ?? (o.board ? resolveBoard(o.board) : defaultBoard()).outbox.dir);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OAuthError) {
      io.err(`mfp-mail login: ${e.code}: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const cache = new TokenCache(storage);
  io.out(`Signing in ${o.user} (tenant ${o.tenant}, ${o.authority ?? DEFAULT_AUTHORITY}) for ${o.scope ?? DEFAULT_DELEGATED_SCOPE}`);
  try {
    const result = await deviceLogin({
      authority: o.authority,
      tenant: o.tenant,
      clientId: o.clientId,
      account: o.user,
      scope: o.scope,
      cache,
      clock: io.clock,
      signal: io.signal,
      onPrompt: (p) => showPrompt(p, io),
      onPoll: (e) => {
        if (e.outcome === "slow_down") io.out(`  server asked to slow down: polling every ${e.intervalSeconds} s`);
        if (e.outcome === "network_error") io.out(`  sign-in service unreachable: retrying every ${e.intervalSeconds} s`);
      },
    });
    io.out(`Signed in as ${result.account}.`);
    io.out(`Refresh token stored in ${result.cachePath} (mode 0600).`);
    io.out(`Access token valid until ${new Date(result.expiresAt).toISOString()}; it is renewed automatically.`);
    return 0;
  } catch (e) {
    if (e instanceof OAuthError) {
      io.err(`mfp-mail login: ${e.code}: ${e.message}`);
      io.err(`panel: ${e.panelMessage}`);
      // docs/cli.md: 4 when the sign-in service could not be reached (try again), else 3 refused.
      return e.transient ? 4 : 3;
    }
    throw e;
  }
}

function showPrompt(p: DeviceCodePrompt, io: LoginIo): void {
  const minutes = Math.round(p.expiresIn / 60);
  io.out("");
  io.out(`  To sign in, open ${p.verificationUri}`);
  io.out(`  and enter the code ${p.userCode}`);
  if (p.verificationUriComplete) io.out(`  (or open ${p.verificationUriComplete})`);
  io.out(`  The code expires in ${minutes} minute${minutes === 1 ? "" : "s"}. Waiting for the sign-in…`);
  io.out("");
}

/** The commander definition; the CLI adds it to its command list. */
export function loginCommand(): Command {
  return new Command("login")
    .description("sign a mailbox in with the OAuth device-code flow (for AUTH XOAUTH2) and cache its token")
    .addOption(new Option("--preset <name>", "send preset").default("m365-submission"))
    .requiredOption("--tenant <tenant>", "Entra ID tenant: GUID, domain (contoso.com) or 'organizations'")
    .requiredOption("--client-id <id>", "application (client) id of the app registration (public client flows allowed)")
    .requiredOption("--user <mailbox>", "the mailbox the device sends as")
    .option("--authority <url>", `identity platform base URL (default ${DEFAULT_AUTHORITY})`)
    .option("--scope <scopes>", `space-separated scopes (default "${DEFAULT_DELEGATED_SCOPE}")`)
    .option("--board <name|path>", "board profile whose outbox directory holds the token cache")
    .option("--outbox <dir>", "storage directory for the token cache (overrides the board's)")
    .action(async (opts: LoginOptions) => {
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once("SIGINT", onSigint);
      try {
        process.exitCode = await runLogin(opts, {
          out: (l) => process.stdout.write(`${l}\n`),
          err: (l) => process.stderr.write(`${l}\n`),
          signal: ac.signal,
        });
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
