// The simulator's identity provider: just enough of the OAuth 2.0 Device Authorization Grant
// (RFC 8628) on 127.0.0.1 for the panel's Sign in screen to run the real device-code client
// (host/oauth/device-code.ts) offline. It issues a user code, answers "authorization_pending"
// (§3.5) until someone types that code on its /device page, then returns a bearer token that the
// embedded SMTP server accepts for XOAUTH2. Not a security component: lab use only.
import http from "node:http";
import { randomBytes, randomInt } from "node:crypto";
import type { AddressInfo } from "node:net";
import { resolveEndpoints, DEFAULT_DELEGATED_SCOPE } from "../oauth/authority.js";
import { signInWithDeviceCode } from "../oauth/device-code.js";

interface Grant { deviceCode: string; userCode: string; approved: boolean; expiresAt: number; accessToken: string; refreshToken: string }

export interface SimIdp {
  /** Base URL (the "authority"). */
  url: string;
  /** Run the device-code client against this provider; onPrompt shows the code to the user. */
  signIn(onPrompt: (p: { userCode: string; verificationUri: string }) => void, signal?: AbortSignal): Promise<{ account: string; accessToken: string }>;
  close(): Promise<void>;
}

const TENANT = "sim";
const CLIENT_ID = "mfp-mail-simulator";
const LIFETIME_S = 600;
/** Characters that cannot be confused on a panel (no 0/O, 1/I). */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function userCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Simulator sign-in</title>
<style>body{font:18px system-ui,sans-serif;margin:40px;max-width:520px}input,button{font:inherit;padding:8px}:focus-visible{outline:3px solid #d9822b}</style></head>
<body><h1>mfp-mail simulator sign-in</h1>${body}</body></html>`;

async function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) break;
    parts.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(parts).toString("utf8"));
}

export async function startSimIdp(o: { account: string }): Promise<SimIdp> {
  const grants = new Map<string, Grant>();
  const json = (res: http.ServerResponse, status: number, data: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(data));
  };
  let base = "";
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://idp.invalid").pathname;
    try {
      if (req.method === "POST" && path === `/${TENANT}/oauth2/v2.0/devicecode`) {
        const g: Grant = {
          deviceCode: randomBytes(24).toString("base64url"), userCode: userCode(), approved: false,
          expiresAt: Date.now() + LIFETIME_S * 1000,
          accessToken: randomBytes(24).toString("base64url"), refreshToken: randomBytes(24).toString("base64url"),
        };
        grants.set(g.deviceCode, g);
        return json(res, 200, {
          device_code: g.deviceCode, user_code: g.userCode, verification_uri: `${base}device`, expires_in: LIFETIME_S, interval: 1,
          message: `To sign in, open ${base}device and enter the code ${g.userCode}.`,
        });
      }
      if (req.method === "POST" && path === `/${TENANT}/oauth2/v2.0/token`) {
        const form = await readBody(req);
        const g = grants.get(form.get("device_code") ?? "");
        if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:device_code" || !g) return json(res, 400, { error: "invalid_grant" });
        if (Date.now() > g.expiresAt) return json(res, 400, { error: "expired_token" });
        if (!g.approved) return json(res, 400, { error: "authorization_pending" });
        grants.delete(g.deviceCode);
        return json(res, 200, {
          token_type: "Bearer", access_token: g.accessToken, refresh_token: g.refreshToken, expires_in: 3600,
          scope: DEFAULT_DELEGATED_SCOPE,
        });
      }
      if (path === "/device") {
        let note = "";
        if (req.method === "POST") {
          const code = (await readBody(req)).get("user_code")?.trim().toUpperCase() ?? "";
          const g = [...grants.values()].find((x) => x.userCode === code && Date.now() <= x.expiresAt);
          if (g) {
            g.approved = true;
            res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
            return res.end(page(`<p id="result">Signed in as ${o.account}. You can close this page; the device continues.</p>`));
          }
          note = `<p id="result" role="alert">That code is not valid. Check the code on the device.</p>`;
        }
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end(page(`${note}<form method="post"><p><label for="user_code">Code shown on the device</label><br>
<input id="user_code" name="user_code" autocomplete="off" required></p><p>Signing in as <strong>${o.account}</strong></p>
<button type="submit">Sign in</button></form>`));
      }
      json(res, 404, { error: "not_found" });
    } catch {
      json(res, 500, { error: "server_error" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: base,
    async signIn(onPrompt, signal) {
      const endpoints = resolveEndpoints({ authority: base, tenant: TENANT, clientId: CLIENT_ID });
      const tokens = await signInWithDeviceCode({
        endpoints, scope: DEFAULT_DELEGATED_SCOPE, ...(signal ? { signal } : {}),
        onPrompt: (p) => onPrompt({ userCode: p.userCode, verificationUri: p.verificationUri }),
      });
      return { account: o.account, accessToken: tokens.accessToken };
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
