// `mfp-mail doctor` — check a configuration against Microsoft 365's device-mail rules and probe
// the server without sending anything. Secrets come from the environment or files, never from
// process arguments: --password-env VAR (default MFP_MAIL_PASSWORD) / --password-file,
// MFP_MAIL_TOKEN / --token-file.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { resolveBoard, defaultBoard, type Board } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { PRESET_NAMES, type AuthMech } from "../config/presets.js";
import { tlsPolicyOf, type TlsPolicy } from "../transport/tls-mode.js";
import { formatChecklist, runDoctor } from "../doctor/doctor.js";
import { dnsServersFromEnv } from "../transport/mx.js";

interface DoctorOpts {
  preset?: string; board?: string; host?: string; server?: string; port?: string; tls?: string; requireTls?: boolean; domain?: string;
  acceptedDomain?: string[]; from?: string; to?: string[]; user?: string; auth?: string;
  passwordFile?: string; passwordEnv?: string; tokenFile?: string; clientCert?: string; clientKey?: string;
  staticIp?: string; ca?: string; servername?: string; probe?: boolean; timeout?: string; json?: boolean;
  tenant?: string; clientId?: string; clientSecretEnv?: string; authority?: string; outbox?: string; dnsServer?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];
const readSecret = (file: string): string => readFileSync(file, "utf8").replace(/\r?\n$/, "");

/** Run doctor with parsed options; returns the exit code: 0 no ✗, 2 bad configuration, 3 the
 *  server refused something or lacks what the device needs, 4 the server could not be reached. */
export async function doctorAction(o: DoctorOpts, out: (s: string) => void = (s) => process.stdout.write(s + "\n")): Promise<number> {
  let board: Board;
  try {
    board = o.board ? resolveBoard(o.board) : defaultBoard();
  } catch (e) {
    if (e instanceof ConfigError) {
      out(`✗ ${e.message}\n    → error code ${e.code}; fix the board file and run doctor again.`);
      return 2;
    }
    throw e;
  }
  const port = o.port !== undefined ? Number(o.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    out(`✗ --port: must be a TCP port 1–65535, got "${o.port}"`);
    return 2;
  }
  // --auth takes send's single choice (none|plain|login|xoauth2) or a comma list of mechanisms.
  const authMechs = o.auth === undefined ? undefined
    : o.auth.trim().toLowerCase() === "none" ? [] as AuthMech[]
    : o.auth.split(",").map((m) => m.trim().toUpperCase()) as AuthMech[];
  const badMech = authMechs?.find((m) => !["XOAUTH2", "LOGIN", "PLAIN"].includes(m));
  if (badMech !== undefined) {
    out(`✗ --auth: unknown mechanism "${badMech}" (none, xoauth2, login, plain)`);
    return 2;
  }
  // --tls takes send's words (starttls|implicit|none, with --require-tls) or the preset's own.
  let tls: TlsPolicy | undefined;
  if (o.tls !== undefined) {
    tls = tlsPolicyOf(o.tls, !!o.requireTls);
    if (tls === undefined) {
      out(`✗ --tls: must be starttls, implicit or none (or off, opportunistic, required), got "${o.tls}"`);
      return 2;
    }
  } else if (o.requireTls) tls = "required";
  const host = o.server ?? o.host;
  const password = o.passwordFile ? readSecret(o.passwordFile) : process.env[o.passwordEnv ?? "MFP_MAIL_PASSWORD"];
  if (o.passwordEnv !== undefined && password === undefined) {
    out(`✗ --password-env: environment variable ${o.passwordEnv} is not set`);
    return 2;
  }
  let token = o.tokenFile ? readSecret(o.tokenFile) : process.env.MFP_MAIL_TOKEN;
  // App-only XOAUTH2, as for send: the token comes from the app registration now.
  const appOnly = o.tenant !== undefined || o.clientId !== undefined || o.clientSecretEnv !== undefined;
  if (appOnly) {
    try {
      const { appOnlySettings, appOnlyProvider } = await import("../oauth/app-only.js");
      token = await appOnlyProvider(appOnlySettings(o), process.env).getAccessToken();
    } catch (e) {
      const panel = (e as { panelMessage?: string }).panelMessage;
      out(`✗ App-only sign-in: ${(e as Error).message}${panel ? ` — panel: "${panel}"` : ""}\n    → Check --tenant, --client-id and the secret in --client-secret-env; the app registration needs SMTP.SendAsApp with admin consent.`);
      return 2;
    }
  }
  const dnsServers = o.dnsServer ? o.dnsServer.split(",").map((x) => x.trim()).filter(Boolean) : dnsServersFromEnv();
  const res = await runDoctor({
    preset: o.preset ?? board.defaultPreset, board,
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(o.domain !== undefined ? { domain: o.domain } : {}),
    ...(o.acceptedDomain?.length ? { acceptedDomains: o.acceptedDomain } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    ...(authMechs ? { authMechs } : {}),
    ...(o.clientCert && o.clientKey ? { clientCert: { certFile: o.clientCert, keyFile: o.clientKey } } : {}),
    to: o.to ?? [], user: o.user, password, token,
    staticIp: o.staticIp, caFile: o.ca, servername: o.servername,
    noProbe: o.probe === false, appOnly,
    outboxDir: resolve(o.outbox ?? board.outbox.dir),
    ...(dnsServers ? { dnsServers } : {}),
    ...(o.timeout !== undefined ? { stepTimeout: Number(o.timeout) } : {}),
  });
  if (o.json) out(JSON.stringify({ exitCode: res.exitCode, checks: res.checks }, null, 2));
  else out(formatChecklist(res.checks));
  return res.exitCode;
}

export function doctorCommand(): Command {
  return new Command("doctor")
    .description("check a configuration against Microsoft 365 device-mail rules, then probe the server (stops before MAIL; nothing is sent)")
    .addOption(new Option("--preset <name>", "m365-submission | m365-hve | m365-direct-send | m365-relay | generic (default: the board's)"))
    .option("--board <name|file>", "board profile name (boards/*.json) or path; default sim-desktop")
    .option("--server <host>", "server name (default from the preset)")
    .addOption(new Option("--host <name>", "same as --server").hideHelp())
    .option("--port <n>", "server port (default from the preset)")
    .option("--tls <mode>", "starttls | implicit | none (as for send; default from the preset)")
    .option("--require-tls", "STARTTLS must succeed")
    .option("--domain <domain>", "your accepted domain (Direct Send / relay MX endpoint)")
    .option("--accepted-domain <domain>", "accepted domain(s), repeatable", collect)
    .option("--from <address>", "sender address")
    .option("--to <address>", "recipient(s), repeatable or comma-separated", collect)
    .option("--user <mailbox>", "SMTP AUTH user (submission)")
    .option("--auth <mech>", "none | plain | login | xoauth2, or a comma list of allowed mechanisms")
    .option("--password-env <VAR>", "environment variable holding the password (default MFP_MAIL_PASSWORD), as for send")
    .option("--password-file <file>", "file holding the password")
    .option("--token-file <file>", "file holding an XOAUTH2 access token (or env MFP_MAIL_TOKEN)")
    .option("--tenant <tenant>", "app-only XOAUTH2: Entra ID tenant; with --client-id and --client-secret-env")
    .option("--client-id <id>", "app-only XOAUTH2: application (client) id")
    .option("--client-secret-env <VAR>", "app-only XOAUTH2: environment variable holding the client secret")
    .option("--authority <url>", "app-only XOAUTH2: identity platform base URL")
    .option("--dns-server <ip[:port]>", "DNS server(s) for the MX lookup (default $MFP_DNS_SERVER, else the system's)")
    .option("--outbox <dir>", "the device's outbox, for account backoffs and refused jobs (default: the board's)")
    .option("--client-cert <pem>", "client certificate for a relay connector")
    .option("--client-key <pem>", "its private key")
    .option("--static-ip <ip>", "the device's static public IP (SPF hint, relay connector)")
    .option("--ca <pem>", "trust this CA for the server certificate (lab servers)")
    .option("--servername <name>", "name the server certificate must carry (default: --server)")
    .option("--no-probe", "static checks only")
    .option("--timeout <ms>", "per-step timeout of the live probe (default 30000)")
    .option("--json", "machine-readable output")
    .action(async (o: DoctorOpts) => {
      process.exitCode = await doctorAction(o);
    });
}

export { PRESET_NAMES };
