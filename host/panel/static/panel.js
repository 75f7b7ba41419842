// The front panel's behaviour: plain DOM, no framework, no network except this device's own API.
// Every word comes from the panel catalogue (/api/state `texts`, host/panel/texts.ts) or, for what
// became of a scan, from the outcome catalogue in the chosen language (sent with each event).
import { ui, t, formatTime, formatWhen, formatBytes, api } from "./words.js";

const $ = (id) => document.getElementById(id);
let currentJob = null;
let lastProgress = null;
let lastDone = null;
let outboxCache = { jobs: [], notices: [] };

function applyTexts() {
  document.documentElement.lang = ui.lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t, el.dataset.n ? { n: el.dataset.n } : {});
  for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
  for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
  $("lang-switch").lang = ui.lang === "en" ? "de" : "en";
}

function showScreen(name) {
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.screen === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== `screen-${name}`;
  if (name === "outbox") refreshOutbox();
}
for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showScreen(tab.dataset.screen));

function tick() {
  $("clock").textContent = formatTime(new Date(Date.now() + ui.clockOffset));
}
setInterval(tick, 10_000);

async function loadState() {
  const first = ui.state === null;
  ui.state = await api("/api/state");
  if (first) ui.lang = ui.state.language;
  if (ui.state.time) ui.clockOffset = Date.parse(ui.state.time) - Date.now();
  tick();
  applyTexts();
  $("device-name").textContent = ui.state.device;
  $("subject").value = ui.state.defaults.subject;
  $("filename").value = ui.state.defaults.filename;
  if ($("format").value === "tiff") $("filename").value = $("filename").value.replace(/\.pdf$/i, ".tif");
  // The address book as buttons (a touch panel has no autocomplete): press to add or remove.
  $("address-book").replaceChildren(...ui.state.addressBook.map((e) => {
    const b = Object.assign(document.createElement("button"), { type: "button", className: "chip", textContent: e.name, title: e.address });
    b.dataset.address = e.address;
    b.setAttribute("aria-label", `${e.name} <${e.address}>`);
    b.addEventListener("click", () => toggleRecipient(e.address));
    return b;
  }));
  $("send-to-me").hidden = !ui.state.me;
  syncChips();
}

$("lang-switch").addEventListener("click", () => {
  ui.lang = ui.lang === "en" ? "de" : "en";
  applyTexts();
  tick();
  if (lastProgress) onProgress(lastProgress);
  if (lastDone) onDone(lastDone);
  renderOutbox();
});

const recipients = () => $("to").value.split(",").map((s) => s.trim()).filter(Boolean);
const same = (a, b) => a.toLowerCase() === b.toLowerCase();

function syncChips() {
  const have = recipients();
  for (const b of document.querySelectorAll("#address-book .chip")) {
    b.setAttribute("aria-pressed", String(have.some((a) => same(a, b.dataset.address))));
  }
}

function toggleRecipient(address, keep = false) {
  const have = recipients();
  const i = have.findIndex((a) => same(a, address));
  if (i < 0) have.push(address);
  else if (!keep) have.splice(i, 1);
  $("to").value = have.join(", ");
  $("to").setCustomValidity("");
  syncChips();
}
$("to").addEventListener("input", syncChips);

// The file name follows the file type: Scan_….pdf ⇄ Scan_….tif (the device adds it anyway).
$("format").addEventListener("change", () => {
  const ext = $("format").value === "tiff" ? "tif" : "pdf";
  $("filename").value = $("filename").value.replace(/\.(pdf|tiff?)$/i, "") + `.${ext}`;
});

$("send-to-me").addEventListener("click", () => {
  toggleRecipient(ui.state.me, true);
  $("to").focus();
});

function setMessage(el, text, cls) {
  el.textContent = text;
  el.className = `message ${cls ?? ""}`;
}

function setBar(pct) {
  $("bar-fill").style.width = `${pct}%`;
  $("bar").setAttribute("aria-valuenow", String(pct));
}

$("scan-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const to = recipients();
  if (to.length === 0) {
    $("to").setCustomValidity(t("scan.needRecipient"));
    $("to").reportValidity();
    return;
  }
  $("to").setCustomValidity("");
  $("scan-button").disabled = true;
  lastProgress = null;
  lastDone = null;
  try {
    const { jobId } = await api("/api/scan", {
      to, subject: $("subject").value, filename: $("filename").value,
      pages: Number($("pages").value), resolution: Number($("resolution").value), colour: $("colour").value, format: $("format").value,
    });
    currentJob = jobId;
    $("summary").textContent = `${$("filename").value || ui.state.defaults.filename} → ${to.join(", ")}`;
    $("scan-form").hidden = true;
    $("progress-view").hidden = false;
    $("done-button").hidden = true;
    $("stop-button").hidden = false;
    setMessage($("message"), "");
    $("phase").textContent = t("phase.scanning", { page: 1, pages: Number($("pages").value) });
    // Events can outrun the POST's answer (a fast failure): replay what came for this job.
    const early = earlyEvents.get(jobId);
    earlyEvents.clear();
    if (early?.progress) onProgress(early.progress);
    if (early?.done) onDone(early.done);
  } catch (err) {
    $("summary").textContent = "";
    $("scan-button").disabled = false;
    $("scan-form").hidden = true;
    $("progress-view").hidden = false;
    $("stop-button").hidden = true;
    $("phase").textContent = ui.state.notSent[ui.lang];
    setMessage($("message"), err.message, "error");
    $("done-button").hidden = false;
  }
});

$("done-button").addEventListener("click", async () => {
  $("progress-view").hidden = true;
  $("scan-form").hidden = false;
  $("scan-button").disabled = false;
  setBar(0);
  $("detail").textContent = "";
  currentJob = null;
  lastProgress = null;
  lastDone = null;
  await loadState();
  $("to").focus();
});

// Events for a job the page does not know yet (its POST has not answered): kept briefly.
const earlyEvents = new Map();
function keepEarly(kind, e) {
  if (currentJob !== null) return;
  if (earlyEvents.size > 20) earlyEvents.clear();
  earlyEvents.set(e.jobId, { ...earlyEvents.get(e.jobId), [kind]: e });
}

// Pages while the scanner works, bytes once the scan is stored and the session sends it.
function onProgress(p) {
  if (p.jobId !== currentJob) return keepEarly("progress", p);
  if (lastDone) return;
  lastProgress = p;
  $("phase").textContent = t(p.step.key, p.step.values);
  if (p.stage === "scanning") {
    setBar(p.pages > 0 ? Math.round((100 * p.pagesScanned) / p.pages) : 0);
    $("detail").textContent = t("progress.scanned", { n: p.pagesScanned, pages: p.pages });
  } else {
    setBar(p.bytesTotal > 0 ? Math.min(100, Math.round((100 * p.bytesSent) / p.bytesTotal)) : 0);
    const sent = t("progress.sent", { sent: formatBytes(p.bytesSent), total: formatBytes(p.bytesTotal) });
    $("detail").textContent = p.rateBps > 0 ? `${sent} · ${t("progress.rate", { rate: formatBytes(p.rateBps) })}` : sent;
  }
}

function onDone(d) {
  if (d.jobId !== currentJob) return keepEarly("done", d);
  lastDone = d;
  $("stop-button").hidden = true;
  closeDialog();
  if (d.stopped) {
    $("phase").textContent = t("phase.stopped");
    const key = d.stopped === "kept" && d.nextAttemptAt ? "stopped.keptNext" : `stopped.${d.stopped}`;
    setMessage($("message"), t(key, d.nextAttemptAt ? { time: formatWhen(d.nextAttemptAt) } : {}), "warn");
  } else {
    $("phase").textContent = d.texts.outcome[ui.lang]; // from the outcome-text catalogue (host/text/outcomes.ts)
    if (d.status === "sent" || d.status === "partial") setBar(100);
    setMessage($("message"), d.texts.message[ui.lang], d.status === "sent" ? "ok" : d.status === "failed" ? "error" : "warn");
  }
  $("done-button").hidden = false;
  if (!document.activeElement || document.activeElement === document.body || document.activeElement.id === "stop-button" || $("progress-view").contains(document.activeElement)) $("done-button").focus();
}

// ── Confirm dialogs: Stop (scanning / sending) and Cancel (Outbox) ─────────────────────────────
let dialogReturn = null;
function openDialog(title, text, choices) {
  dialogReturn = document.activeElement;
  $("dialog-title").textContent = title;
  $("dialog-text").textContent = text;
  $("dialog-actions").replaceChildren(...choices.map(([label, cls, act]) => {
    const b = Object.assign(document.createElement("button"), { type: "button", className: cls, textContent: label });
    b.addEventListener("click", () => { closeDialog(); act?.(); });
    return b;
  }));
  $("dialog").hidden = false;
  // The safe choice (Continue / Keep it) takes the focus: Enter never deletes by accident.
  $("dialog-actions").lastElementChild.focus();
}
function closeDialog() {
  if ($("dialog").hidden) return;
  $("dialog").hidden = true;
  if (dialogReturn && document.contains(dialogReturn) && !dialogReturn.hidden) dialogReturn.focus();
  dialogReturn = null;
}
document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeDialog(); });
$("dialog").addEventListener("click", (e) => { if (e.target === $("dialog")) closeDialog(); });

$("stop-button").addEventListener("click", () => {
  const job = currentJob;
  const stop = async (choice) => {
    $("phase").textContent = t("phase.stopping");
    await api(`/api/scan/${encodeURIComponent(job)}/stop`, { choice }).catch(() => {});
  };
  if ((lastProgress?.stage ?? "scanning") === "scanning") {
    openDialog(t("stop.scanTitle"), t("stop.scanText"), [[t("stop.discard"), "danger", () => stop("discard")], [t("stop.continue"), "secondary"]]);
  } else {
    openDialog(t("stop.sendTitle"), t("stop.sendText"), [
      [t("stop.keep"), "secondary", () => stop("keep")], [t("stop.delete"), "danger", () => stop("delete")], [t("stop.continue"), "secondary"],
    ]);
  }
});

// ── Outbox ─────────────────────────────────────────────────────────────────────────────────────
async function refreshOutbox() {
  outboxCache = await api("/api/outbox");
  renderOutbox();
}

function jobState(j) {
  if (j.state === "held") return `⚠ ${t("outbox.held")}`;
  if (j.state === "waiting") return t("outbox.waiting");
  const once = j.attempts === 1 ? "Once" : "";
  if (j.state === "due" || !j.nextAttemptAt) return t(`outbox.due${once}`, { n: j.attempts });
  return t(`outbox.retrying${once}`, { n: j.attempts, time: formatWhen(j.nextAttemptAt) });
}

function jobName(j) {
  return `${j.files.join(", ") || "—"} · ${formatWhen(j.createdAt)}`;
}

function renderOutbox() {
  const { jobs, notices } = outboxCache;
  const held = jobs.filter((j) => j.alert).length;
  $("outbox-count").hidden = jobs.length === 0;
  $("outbox-count").textContent = held ? `${jobs.length} ⚠` : String(jobs.length);
  $("outbox-count").classList.toggle("alert", held > 0);
  $("outbox-count").setAttribute("aria-label", held ? t("badge.held", { n: jobs.length, held }) : t("badge.jobs", { n: jobs.length }));
  // Held scans and scans removed to make room are alerts: a person has to act or know.
  const alerts = [...(held ? [t("outbox.heldAlert", { n: held })] : []), ...(notices ?? []).map((n) => n[ui.lang])];
  $("outbox-alerts").replaceChildren(...alerts.map((a) => Object.assign(document.createElement("p"), { className: "alert", textContent: `⚠ ${a}` })));
  $("outbox-empty").hidden = jobs.length > 0;
  $("outbox-rows").replaceChildren(...jobs.map(jobCard));
}

function jobCard(j) {
  const li = Object.assign(document.createElement("li"), { className: j.alert ? "job held" : "job" });
  li.dataset.job = j.id;
  const size = [j.pages === null ? null : j.pages === 1 ? t("outbox.page") : t("outbox.pages", { n: j.pages }), formatBytes(j.bytes)].filter(Boolean).join(" · ");
  const to = [t("outbox.to", { list: j.recipients.join(", ") }), j.delivered ? t("outbox.delivered", { n: j.delivered }) : null, t("outbox.scanned", { time: formatWhen(j.createdAt) })];
  const lines = [
    ["what", `${j.files.join(", ") || "—"} · ${size}`],
    ["to", to.filter(Boolean).join(" · ")],
    ["state", jobState(j)],
    ...(j.alert ? [["why", j.alert[ui.lang]]] : j.lastMessage ? [["last", t("outbox.last", { text: j.lastMessage })]] : []),
  ];
  for (const [cls, text] of lines) li.appendChild(Object.assign(document.createElement("p"), { className: `info ${cls}`, textContent: text }));
  const buttons = Object.assign(document.createElement("div"), { className: "buttons" });
  const retry = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: t("outbox.retry") });
  retry.dataset.action = "retry";
  retry.setAttribute("aria-label", t("outbox.retryLabel", { job: jobName(j) }));
  retry.addEventListener("click", () => outboxAction(j, "retry"));
  const cancel = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: t("outbox.cancel") });
  cancel.dataset.action = "cancel";
  cancel.setAttribute("aria-label", t("outbox.cancelLabel", { job: jobName(j) }));
  // Cancel deletes the scan: it asks first.
  cancel.addEventListener("click", () => openDialog(t("cancel.title"), t("cancel.text", { job: jobName(j) }), [
    [t("cancel.confirm"), "danger", () => outboxAction(j, "cancel")], [t("cancel.keep"), "secondary"],
  ]));
  buttons.append(retry, cancel);
  li.appendChild(buttons);
  return li;
}

async function outboxAction(j, action) {
  try {
    await api(`/api/outbox/${encodeURIComponent(j.id)}/${action}`, {});
  } finally {
    await refreshOutbox();
  }
}

// ── Sign in, Setup ─────────────────────────────────────────────────────────────────────────────
$("signin-start").addEventListener("click", async () => {
  setMessage($("signin-status"), t("signin.asking"));
  try {
    await api("/api/signin", {});
  } catch (err) {
    setMessage($("signin-status"), err.message, "error");
  }
});

function onSignin(s) {
  if (s.state === "code") {
    $("signin-code").hidden = false;
    const [before, after] = t("signin.goTo").split("{uri}");
    // Only http(s) addresses become links (the text comes from the identity provider).
    const link = Object.assign(document.createElement("a"), { id: "signin-uri", textContent: s.verificationUri, target: "_blank", rel: "noopener" });
    if (/^https?:\/\//.test(s.verificationUri)) link.href = s.verificationUri;
    $("signin-go").replaceChildren(before ?? "", link, after ?? "");
    $("signin-user-code").textContent = s.userCode;
    setMessage($("signin-status"), t("signin.waiting"));
  } else if (s.state === "done") {
    $("signin-code").hidden = true;
    setMessage($("signin-status"), t("signin.done", { account: s.account }), "ok");
  } else {
    setMessage($("signin-status"), s.message, "error");
  }
}

$("doctor-run").addEventListener("click", async () => {
  const list = $("checklist");
  list.replaceChildren(Object.assign(document.createElement("li"), { textContent: t("setup.checking") }));
  try {
    const { checks } = await api("/api/doctor");
    list.replaceChildren(...checks.map((c) => {
      const li = Object.assign(document.createElement("li"), { className: c.level, textContent: c.text });
      if (c.fix) li.appendChild(Object.assign(document.createElement("span"), { className: "fix", textContent: c.fix }));
      return li;
    }));
  } catch (err) {
    list.replaceChildren(Object.assign(document.createElement("li"), { className: "error", textContent: err.message }));
  }
});

const events = new EventSource("/api/events");
events.addEventListener("progress", (e) => onProgress(JSON.parse(e.data)));
events.addEventListener("done", (e) => {
  onDone(JSON.parse(e.data));
  refreshOutbox();
});
events.addEventListener("signin", (e) => onSignin(JSON.parse(e.data)));

// The device retries jobs in the background: keep the Outbox screen (and its badge) current.
setInterval(() => refreshOutbox().catch(() => {}), 5000);

await loadState();
await refreshOutbox();
document.body.dataset.ready = "true";
