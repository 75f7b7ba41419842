// The OAuth 2.0 part of the host: device-code sign-in, refresh, client credentials, token cache.
export * from "./types.js";
export * from "./errors.js";
export * from "./authority.js";
export { TokenCache, CACHE_FILE_NAME, type CacheEntry } from "./cache.js";
export { signInWithDeviceCode, type DeviceSignInOptions } from "./device-code.js";
export {
  DelegatedTokenProvider,
  ClientCredentialsTokenProvider,
  deviceLogin,
  cachedTokenProvider,
  DEFAULT_SKEW_MS,
  type DelegatedOptions,
  type ClientCredentialsOptions,
  type DeviceLoginOptions,
} from "./provider.js";
