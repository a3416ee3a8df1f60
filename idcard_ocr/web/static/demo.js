// The demo page: pick or drop a photo, sign with the demo account, POST it to this server's
// /ocr/idcard-v1 and show what came back. Every URL is relative to the page, so the page works
// under any path prefix; the Content-Security-Policy forbids any other destination.
"use strict";

(function () {
  const MAX_BYTES = 2 * 1024 * 1024; // the contract's limits, met in the browser before sending
  const MAX_SIDE = 4000;
  const LABELS = {
    name: "姓名", number: "公民身份号码", sex: "性别", nation: "民族", year: "出生年", month: "出生月",
    day: "出生日", address: "住址", authority: "签发机关", timelimit: "有效期限", birthday: "出生日期",
  };
  // Which validity entry vouches for each info field (nation has none in the contract).
  const VALIDITY_OF = {
    name: "name", number: "number", sex: "sex", year: "birthday", month: "birthday", day: "birthday",
    address: "address", authority: "authority", timelimit: "timelimit",
  };
  const $ = (id) => document.getElementById(id);
  const state = { credentials: null, clockOffsetMs: 0, busy: false };

  function setStatus(kind, text) {
    const status = $("status");
    status.dataset.state = kind;
    status.textContent = text;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function loadCredentials() {
    let response;
    try {
      response = await fetch("demo/credentials", { cache: "no-store", credentials: "same-origin" });
    } catch (err) {
      setStatus("error", "无法连接服务器 (cannot reach the server)");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.appId) {
      setStatus("error", "演示账号不可用: " + (body.error || "HTTP " + response.status));
      $("photo").disabled = true;
      return;
    }
    // Sign with the server's clock: the contract refuses timestamps more than a few minutes off.
    const serverDate = Date.parse(response.headers.get("Date") || "");
    if (!Number.isNaN(serverDate)) state.clockOffsetMs = serverDate - Date.now();
    state.credentials = body;
    setStatus("ready", "请选择照片 (pick a photo)");
  }

  function loadImage(blob) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(blob);
      const image = new Image();
      image.onload = () => resolve({ image, url });
      image.onerror = () => { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      image.src = url;
    });
  }

  // The photo as it will be sent: untouched when within the limits, else scaled down and
  // re-encoded as JPEG (phone photos are often larger than 2 MB or 4000 px).
  async function fitToLimits(file) {
    const { image, url } = await loadImage(file);
    const w = image.naturalWidth, h = image.naturalHeight;
    if (file.size <= MAX_BYTES && w <= MAX_SIDE && h <= MAX_SIDE) return { blob: file, url, resized: false };
    URL.revokeObjectURL(url);
    let scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    let quality = 0.92;
    for (let attempt = 0; attempt < 12; attempt++) {
      const canvas = el("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && blob.size <= MAX_BYTES) return { blob, url: URL.createObjectURL(blob), resized: true };
      // Lower the quality a little first; past that, fewer pixels keep the text sharper.
      if (quality > 0.65) quality -= 0.1;
      else scale *= 0.8;
    }
    throw new Error("照片太大 (photo too large)");
  }

  async function recognise(file) {
    if (!state.credentials || state.busy) return;
    if (!/^image\/(jpeg|png)$/.test(file.type) && file.type !== "") {
      setStatus("error", "请选择 JPEG 或 PNG 照片 (JPEG or PNG only)");
      return;
    }
    state.busy = true;
    setStatus("working", "识别中… (recognising)");
    try {
      const photo = await fitToLimits(file);
      showPhoto(photo.url);
      const { appId, appSecret } = state.credentials;
      const timestamp = String(Date.now() + state.clockOffsetMs);
      const form = new FormData();
      form.append("appId", appId);
      form.append("timestamp", timestamp);
      form.append("sign", await window.IdcardSign.signOf(appId, appSecret, timestamp));
      for (const option of document.querySelectorAll("#options input:checked")) form.append(option.name, "1");
      const side = document.querySelector("#options select[name=side]").value;
      if (side) form.append("side", side);
      form.append("file", photo.blob, file.name || "photo.jpg");
      const started = performance.now();
      const response = await fetch("ocr/idcard-v1", { method: "POST", body: form, credentials: "same-origin" });
      const body = await response.json();
      render(body, performance.now() - started);
      const done = body.code === 200 ? "完成 (done)" : "失败 (failed)";
      setStatus(body.code === 200 ? "done" : "failed", `${done}: ${body.code} ${body.msg}` +
        (photo.resized ? " · 照片已缩小到 2 MB / 4000 px 以内" : ""));
    } catch (err) {
      setStatus("error", "出错了 (error): " + err.message);
    } finally {
      state.busy = false;
    }
  }

  function showPhoto(url) {
    const preview = $("preview");
    if (preview.dataset.url) URL.revokeObjectURL(preview.dataset.url);
    preview.dataset.url = url;
    preview.src = url;
    $("boxes").replaceChildren();
    $("photo-panel").hidden = false;
  }

  function render(body, elapsedMs) {
    $("result-panel").hidden = false;
    $("raw").textContent = JSON.stringify(body, null, 2);
    $("code").textContent = `${body.code} ${body.msg || ""}`;
    $("charge").textContent = body.charge ? "是 (billed)" : "否 (not billed)";
    $("task-no").textContent = body.taskNo || "";
    $("elapsed").textContent = `${Math.round(elapsedMs)} ms`;
    const data = body.data || null;
    $("result").textContent = data ? (data.result === 0 ? "0 已识别 (recognised)" : "1 未识别 (not a readable card)") : "";
    $("side").textContent = data ? (data.side === "back" ? "back 国徽面" : "front 人像面") : "";
    $("rotate").textContent = data ? (data.rotate ? `${data.rotate} (顺时针 ${data.rotate.slice(2)}°)` : "0°") : "";
    const details = window.IdcardExtras.fieldDetails(data);
    renderFields(data, details);
    renderValidity(data);
    window.IdcardExtras.drawBoxes($("preview"), $("boxes"), data, details);
    renderCards(data);
    window.IdcardExtras.renderCrops($("crops"), data);
    window.IdcardExtras.renderWarnings($("warnings"), data);
  }

  function renderFields(data, details) {
    const tbody = $("fields").querySelector("tbody");
    tbody.replaceChildren();
    const info = (data && data.info) || {};
    const validity = (data && data.validity) || {};
    $("fields").dataset.confidence = Object.keys(details).length ? "some" : "none"; // detail=1 answered
    for (const [key, value] of Object.entries(info)) {
      const row = el("tr", { "data-field": key });
      row.append(el("th", {}, LABELS[key] || key));
      row.append(el("td", { id: "field-" + key, class: "value" }, value));
      const vKey = VALIDITY_OF[key];
      const tick = vKey in validity ? (validity[vKey] ? "✓" : "✗") : "";
      row.append(el("td", { class: "tick", "data-valid": vKey in validity ? String(validity[vKey]) : "" }, tick));
      row.append(el("td", { class: "confidence" }, confidenceText(details[key])));
      tbody.append(row);
    }
  }

  // A field the server did not find comes with box null and confidence 0: say "not found".
  function confidenceText(entry) {
    if (!entry || typeof entry.confidence !== "number") return "";
    return !entry.box && entry.confidence === 0 ? "—" : entry.confidence.toFixed(3);
  }

  function renderValidity(data) {
    const list = $("validity");
    list.replaceChildren();
    for (const [key, ok] of Object.entries((data && data.validity) || {})) {
      list.append(el("li", { id: "valid-" + key, "data-valid": String(Boolean(ok)) },
        `${ok ? "✓" : "✗"} ${LABELS[key] || key} ${key}`));
    }
  }

  // multi=1: every card of the photo (a copy page's front and back), each with its own fields.
  function renderCards(data) {
    const list = $("cards").querySelector("ol");
    list.replaceChildren();
    const cards = data && Array.isArray(data.cards) ? data.cards : [];
    $("cards").hidden = cards.length === 0;
    $("cards").dataset.count = String(cards.length);
    cards.forEach((card, index) => {
      const item = el("li", { class: "card", "data-side": card.side, id: "card-" + (index + 1) });
      const turned = card.rotate ? ` · ${card.rotate}` : "";
      item.append(el("h3", {}, (card.side === "back" ? "国徽面 back" : "人像面 front") + turned +
        (card.result === 0 ? "" : " · 未识别 (not read)")));
      const table = el("table", { class: "card-fields" });
      for (const [key, value] of Object.entries(card.info || {})) {
        const vKey = VALIDITY_OF[key];
        const valid = card.validity && vKey in card.validity ? card.validity[vKey] : null;
        const row = el("tr", { "data-field": key });
        row.append(el("th", {}, LABELS[key] || key));
        row.append(el("td", { class: "value" }, value));
        row.append(el("td", { class: "tick" }, valid === null ? "" : (valid ? "✓" : "✗")));
        table.append(row);
      }
      item.append(table);
      list.append(item);
    });
    window.IdcardExtras.drawCards($("preview"), $("boxes"), cards);
  }

  function wireInputs() {
    const input = $("photo"), drop = $("drop");
    input.addEventListener("change", () => { if (input.files[0]) recognise(input.files[0]); });
    for (const name of ["dragenter", "dragover"]) {
      drop.addEventListener(name, (event) => { event.preventDefault(); drop.dataset.active = "true"; });
    }
    for (const name of ["dragleave", "drop"]) {
      drop.addEventListener(name, () => { drop.dataset.active = "false"; });
    }
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      const file = event.dataTransfer.files[0];
      if (file) recognise(file);
    });
    // A photo dropped beside the zone must not make the browser navigate away to the file.
    window.addEventListener("dragover", (event) => event.preventDefault());
    window.addEventListener("drop", (event) => event.preventDefault());
  }

  wireInputs();
  loadCredentials();
})();
