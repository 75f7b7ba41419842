// The performance targets, checked against one run's results: each is a ratio of medians from
// the same interleaved run (or a byte count), printed with met/missed and the receiver named.
import type { E2eResult, PeerFigures } from "./e2e.js";

export interface TargetRow {
  target: string;
  receiver: string;
  measured: number | null;
  limit: string;
  met: boolean | null;
  detail: string;
}

const med = (f: PeerFigures | undefined) => f?.ok ? f.wallMs?.median ?? NaN : NaN;
const cpu = (f: PeerFigures | undefined) => f?.cpuMs?.median ?? NaN;
const peer = (r: E2eResult, name: string) => r.peers.find((p) => p.peer === name);
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

function row(target: string, receiver: string, measured: number | null, max: number, detail: string, strict = false): TargetRow {
  const met = measured === null ? null : strict ? measured < max : measured <= max;
  return { target, receiver, measured, limit: `${strict ? "<" : "≤"} ${max}`, met, detail };
}

/** 50 MiB over STARTTLS + AUTH: the four ratios, for each receiver measured. */
export function sendTargets(e2e: E2eResult[]): TargetRow[] {
  const out: TargetRow[] = [];
  for (const r of e2e.filter((x) => x.sizeMiB === 50)) {
    const nq = peer(r, "mfp-mail --no-queue");
    const durable = peer(r, "mfp-mail");
    const nm = peer(r, "nodemailer");
    const curl = peer(r, "curl --upload-file");
    const floor = peer(r, "floor");
    const ms = (f: PeerFigures | undefined) => `${med(f).toFixed(0)} ms`;
    out.push(row("50 MiB --no-queue / nodemailer", r.receiver, ratio(med(nq), med(nm)), 0.8, `${ms(nq)} vs ${ms(nm)}`));
    out.push(row("50 MiB durable default / nodemailer", r.receiver, ratio(med(durable), med(nm)), 1.0, `${ms(durable)} vs ${ms(nm)}`));
    out.push(row("50 MiB durable default / curl --upload-file", r.receiver, ratio(med(durable), med(curl)), 1.0, `${ms(durable)} vs ${ms(curl)} (--no-queue ${ratio(med(nq), med(curl))}×)`));
    out.push(row("50 MiB --no-queue / raw-TLS floor of the same bytes", r.receiver, ratio(med(nq), med(floor)), 1.3, `${ms(nq)} vs ${ms(floor)}`));
  }
  return out;
}

/** arm-64mb through the link model: mfp-mail (both ways) against nodemailer, CPU shown. */
export function linkTargets(link: E2eResult[]): TargetRow[] {
  const out: TargetRow[] = [];
  for (const r of link) {
    const nm = peer(r, "nodemailer");
    const model = `${r.link.delayMs} ms each way${r.link.mbit ? `, ${r.link.mbit} Mbit/s` : ""}`;
    for (const name of ["mfp-mail", "mfp-mail --no-queue"]) {
      const f = peer(r, name);
      if (!f) continue;
      out.push(row(`${r.board} ${r.sizeMiB} MiB ${name}, ${model} / nodemailer`, r.receiver, ratio(med(f), med(nm)), 1.0,
        `${med(f).toFixed(0)} vs ${med(nm).toFixed(0)} ms; CPU ${cpu(f).toFixed(0)} vs ${cpu(nm).toFixed(0)} ms`));
    }
  }
  return out;
}

/** RSS growth per board and the device board's core memory. */
export function memoryTargets(rows: Record<string, unknown>[], receiver: string): TargetRow[] {
  const out: TargetRow[] = [];
  for (const r of rows.filter((x) => "rssGrowthKb" in x)) {
    const kb = r.rssGrowthKb as number;
    const sizes = rows.filter((x) => x.board === r.board && "sizeMiB" in x).map((x) => x.sizeMiB);
    out.push(row(`RSS growth ${sizes.join(" → ")} MiB, ${r.board}`, receiver, Math.round((kb / 1024) * 100) / 100, 8, `${kb} KB (MiB shown)`, true));
  }
  const arm = rows.find((x) => x.board === "arm-64mb" && x.sizeMiB === 200);
  if (arm) out.push(row("core linear memory, arm-64mb, 200 MiB scan (bytes)", receiver, arm.coreMemoryBytes as number, 131072, "unchanged from 128 KiB"));
  return out;
}

export function printTargets(rows: TargetRow[], say: (s: string) => void): void {
  say("targets:");
  for (const t of rows) {
    const verdict = t.met === null ? "not measured" : t.met ? "met" : "MISSED";
    say(`  ${verdict.padEnd(12)} ${t.target}: ${t.measured ?? "—"} (${t.limit}) — ${t.receiver}; ${t.detail}`);
  }
}
