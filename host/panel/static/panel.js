// The front panel's behaviour: plain DOM, no framework, no network except this device's own API.
const $ = (id) => document.getElementById(id);
let state = null;
let currentJob = null;

function showScreen(name) {
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.screen === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== `screen-${name}`;
  if (name === "outbox") refreshOutbox();
}
for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showScreen(tab.dataset.screen));

// The status bar shows the device's clock (from /api/state), not the browser's.
let clockOffset = 0;
function tick() {
  const d = new Date(Date.now() + clockOffset);
  $("clock").textContent = d.toTimeString().slice(0, 5);
}
setInterval(tick, 10_000);
tick();

function formatBytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

async function loadState() {
  state = await api("/api/state");
  if (state.time) {
    clockOffset = Date.parse(state.time) - Date.now();
    tick();
  }
  $("device-name").textContent = state.device;
  $("subject").value = state.defaults.subject;
  $("filename").value = state.defaults.filename;
  if ($("format").value === "tiff") $("filename").value = $("filename").value.replace(/\.pdf$/i, ".tif");
  // The address book as buttons (a touch panel has no autocomplete): press to add or remove.
  $("address-book").replaceChildren(...state.addressBook.map((e) => {
    const b = Object.assign(document.createElement("button"), { type: "button", className: "chip", textContent: e.name, title: e.address });
    b.dataset.address = e.address;
    b.setAttribute("aria-label", `${e.name} <${e.address}>`);
    b.addEventListener("click", () => toggleRecipient(e.address));
    return b;
  }));
  $("send-to-me").hidden = !state.me;
  syncChips();
}

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
  toggleRecipient(state.me, true);
  $("to").focus();
});

function setMessage(el, text, cls) {
  el.textContent = text;
  el.className = `message ${cls ?? ""}`;
}

$("scan-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const to = $("to").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (to.length === 0) {
    $("to").setCustomValidity("Enter at least one recipient");
    $("to").reportValidity();
    return;
  }
  $("to").setCustomValidity("");
  $("scan-button").disabled = true;
  try {
    const { jobId } = await api("/api/scan", {
      to, subject: $("subject").value, filename: $("filename").value,
      pages: Number($("pages").value), resolution: Number($("resolution").value), colour: $("colour").value, format: $("format").value,
    });
    currentJob = jobId;
    $("summary").textContent = `${$("filename").value || state.defaults.filename} → ${to.join(", ")}`;
    $("scan-form").hidden = true;
    $("progress-view").hidden = false;
    $("done-button").hidden = true;
    setMessage($("message"), "");
    $("phase").textContent = "Scanning";
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
    $("phase").textContent = "Not sent";
    setMessage($("message"), err.message, "error");
    $("done-button").hidden = false;
  }
});

$("done-button").addEventListener("click", async () => {
  $("progress-view").hidden = true;
  $("scan-form").hidden = false;
  $("scan-button").disabled = false;
  $("bar-fill").style.width = "0";
  $("bar").setAttribute("aria-valuenow", "0");
  $("detail").textContent = "";
  currentJob = null;
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

function onProgress(p) {
  if (p.jobId !== currentJob) return keepEarly("progress", p);
  $("phase").textContent = p.phase;
  const pct = p.bytesTotal > 0 ? Math.min(100, Math.round((100 * p.bytesSent) / p.bytesTotal)) : 0;
  $("bar-fill").style.width = `${pct}%`;
  $("bar").setAttribute("aria-valuenow", String(pct));
  const rate = p.rateBps > 0 ? ` · ${formatBytes(p.rateBps)}/s` : "";
  $("detail").textContent = `Pages scanned ${p.pagesScanned} of ${p.pages} · sent ${formatBytes(p.bytesSent)} of ${formatBytes(p.bytesTotal)}${rate}`;
}

function onDone(d) {
  if (d.jobId !== currentJob) return keepEarly("done", d);
  $("phase").textContent = d.outcome; // from the outcome-text catalogue (host/text/outcomes.ts)
  if (d.status === "sent" || d.status === "partial") {
    $("bar-fill").style.width = "100%";
    $("bar").setAttribute("aria-valuenow", "100");
  }
  setMessage($("message"), d.userMessage, d.status === "sent" ? "ok" : d.status === "failed" ? "error" : "warn");
  $("done-button").hidden = false;
  $("done-button").focus();
}

async function refreshOutbox() {
  const { jobs, notices } = await api("/api/outbox");
  const held = jobs.filter((j) => j.alert).length;
  $("outbox-count").hidden = jobs.length === 0;
  $("outbox-count").textContent = held ? `${jobs.length} ⚠` : String(jobs.length);
  $("outbox-count").classList.toggle("alert", held > 0);
  $("outbox-count").setAttribute("aria-label", held ? `${jobs.length} jobs, ${held} held` : `${jobs.length} jobs`);
  // Held scans and scans removed to make room are alerts: a person has to act or know.
  const alerts = [
    ...(held ? [`${held} held: fix the cause, then Retry now, or Cancel`] : []),
    ...(notices ?? []),
  ];
  $("outbox-alerts").replaceChildren(...alerts.map((a) => Object.assign(document.createElement("p"), { className: "alert", textContent: `⚠ ${a}` })));
  const body = $("outbox-rows");
  if (jobs.length === 0) {
    body.innerHTML = '<tr><td colspan="5">Empty — every scan was delivered.</td></tr>';
    return;
  }
  body.replaceChildren(...jobs.map((j) => {
    const tr = document.createElement("tr");
    if (j.alert) tr.className = "held";
    const cells = [j.title, j.alert ? `⚠ ${j.state}` : j.state, j.nextAttemptAt ? new Date(j.nextAttemptAt).toLocaleTimeString() : "—", j.alert ?? j.lastMessage ?? ""];
    for (const c of cells) tr.appendChild(Object.assign(document.createElement("td"), { textContent: c }));
    const actions = document.createElement("td");
    for (const [label, action] of [["Retry now", "retry"], ["Cancel", "cancel"]]) {
      const b = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: label });
      b.setAttribute("aria-label", `${label}: ${j.title}`);
      b.addEventListener("click", async () => {
        await api(`/api/outbox/${encodeURIComponent(j.id)}/${action}`, {});
        refreshOutbox();
      });
      actions.appendChild(b);
    }
    tr.appendChild(actions);
    return tr;
  }));
}

$("signin-start").addEventListener("click", async () => {
  setMessage($("signin-status"), "Asking for a code…");
  try {
    await api("/api/signin", {});
  } catch (err) {
    setMessage($("signin-status"), err.message, "error");
  }
});

function onSignin(s) {
  if (s.state === "code") {
    $("signin-code").hidden = false;
    $("signin-uri").textContent = s.verificationUri;
    // Only http(s) addresses become links (the text comes from the identity provider).
    if (/^https?:\/\//.test(s.verificationUri)) $("signin-uri").href = s.verificationUri;
    $("signin-user-code").textContent = s.userCode;
    setMessage($("signin-status"), "Waiting for you to sign in…");
  } else if (s.state === "done") {
    $("signin-code").hidden = true;
    setMessage($("signin-status"), `Signed in as ${s.account}`, "ok");
  } else {
    setMessage($("signin-status"), s.message, "error");
  }
}

$("doctor-run").addEventListener("click", async () => {
  const list = $("checklist");
  list.innerHTML = "<li>Checking…</li>";
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
