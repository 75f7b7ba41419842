// XOAUTH2 during a session: the core asked for a token (NeedAccessToken). Fetch it from the
// provider and hand it to the core, or say why not as the session's failure.
import type { Core } from "../core/core.js";
import type { CoreFailure } from "./classify.js";
import type { TokenProvider } from "./types.js";

/** null when the core has the token; otherwise the failure to record (the session then ends). */
export async function supplyToken(core: Core, tp: TokenProvider | undefined): Promise<CoreFailure | null> {
  const fail = (text: string, reason: string, token?: CoreFailure["token"]): CoreFailure =>
    ({ code: 0, enhanced: "", text, cls: core.k.ClassLocal!, reason, stage: "Auth", command: "AUTH", ...(token ? { token } : {}) });
  if (!tp) return fail("no XOAUTH2 token: sign in first (mfp-mail login)", "NoToken");
  let token: string;
  try {
    token = await tp.getAccessToken();
  } catch (e) {
    // An OAuthError (host/oauth/errors.ts) says whether retrying later can help and what the
    // panel should say; read by shape so the session does not load the OAuth module.
    const oe = e as { code?: unknown; transient?: unknown; panelMessage?: unknown };
    const t = typeof oe.code === "string" && typeof oe.panelMessage === "string"
      ? { code: oe.code, transient: oe.transient === true, panel: oe.panelMessage } : undefined;
    return fail(`no XOAUTH2 token: ${(e as Error).message}`, "NoToken", t);
  }
  if (core.accessToken(token) !== 0) return fail("the access token was refused by the core", "BadArgument");
  return null;
}
