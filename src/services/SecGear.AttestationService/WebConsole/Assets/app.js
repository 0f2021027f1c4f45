"use strict";
// The console page: every action is a call to the service's admin API with the session cookie; unsafe methods carry
// the session's anti-forgery token. Data from the service is put into the page as text, never as HTML.

let csrf = null;
const editing = { policy: null, refvalue: null };

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "onclick") { node.addEventListener("click", value); } else { node.setAttribute(name, value); }
  }
  for (const child of children) {
    node.append(child === null || child === undefined ? "" : child);
  }
  return node;
}

function show(text, kind) {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = kind || "";
  message.hidden = !text;
}

async function api(method, path, body, headers) {
  const init = { method, headers: Object.assign({ Accept: "application/json" }, headers || {}), credentials: "same-origin" };
  if (method !== "GET") { init.headers[csrf.csrfHeader] = csrf.csrfToken; }
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const response = await fetch(path, init);
  if (response.status === 401) { location.assign("/console/login"); throw new Error("The session has ended."); }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data && data.detail ? data.detail : "HTTP " + response.status);
    error.code = data && data.code; error.status = response.status;
    throw error;
  }
  return { data, etag: response.headers.get("ETag") };
}

function time(value) { return value ? new Date(value).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }

function short(hex) { return hex ? hex.slice(0, 16) + "\u2026" : ""; }

function fill(tableId, rows) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
}

async function loadCounters() {
  const { data } = await api("GET", "/stats");
  const list = document.getElementById("counters");
  const items = [["challenges outstanding", data.outstandingChallenges < 0 ? "n/a" : data.outstandingChallenges]];
  for (const [name, value] of Object.entries(data.totals)) { items.push([name.replace(".", " "), value]); }
  list.replaceChildren(...items.flatMap(([name, value]) => [el("dt", null, name), el("dd", { "data-counter": name }, String(value))]));
}

async function loadAudit() {
  const filter = new FormData(document.getElementById("audit-filter"));
  const query = new URLSearchParams({ endpoint: "/attestation", limit: "100" });
  for (const [name, value] of filter) { if (value) { query.set(name, value); } }
  const { data } = await api("GET", "/audit?" + query);
  fill("audit-table", data.map(row => el("tr", { "data-id": String(row.id), onclick: () => showAudit(row.id) },
    el("td", null, time(row.time)), el("td", { class: "verdict " + row.verdict }, row.verdict), el("td", null, row.tee || ""),
    el("td", { title: row.measurement || "" }, short(row.measurement)), el("td", null, row.policyId ? row.policyId + " v" + row.policyVersion : ""),
    el("td", null, row.failureCode || ""))));
}

async function showAudit(id) {
  const { data } = await api("GET", "/audit/" + encodeURIComponent(id));
  const detail = document.getElementById("audit-detail");
  document.getElementById("audit-detail-id").textContent = "#" + data.id;
  const fields = [["Time", time(data.time)], ["Verdict", data.verdict], ["TEE", data.tee], ["Measurement", data.measurement],
    ["Policy", data.policyId], ["Policy version", data.policyVersion], ["Failure code", data.failureCode],
    ["Evidence SHA-256", data.evidenceSha256], ["Client", data.client]];
  detail.querySelector("dl").replaceChildren(...fields.flatMap(([name, value]) =>
    [el("dt", null, name), el("dd", { "data-field": name }, value === null || value === undefined ? "" : String(value))]));
  detail.hidden = false;
}

async function loadPolicies() {
  const { data } = await api("GET", "/policies");
  fill("policy-table", data.map(p => el("tr", { "data-id": p.id }, el("td", null, p.id), el("td", null, String(p.version)),
    el("td", null, p.referenceValues.join(", ")), el("td", null, el("button", { type: "button", onclick: () => editPolicy(p.id) }, "Edit")))));
}

async function editPolicy(id) {
  const { data } = await api("GET", "/policies/" + encodeURIComponent(id));
  const form = document.getElementById("policy-editor");
  editing.policy = data.version;
  form.elements.id.value = data.id;
  form.elements.id.readOnly = true;
  form.elements.policy.value = JSON.stringify(data.policy, null, 2);
  form.elements.referenceValues.value = data.referenceValues.join(", ");
  form.querySelector(".version").textContent = "version " + data.version;
}

function newEditor(formId, kind, template) {
  const form = document.getElementById(formId);
  editing[kind] = null;
  form.reset();
  form.elements.id.readOnly = false;
  if (template) { form.elements[template[0]].value = template[1]; }
  form.querySelector(".version").textContent = "new";
}

// The same conditional-write rules as the API: If-Match with the version that was loaded, If-None-Match: * for new.
function condition(version) { return version === null ? { "If-None-Match": "*" } : { "If-Match": "\"" + version + "\"" }; }

async function save(kind, path, body, reload, reopen) {
  try {
    const { data } = await api("PUT", path, body, condition(editing[kind]));
    show("Saved " + data.id + " as version " + data.version + ".", "ok");
    await reload();
    await reopen(data.id);
  } catch (error) {
    if (error.code === "VersionConflict") {
      await reload();
      show("Version conflict: it was changed since you loaded version " + editing[kind] + ". Reload it, re-apply your change and save again. (" + error.message + ")", "error");
    } else {
      show((error.code ? error.code + ": " : "") + error.message, "error");
    }
  }
}

async function savePolicy(event) {
  event.preventDefault();
  const form = event.target;
  let policy;
  try { policy = JSON.parse(form.elements.policy.value); } catch { show("The policy is not valid JSON.", "error"); return; }
  const sets = form.elements.referenceValues.value.split(",").map(s => s.trim()).filter(Boolean);
  const id = form.elements.id.value;
  await save("policy", "/policies/" + encodeURIComponent(id), { policy, referenceValues: sets }, loadPolicies, editPolicy);
}

async function loadReferenceValues() {
  const { data } = await api("GET", "/reference-values");
  fill("refvalue-table", data.map(r => el("tr", { "data-id": r.id }, el("td", null, r.id), el("td", null, String(r.version)),
    el("td", null, r.uniqueIds.map(short).join(", ")), el("td", null, r.signerIds.map(short).join(", ")),
    el("td", null, el("button", { type: "button", onclick: () => editReferenceValues(r.id) }, "Edit")))));
}

async function editReferenceValues(id) {
  const { data } = await api("GET", "/reference-values/" + encodeURIComponent(id));
  const form = document.getElementById("refvalue-editor");
  editing.refvalue = data.version;
  form.elements.id.value = data.id;
  form.elements.id.readOnly = true;
  form.elements.body.value = JSON.stringify({ uniqueIds: data.uniqueIds, signerIds: data.signerIds, productIds: data.productIds,
    minimumSecurityVersion: data.minimumSecurityVersion }, null, 2);
  form.querySelector(".version").textContent = "version " + data.version;
}

async function saveReferenceValues(event) {
  event.preventDefault();
  const form = event.target;
  let body;
  try { body = JSON.parse(form.elements.body.value); } catch { show("The set is not valid JSON.", "error"); return; }
  await save("refvalue", "/reference-values/" + encodeURIComponent(form.elements.id.value), body, loadReferenceValues, editReferenceValues);
}

async function loadResources() {
  const { data } = await api("GET", "/resources");
  fill("resource-table", data.map(r => el("tr", null, el("td", null, r.path), el("td", null, String(r.version)),
    el("td", null, r.policy.policyIds.join(", ")), el("td", null, time(r.updatedAt)))));
}

function renderKeys(status) {
  fill("key-table", status.keys.map(k => el("tr", { class: k.state }, el("td", { class: "kid" }, k.keyId), el("td", null, k.state),
    el("td", null, time(k.createdAt)), el("td", null, time(k.activatesAt)), el("td", null, time(k.retiresAt)))));
  document.getElementById("key-schedule").textContent = status.nextScheduledRotation
    ? "Next scheduled rotation: " + time(status.nextScheduledRotation) + "."
    : "Scheduled rotation is off.";
}

async function loadKeys() { renderKeys((await api("GET", "/keys")).data); }

async function rotate() {
  if (!confirm("Create a new signing key? It is published now and signs new tokens after the publish-ahead delay.")) { return; }
  const { data } = await api("POST", "/keys/rotate");
  renderKeys(data);
  show(data.rotated ? "A new signing key was created." : "Another instance rotated at the same moment; its key is shown.", "ok");
}

const loaders = { attestations: loadAudit, policies: loadPolicies, "reference-values": loadReferenceValues, resources: loadResources, keys: loadKeys };

async function openTab(name) {
  for (const button of document.querySelectorAll("nav button")) { button.classList.toggle("active", button.dataset.tab === name); }
  for (const section of document.querySelectorAll("section")) { section.hidden = section.id !== name; }
  show("");
  try { await loaders[name](); } catch (error) { show(error.message, "error"); }
}

document.addEventListener("DOMContentLoaded", async () => {
  csrf = (await api("GET", "/console/session")).data;
  for (const button of document.querySelectorAll("nav button")) { button.addEventListener("click", () => openTab(button.dataset.tab)); }
  document.getElementById("audit-filter").addEventListener("submit", event => { event.preventDefault(); loadAudit().catch(e => show(e.message, "error")); });
  document.getElementById("policy-editor").addEventListener("submit", savePolicy);
  document.getElementById("refvalue-editor").addEventListener("submit", saveReferenceValues);
  document.querySelector("#policy-editor .new").addEventListener("click", () => newEditor("policy-editor", "policy", ["policy", "{}"]));
  document.querySelector("#refvalue-editor .new").addEventListener("click", () => newEditor("refvalue-editor", "refvalue", ["body", "{\"uniqueIds\": [], \"signerIds\": []}"]));
  document.getElementById("rotate").addEventListener("click", () => rotate().catch(e => show(e.message, "error")));
  document.getElementById("logout").addEventListener("click", async () => {
    await fetch("/console/logout", { method: "POST", headers: { [csrf.csrfHeader]: csrf.csrfToken }, credentials: "same-origin" });
    location.assign("/console/login");
  });
  await openTab("attestations");
  await loadCounters();
  document.body.dataset.ready = "true";
  setInterval(() => loadCounters().catch(() => {}), 3000);
});
