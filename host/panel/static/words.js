// What every part of the page shares: the device state, the panel language, and the words and
// numbers told in it — the catalogue line, times in the board's one clock format, byte sizes —
// and the one way to call this device's API.
export const ui = { state: null, lang: "en", clockOffset: 0 };

/** The line `key` in the panel's language with its {values} filled in. */
export function t(key, values = {}) {
  const text = ui.state?.texts[ui.lang]?.[key] ?? ui.state?.texts.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
}

// Times in one format, the board's (panel.clock), from the device's clock (/api/state), not the browser's.
export function formatTime(d) {
  const mm = String(d.getMinutes()).padStart(2, "0");
  if (ui.state?.clock === "12h") return `${d.getHours() % 12 || 12}:${mm} ${d.getHours() < 12 ? "AM" : "PM"}`;
  return `${String(d.getHours()).padStart(2, "0")}:${mm}`;
}
/** A time of another day carries its date: "2026-11-22 14:05". */
export function formatWhen(iso) {
  const d = new Date(iso);
  const today = new Date(Date.now() + ui.clockOffset);
  const sameDay = d.toDateString() === today.toDateString();
  const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return sameDay ? formatTime(d) : `${date} ${formatTime(d)}`;
}
export function formatBytes(n) {
  const [v, unit] = n >= 1 << 20 ? [(n / (1 << 20)).toFixed(1), "MiB"] : n >= 1 << 10 ? [(n / (1 << 10)).toFixed(0), "KiB"] : [String(n), "B"];
  return `${ui.lang === "de" ? v.replace(".", ",") : v} ${unit}`;
}

export async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.key ? t(json.key, json.values) : json.error ?? `HTTP ${res.status}`);
  return json;
}
