// MX lookup for Direct Send and relay (RFC 5321 §5.1): the domain's MX records, lowest
// preference first, equal preferences in random order; the caller tries the next host when a
// connection fails. Microsoft 365 tenants publish <domain>.mail.protection.outlook.com or, with
// DNSSEC/DANE, hosts under *.mx.microsoft — the record says which, so nothing is derived.
// The resolver is node:dns; `dnsServers` points it at given servers (tests: one on loopback),
// else it uses the system's. With given servers the MX hosts' addresses are resolved by them
// too, so no lookup leaves for another resolver.
import { Resolver } from "node:dns/promises";
import { TransportError } from "./types.js";
import { say } from "../text/outcomes.js";

export interface MxOptions {
  /** "ip" or "ip:port" of DNS servers; default: the system resolver. */
  dnsServers?: string[];
  /** Order of equal preferences, [0, 1). */
  random?: () => number;
  /** Per-query timeout (ms). */
  timeoutMs?: number;
}

export interface MxHost { exchange: string; priority: number }

/** MFP_DNS_SERVER="127.0.0.1:5353[,…]": DNS servers for MX lookups (default: the system's). */
export function dnsServersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const v = env.MFP_DNS_SERVER?.trim();
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
}

function resolverFor(o: MxOptions): Resolver {
  const r = new Resolver({ timeout: o.timeoutMs ?? 5000, tries: 2 });
  if (o.dnsServers?.length) r.setServers(o.dnsServers);
  return r;
}

// c-ares codes: the name or its record does not exist (a setting to fix) vs. DNS trouble (retry).
const ABSENT = new Set(["ENOTFOUND", "ENODATA", "ENONAME", "EBADNAME"]);

/** A failed lookup of the mail server `host` (absent: a setting to fix; else DNS trouble: retry). */
function hostError(e: unknown, host: string): TransportError {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  if (ABSENT.has(code)) return new TransportError("DNS_FAILURE", say("DETAIL:DNS_HOST_ABSENT", { host, errno: code }), false);
  return new TransportError("DNS_FAILURE", say("DETAIL:DNS_HOST_NO_ANSWER", { host, reason: code || (e as Error).message }), true);
}

/** The MX hosts of `domain` in the order to try them. */
export async function lookupMx(domain: string, o: MxOptions = {}): Promise<MxHost[]> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolverFor(o).resolveMx(domain);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (!ABSENT.has(code)) throw new TransportError("DNS_FAILURE", say("DETAIL:DNS_MX_NO_ANSWER", { domain, reason: code || (e as Error).message }), true);
    throw new TransportError("DNS_FAILURE", say("DETAIL:DNS_NO_MX", { domain }), false);
  }
  // RFC 7505: a single MX "." says the domain accepts no mail.
  const hosts = records.filter((r) => r.exchange !== "" && r.exchange !== ".");
  if (hosts.length === 0) throw new TransportError("DNS_FAILURE", say("DETAIL:DNS_NULL_MX", { domain }), false);
  const random = o.random ?? Math.random;
  const keyed = hosts.map((r) => ({ r, k: random() }));
  keyed.sort((a, b) => a.r.priority - b.r.priority || a.k - b.k);
  return keyed.map(({ r }) => ({ exchange: r.exchange.replace(/\.$/, "").toLowerCase(), priority: r.priority }));
}

/**
 * Addresses to connect to for an MX host. With the system resolver the name itself (node:net
 * looks it up); with given DNS servers their A and AAAA answers.
 */
export async function addressesOf(host: string, o: MxOptions = {}): Promise<string[]> {
  if (!o.dnsServers?.length) return [host];
  const r = resolverFor(o);
  const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
  const out = [...(v4.status === "fulfilled" ? v4.value : []), ...(v6.status === "fulfilled" ? v6.value : [])];
  if (out.length > 0) return out;
  const why = [v4, v6].find((x) => x.status === "rejected") as PromiseRejectedResult | undefined;
  throw hostError(why?.reason ?? new Error("no address"), host);
}
