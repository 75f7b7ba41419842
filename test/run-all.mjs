// `npm test`: the core's as-pect specs, then the host's node:test suites, then one closing line.
// Each runner's own output streams through; the counts are read from their summaries.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Node 20's test runner takes no globs: list test/**/*.test.ts ourselves. An optional argument
// narrows the host run to files whose path contains it (npm test -- outbox).
function hostTestFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "artifacts" || e.name === "fixtures" ? [] : hostTestFiles(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}
const filter = process.argv[2] ?? "";
// Every send in the suites goes through the durable outbox: give this run its own, so nothing
// lands in the user's queue and nothing is left behind.
const outboxRoot = mkdtempSync(join(tmpdir(), "mfp-test-outbox-"));
process.env.MFP_OUTBOX_DIR = join(outboxRoot, "outbox");
process.on("exit", () => rmSync(outboxRoot, { recursive: true, force: true }));
const hostOnly = process.env.MFP_TEST_HOST_ONLY === "1";
// Every core session the suites run is recorded as a session tape (host/tape/recorder.ts) for
// the firmware lane, which replays them after the host suites (docs/firmware.md).
const LANE = join("test", "firmware", "lane.firmware.ts");
const runLane = LANE.includes(filter) || filter === "";
if (!process.env.MFP_TAPE_DIR) {
  process.env.MFP_TAPE_DIR = resolve("test", "artifacts", "tapes");
  rmSync(process.env.MFP_TAPE_DIR, { recursive: true, force: true });
}

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], shell: false });
    let text = "";
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      text += d.toString("utf8");
    });
    child.on("close", (code) => resolve({ code: code ?? 1, text }));
  });
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

// TAP's "# skipped" counts tests only: a skipped describe is one "ok … # SKIP" line whose YAML
// block says type: 'suite', and its tests never run or report. Count each such suite as one
// skipped test (test/fixtures/skippable.ts lists a suite's tests one by one instead).
function skippedSuites(tap) {
  return [...tap.matchAll(/^ *ok \d+ - .* # SKIP.*\n *---\n(?: +[a-z_]+:.*\n)*? *type: 'suite'/gm)].length;
}

/** Skip reasons and how many tests each skipped. */
function skipReasons(tap) {
  const counts = new Map();
  for (const m of tap.matchAll(/^ *ok \d+ - .* # SKIP ?(.*)$/gm)) {
    const reason = m[1].trim() || "(no reason given)";
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return counts;
}
const core = hostOnly ? { code: 0, text: "" } : await run("npx", ["asp", "--config", "as-pect.config.js", "--summary"]);
const coreText = strip(core.text);
// as-pect's summary prints "[Tests]: P / T" — passed over total.
const coreTests = coreText.match(/\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/);
const corePassed = coreTests ? Number(coreTests[1]) : 0;
const coreFailed = coreTests ? Number(coreTests[2]) - corePassed : core.code === 0 ? 0 : 1;

// The counts below are read from TAP: pin the reporter (Node 22's default is spec).
const hostArgs = ["--import", "tsx", "--test", "--test-reporter=tap", "--test-concurrency=1", "--test-timeout=600000"];
const files = hostTestFiles("test").filter((f) => f.includes(filter)).sort();
const host = await run(process.execPath, [...hostArgs, ...files]);
const hostText = strip(host.text);
const hostPassed = Number(hostText.match(/^# pass (\d+)/m)?.[1] ?? 0);
const hostFailed = Number(hostText.match(/^# fail (\d+)/m)?.[1] ?? (host.code === 0 ? 0 : 1));
const hostSkipped = Number(hostText.match(/^# skipped (\d+)/m)?.[1] ?? 0) + skippedSuites(hostText);

// The firmware lane: its engines without the cross toolchain count as skipped, with the reason.
const lane = runLane ? await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "--test-timeout=3600000", LANE]) : { code: 0, text: "" };
const laneText = strip(lane.text);
const lanePassed = Number(laneText.match(/^# pass (\d+)/m)?.[1] ?? 0);
const laneFailed = Number(laneText.match(/^# fail (\d+)/m)?.[1] ?? (lane.code === 0 ? 0 : 1));
const laneSkipped = Number(laneText.match(/^# skipped (\d+)/m)?.[1] ?? 0) + skippedSuites(laneText);

// Why tests were skipped, one line per reason, before the closing line.
for (const [reason, n] of skipReasons(hostText + laneText)) console.log(`skipped ${n}: ${reason}`);

const passed = corePassed + hostPassed + lanePassed;
const skipped = hostSkipped + laneSkipped;
const failed = coreFailed + hostFailed + laneFailed + (core.code !== 0 && coreFailed === 0 ? 1 : 0) +
  (host.code !== 0 && hostFailed === 0 ? 1 : 0) + (lane.code !== 0 && laneFailed === 0 ? 1 : 0);
console.log(`\ncore specs: ${corePassed} passed, ${coreFailed} failed; host tests: ${hostPassed} passed, ${hostFailed} failed, ${hostSkipped} skipped` +
  (runLane ? `; firmware lane: ${lanePassed} passed, ${laneFailed} failed, ${laneSkipped} skipped` : ""));
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
