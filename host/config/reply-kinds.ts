// The words both reply tables use (replies.ts, the generic rows; m365-replies.ts, Exchange
// Online's): kept apart so that neither table imports the other's module for them.
import type { PresetName } from "./board.js";

export type ReplyClass = "ok" | "transient" | "permanent";
/** What the sender should do next: nothing, retry later, split the scan, or wait for a config fix. */
export type NextAction = "none" | "retry" | "split" | "fix-config";

export interface ReplyContext {
  preset?: PresetName;
}
