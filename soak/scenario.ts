// What one soak run sends, shared by the soak driver (soak/run.ts: server behaviour and
// expectations) and the device process it kills (soak/child.ts). A *template* (from the run's
// seed) fixes the kind and the scans, so every cut point of a template crosses the same fsyncs;
// every run has its own number in the subject and the recipient addresses, so the one receiving
// server can tell concurrent runs apart.
import type { Json } from "../host/outbox/types.js";
import type { ScanSource } from "../host/scan/types.js";
import { prng, seededBytes } from "./seeded.js";

export type ScenarioKind =
  | "accept"        // one recipient, delivered at once
  | "two-scans"     // a job with two scan files
  | "text-only"     // no scan at all
  | "partial-4xx"   // three recipients, one deferred (450) on the first attempt, then accepted
  | "partial-5xx"   // two recipients, one refused for good (550 5.1.1)
  | "all-deferred"  // every recipient 451 on the first attempt (whole message transient)
  | "refused"       // every recipient refused (550 5.1.1): not delivered
  | "held";         // wrong password (535): held, scan kept

const KINDS: ScenarioKind[] = ["accept", "accept", "two-scans", "text-only", "partial-4xx", "partial-5xx", "all-deferred", "refused", "held"];

export interface Scenario {
  template: number;
  run: number;
  kind: ScenarioKind;
  subject: string;
  recipients: string[];
  /** Recipients that must end up delivered (at least once) when the job was accepted. */
  deliverable: string[];
  scans: { seed: number; size: number }[];
  text: string;
  /** Name of the environment variable with the password the job uses. */
  passwordEnv: string;
}

export const SOAK_USER = "scanner@soak.test";
export const PASSWORD_ENV = "MFP_SOAK_PASSWORD";
export const WRONG_PASSWORD_ENV = "MFP_SOAK_WRONG_PASSWORD";

export function scenario(seed: number, template: number, run: number): Scenario {
  const r = prng((seed ^ Math.imul(template + 1, 0x9e3779b1)) >>> 0);
  const kind = KINDS[Math.floor(r() * KINDS.length)]!;
  const at = (name: string) => `${name}-${run}@soak.test`;
  const size = () => 4096 + Math.floor(r() * 200_000);
  const scan = () => ({ seed: (seed + template * 2) >>> 0, size: size() });
  const base = { template, run, kind, subject: `soak ${run}`, text: `soak run ${run}, ${kind}`, passwordEnv: PASSWORD_ENV };
  switch (kind) {
    case "two-scans":
      return { ...base, recipients: [at("a")], deliverable: [at("a")], scans: [scan(), { seed: (seed + template * 2 + 1) >>> 0, size: size() }] };
    case "text-only":
      return { ...base, recipients: [at("a")], deliverable: [at("a")], scans: [] };
    case "partial-4xx":
      return { ...base, recipients: [at("a"), at("busy"), at("c")], deliverable: [at("a"), at("busy"), at("c")], scans: [scan()] };
    case "partial-5xx":
      return { ...base, recipients: [at("a"), at("gone")], deliverable: [at("a")], scans: [scan()] };
    case "all-deferred":
      return { ...base, recipients: [at("later"), at("later2")], deliverable: [at("later"), at("later2")], scans: [scan()] };
    case "refused":
      return { ...base, recipients: [at("gone")], deliverable: [], scans: [scan()] };
    case "held":
      return { ...base, recipients: [at("a")], deliverable: [], scans: [scan()], passwordEnv: WRONG_PASSWORD_ENV };
    default:
      return { ...base, recipients: [at("a")], deliverable: [at("a")], scans: [scan()] };
  }
}

export function soakScan(seed: number, size: number): ScanSource {
  const bytes = seededBytes(`soak-scan-${seed}`, size);
  return {
    fileName: `soak-${seed}.pdf`, mimeType: "application/pdf", size, replayable: true,
    async *chunks() {
      for (let i = 0; i < size; i += 32 * 1024) yield bytes.subarray(i, Math.min(size, i + 32 * 1024));
    },
  };
}

/** The job the device process enqueues for a scenario (plaintext on loopback only). */
export function jobInput(s: Scenario, port: number) {
  const connection: Json = { host: "127.0.0.1", port, tls: "none", auth: "plain", user: SOAK_USER, passwordEnv: s.passwordEnv, allowPlaintextAuth: true, clientName: "mfp.soak.test" };
  return {
    from: SOAK_USER,
    recipients: s.recipients,
    message: { to: s.recipients, subject: s.subject, text: s.text } as Json,
    connection,
    scans: s.scans.map((x) => soakScan(x.seed, x.size)),
  };
}
