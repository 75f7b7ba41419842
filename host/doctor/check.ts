// One line of `mfp-mail doctor`'s answer: what was checked, how it went, and the fix.
export type CheckStatus = "ok" | "warn" | "error" | "info";
export interface Check {
  id: string; status: CheckStatus; title: string; fix?: string;
  /** A live failure: the core state it failed in ("Auth") and the command whose reply failed it ("AUTH"). */
  stage?: string; command?: string;
}
/** Adds one line to the checklist being built. */
export type AddCheck = (id: string, status: CheckStatus, title: string, fix?: string) => void;
