// App-only XOAUTH2 (RFC 6749 §4.4 client credentials, Microsoft's `.default` scope for Exchange
// Online): the app registration signs in as itself and sends as a mailbox an Exchange admin
// granted it. The settings name the environment variable that holds the secret, never the
// secret, so they can be stored with an outbox job and the daemon gets a fresh token on retry.
import { ConfigError } from "../config/errors.js";
import { ClientCredentialsTokenProvider } from "./provider.js";
import type { TokenProvider } from "./types.js";

export interface AppOnlySettings {
  tenant: string;
  clientId: string;
  /** Identity platform base URL (default https://login.microsoftonline.com). */
  authority?: string;
  /** Name of the environment variable holding the client secret. */
  secretEnv: string;
}

/** The settings from send/doctor flags; ConfigError naming the flag when one is missing. */
export function appOnlySettings(f: { tenant?: string; clientId?: string; clientSecretEnv?: string; authority?: string }): AppOnlySettings {
  if (!f.tenant) throw new ConfigError("OPTION_INVALID", "--tenant", "app-only sign-in needs the Entra ID tenant (GUID or domain)");
  if (!f.clientId) throw new ConfigError("OPTION_INVALID", "--client-id", "app-only sign-in needs the application (client) id");
  if (!f.clientSecretEnv) {
    throw new ConfigError("OPTION_INVALID", "--client-secret-env", "app-only sign-in needs the client secret: put it in an environment variable and name it with --client-secret-env VAR");
  }
  return { tenant: f.tenant, clientId: f.clientId, secretEnv: f.clientSecretEnv, ...(f.authority ? { authority: f.authority } : {}) };
}

/** A token provider for the settings, the secret read from `env` now. ConfigError naming the flag at fault. */
export function appOnlyProvider(s: AppOnlySettings, env: NodeJS.ProcessEnv): TokenProvider {
  const clientSecret = env[s.secretEnv];
  if (clientSecret === undefined || clientSecret === "") {
    throw new ConfigError("OPTION_INVALID", "--client-secret-env", `environment variable ${s.secretEnv} is ${clientSecret === undefined ? "not set" : "empty"}`);
  }
  try {
    return new ClientCredentialsTokenProvider({ tenant: s.tenant, clientId: s.clientId, clientSecret, ...(s.authority ? { authority: s.authority } : {}) });
  } catch (e) {
    // resolveEndpoints: a tenant or client id that cannot be put in a URL, or a non-https authority.
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message;
    const flag = code === "OAUTH_INSECURE_AUTHORITY" || /^"/.test(msg) ? "--authority" : /^client id/.test(msg) ? "--client-id" : "--tenant";
    throw new ConfigError("OPTION_INVALID", flag, msg);
  }
}
