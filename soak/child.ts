// The device process the soak kills: it enqueues one scenario's message and delivers it once,
// exactly what `mfp-mail send` does. SOAK_CUT="fsync:<k>:before|after" makes it SIGKILL itself
// just before or just after its k-th fsync — every fsync boundary of enqueue, deliver and
// complete, since every durable step of the outbox ends in one. Without SOAK_CUT it runs to the
// end and prints how many fsyncs it made (the driver's dry run), or is killed by the driver at a
// random instant or while the server holds back its 250.
//   node dist/soak/child.js   (env: SOAK_DIR SOAK_PORT SOAK_SEED SOAK_TEMPLATE SOAK_RUN [SOAK_CUT])
import { open } from "node:fs/promises";
import { defaultBoard } from "../host/config/board.js";
import { Outbox } from "../host/outbox/index.js";
import { sessionDeliver } from "../host/outbox/session-deliver.js";
import { jobInput, scenario } from "./scenario.js";
import { prng } from "./seeded.js";

const say = (s: string) => process.stdout.write(s + "\n");
const die = () => process.kill(process.pid, "SIGKILL");

/** Count fsyncs (FileHandle.sync: files and directories alike) and die at the chosen one. */
async function armCut(spec: string | undefined): Promise<() => number> {
  const probe = await open(process.execPath, "r");
  const proto = Object.getPrototypeOf(probe) as { sync(this: unknown): Promise<void> };
  await probe.close();
  const real = proto.sync;
  const [, k, when] = /^fsync:(\d+):(before|after)$/.exec(spec ?? "") ?? [];
  let n = 0;
  proto.sync = async function sync(this: unknown) {
    n++;
    if (Number(k) === n && when === "before") die();
    await real.call(this);
    if (Number(k) === n && when === "after") die();
  };
  return () => n;
}

const fsyncs = await armCut(process.env.SOAK_CUT);
const seed = Number(process.env.SOAK_SEED);
const s = scenario(seed, Number(process.env.SOAK_TEMPLATE), Number(process.env.SOAK_RUN));
const outbox = await Outbox.open({
  dir: process.env.SOAK_DIR!,
  retry: { initialDelay: 1000, maxDelay: 4000, multiplier: 2, jitter: 0.2, maxAttempts: 10, giveUpAfter: 3_600_000 },
  random: prng(seed + s.run),
});
say("start");
const job = await outbox.enqueue(jobInput(s, Number(process.env.SOAK_PORT)));
say(`enqueued ${job.id}`);
const out = await outbox.deliverNow(job.id, sessionDeliver({ board: defaultBoard() }));
say(`outcome ${out.kind}`);
say(`fsyncs ${fsyncs()}`);
