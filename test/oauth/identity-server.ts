// A loopback identity endpoint for the OAuth tests: Microsoft identity platform v2.0 paths
// (`/{tenant}/oauth2/v2.0/devicecode` and `/token`), the device-code, refresh-token and
// client-credentials grants, opaque random tokens, and a scripted sequence of poll answers.
// Listens on 127.0.0.1, port 0. Also validates access tokens for the SMTP fixture.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the token endpoint answers to each device-code poll, in order; the last one repeats. */
export type PollAnswer = "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "authorization_declined" | "ok";

export interface IdentityOptions {
  tenant?: string;
  clientId?: string;
  /** For client credentials. */
  clientSecret?: string;
  interval?: number;
  deviceExpiresIn?: number;
  accessExpiresIn?: number;
  polls?: PollAnswer[];
  /** Omit `interval` from the device authorization response (RFC 8628 default 5 s applies). */
  omitInterval?: boolean;
}

export interface RequestRecord {
  path: string;
  grantType?: string;
  /** Form field names only: values (codes, tokens, secrets) are not kept in the record. */
  fields: string[];
  scope?: string;
  clientId?: string;
  status: number;
  error?: string;
}

const rand = () => randomBytes(24).toString("base64url");

export class IdentityServer {
  readonly tenant: string;
  readonly clientId: string;
  readonly requests: RequestRecord[] = [];
  /** Every access and refresh token ever issued (tests search logs for them). */
  readonly issued: string[] = [];
  readonly userCode = "BXQK-7RTM";
  private server: Server | undefined;
  private deviceCodes = new Map<string, { used: boolean }>();
  private access = new Map<string, { account: string; valid: boolean }>();
  private refresh = new Map<string, { valid: boolean }>();
  private polls: PollAnswer[];
  /** When true, every refresh answers invalid_grant (revoked sign-in). */
  refreshRevoked = false;
  /** When true, new access tokens are issued already unacceptable to the SMTP server (e.g. missing SMTP.Send consent). */
  issueUnusable = false;
  account = "scanner@contoso.example";

  constructor(readonly o: IdentityOptions = {}) {
    this.tenant = o.tenant ?? "contoso.example";
    this.clientId = o.clientId ?? "8c1f0d7e-mfp-test-client";
    this.polls = [...(o.polls ?? ["ok"])];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this.authority;
  }

  get authority(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Whether an SMTP server should accept this bearer token for this user. */
  isValidAccessToken(token: string, user: string): boolean {
    const t = this.access.get(token);
    return !!t && t.valid && t.account.toLowerCase() === user.toLowerCase();
  }

  /** Server-side expiry: the client still believes the token is good; the SMTP server will not. */
  expireAllAccessTokens(): void {
    for (const t of this.access.values()) t.valid = false;
  }

  grants(type: string): number {
    return this.requests.filter((r) => r.grantType === type).length;
  }

  private issue(withRefresh: boolean): Record<string, unknown> {
    const accessToken = `at-${rand()}`;
    this.access.set(accessToken, { account: this.account, valid: !this.issueUnusable });
    this.issued.push(accessToken);
    const body: Record<string, unknown> = {
      token_type: "Bearer", // Microsoft's spelling; the client must compare case-insensitively
      scope: "https://outlook.office.com/SMTP.Send",
      expires_in: this.o.accessExpiresIn ?? 3600,
      ext_expires_in: this.o.accessExpiresIn ?? 3600,
      access_token: accessToken,
    };
    if (withRefresh) {
      const refreshToken = `rt-${rand()}`;
      this.refresh.set(refreshToken, { valid: true });
      this.issued.push(refreshToken);
      body.refresh_token = refreshToken;
    }
    return body;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const rec: RequestRecord = {
      path,
      grantType: form.get("grant_type") ?? undefined,
      fields: [...form.keys()].sort(),
      scope: form.get("scope") ?? undefined,
      clientId: form.get("client_id") ?? undefined,
      status: 200,
    };
    this.requests.push(rec);
    const send = (status: number, body: Record<string, unknown>) => {
      rec.status = status;
      if (typeof body.error === "string") rec.error = body.error;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    const fail = (error: string, description: string, status = 400) =>
      send(status, { error, error_description: `AADSTS00000: ${description}`, error_codes: [0], trace_id: "t", correlation_id: "c" });

    const base = `/${this.tenant}/oauth2/v2.0`;
    if (req.method !== "POST") return fail("invalid_request", "POST only", 405);
    if (form.get("client_id") !== this.clientId) return fail("unauthorized_client", "unknown client", 400);

    if (path === `${base}/devicecode`) {
      const deviceCode = `dc-${rand()}`;
      this.deviceCodes.set(deviceCode, { used: false });
      const verificationUri = `${this.authority}/devicelogin`;
      return send(200, {
        user_code: this.userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: this.o.deviceExpiresIn ?? 900,
        ...(this.o.omitInterval ? {} : { interval: this.o.interval ?? 5 }),
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${this.userCode} to authenticate.`,
      });
    }
    if (path !== `${base}/token`) return fail("invalid_request", "no such endpoint", 404);

    switch (form.get("grant_type")) {
      case "urn:ietf:params:oauth:grant-type:device_code": {
        const dc = this.deviceCodes.get(form.get("device_code") ?? "");
        if (!dc || dc.used) return fail("invalid_grant", "unknown or used device code");
        const answer = this.polls.length > 1 ? this.polls.shift()! : this.polls[0]!;
        if (answer !== "ok") return fail(answer, `device code answer ${answer}`);
        dc.used = true;
        return send(200, this.issue(/offline_access/.test(form.get("scope") ?? "offline_access")));
      }
      case "refresh_token": {
        const rt = this.refresh.get(form.get("refresh_token") ?? "");
        if (this.refreshRevoked || !rt || !rt.valid) return fail("invalid_grant", "The refresh token has expired or was revoked.");
        rt.valid = false; // rotation, as Microsoft does: the old refresh token stops working
        return send(200, this.issue(true));
      }
      case "client_credentials": {
        if (!this.o.clientSecret || form.get("client_secret") !== this.o.clientSecret) {
          return fail("invalid_client", "Invalid client secret provided.", 401);
        }
        return send(200, this.issue(false));
      }
      default:
        return fail("unsupported_grant_type", "unsupported grant");
    }
  }
}

/** A clock whose sleeps return at once and move time forward by the amount asked. */
export class FakeClock {
  t = Date.UTC(2026, 10, 23, 12, 0, 0);
  readonly sleeps: number[] = [];
  now = (): number => this.t;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return; // like systemClock: an aborted wait ends at once, never rejects
    this.sleeps.push(ms);
    this.t += ms;
  };
}
