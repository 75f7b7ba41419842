// What the user sees while a send runs: a progress bar (bytes sent / total, rate, ETA) on a
// terminal, one quiet line per event otherwise.
import { createRequire } from "node:module";
import type { Progress } from "../session/types.js";

export interface ProgressView {
  update(p: Progress): void;
  stop(): void;
}

function human(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

export function progressView(tty: boolean, line: (s: string) => void): ProgressView {
  if (!tty) {
    let lastText = "";
    return {
      update(p) {
        // One line per phase / page change, not per byte.
        if (p.text === lastText) return;
        lastText = p.text;
        line(p.bytesTotal > 0 && p.phase === "Sending" ? `${p.text} (${human(p.bytesSent)} of ${human(p.bytesTotal)})` : p.text);
      },
      stop() {},
    };
  }
  // Loaded only for a terminal: `send --json` and scripts do not pay for it at start-up.
  const cliProgress = createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");
  const bar = new cliProgress.SingleBar({
    format: "{phase} |{bar}| {percentage}% {sent}/{size} {speed} ETA {etaText}",
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  // The rate counts from the first body byte, not from the connection set-up.
  let t0 = 0;
  return {
    update(p) {
      if (t0 === 0 && p.bytesSent > 0) t0 = Date.now();
      const secs = t0 === 0 ? 0 : (Date.now() - t0) / 1000;
      const payload = { phase: p.text.padEnd(22), sent: human(p.bytesSent), size: human(p.bytesTotal),
        speed: secs > 0.05 ? `${human(p.bytesSent / secs)}/s` : "-",
        etaText: secs > 0.05 && p.bytesSent > 0 ? `${Math.ceil((p.bytesTotal - p.bytesSent) / (p.bytesSent / secs))}s` : "-" };
      if (!started) { bar.start(Math.max(1, p.bytesTotal), p.bytesSent, payload); started = true; }
      if (p.bytesTotal > 0) bar.setTotal(p.bytesTotal);
      bar.update(p.bytesSent, payload);
    },
    stop() { if (started) bar.stop(); },
  };
}
