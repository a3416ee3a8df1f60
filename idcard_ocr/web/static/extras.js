// The extra output a request may ask for (detail=1, cropCard=1, cropPortrait=1, quality=1, risk=1):
// field boxes and confidences, crops, quality and risk warnings. Each is shown when present in
// `data` and silently skipped when absent, and the readers accept the usual shapes (points as
// [[x, y], ...], flat [x1, y1, ...] or {x, y, width, height}; crops as base64 or data: URLs).
"use strict";

(function (global) {
  const SVG = "http://www.w3.org/2000/svg";
  const BOX_KEYS = ["box", "quad", "points", "polygon", "location", "bbox", "position"];
  const CONFIDENCE_KEYS = ["confidence", "score", "conf", "probability"];
  const DETAIL_SOURCES = ["detail", "fields", "boxes", "locations", "words"];
  const CARD_KEYS = ["card", "cardQuad", "card_quad", "quad"];

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function toPoints(value) {
    if (Array.isArray(value)) {
      if (value.length >= 3 && value.every((p) => Array.isArray(p) && p.length >= 2)) {
        return value.map((p) => [Number(p[0]), Number(p[1])]);
      }
      if (value.length >= 3 && value.every((p) => isObject(p) && "x" in p && "y" in p)) {
        return value.map((p) => [Number(p.x), Number(p.y)]);
      }
      if (value.length >= 6 && value.length % 2 === 0 && value.every((n) => typeof n === "number")) {
        const points = [];
        for (let i = 0; i < value.length; i += 2) points.push([value[i], value[i + 1]]);
        return points;
      }
      if (value.length === 4 && value.every((n) => typeof n === "number")) {
        const [x1, y1, x2, y2] = value; // [left, top, right, bottom]
        return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
      }
      return null;
    }
    if (isObject(value)) {
      const x = value.x ?? value.left, y = value.y ?? value.top;
      if ([x, y, value.width, value.height].every((n) => typeof n === "number")) {
        return [[x, y], [x + value.width, y], [x + value.width, y + value.height], [x, y + value.height]];
      }
    }
    return null;
  }

  function readEntry(value) {
    const entry = { box: toPoints(value), confidence: null };
    if (isObject(value)) {
      for (const key of BOX_KEYS) if (!entry.box && key in value) entry.box = toPoints(value[key]);
      for (const key of CONFIDENCE_KEYS) {
        if (entry.confidence === null && typeof value[key] === "number") entry.confidence = value[key];
      }
    }
    return entry;
  }

  // {fieldName: {box, confidence}} from whichever detail shape the server sent.
  function fieldDetails(data) {
    const details = {};
    if (!isObject(data)) return details;
    const holders = [data, data.detail].filter(isObject); // e.g. data.detail.fields
    for (const [holder, source] of holders.flatMap((h) => DETAIL_SOURCES.map((s) => [h, s]))) {
      const value = holder[source];
      const pairs = Array.isArray(value)
        ? value.filter(isObject).map((item) => [item.name ?? item.field ?? item.key ?? item.label, item])
        : isObject(value) ? Object.entries(value) : [];
      for (const [name, item] of pairs) {
        if (typeof name !== "string" || CARD_KEYS.includes(name) || name in details) continue;
        const entry = readEntry(item);
        if (entry.box || entry.confidence !== null) details[name] = entry;
      }
    }
    return details;
  }

  function cardQuad(data) {
    if (!isObject(data)) return null;
    for (const holder of [data, data.detail, data.card].filter(isObject)) {
      for (const key of CARD_KEYS) {
        if (key in holder) {
          const points = readEntry(holder[key]).box;
          if (points) return points;
        }
      }
    }
    return null;
  }

  function polygon(points, cls, label) {
    const shape = document.createElementNS(SVG, "polygon");
    shape.setAttribute("points", points.map((p) => p.join(",")).join(" "));
    shape.setAttribute("class", cls);
    if (label) {
      shape.dataset.field = label;
      const title = document.createElementNS(SVG, "title");
      title.textContent = label;
      shape.append(title);
    }
    return shape;
  }

  // Outline the card and each field on the photo; coordinates are the photo's own pixels.
  function drawBoxes(image, svg, data, details) {
    svg.replaceChildren();
    const card = cardQuad(data);
    const fields = Object.entries(details).filter(([, entry]) => entry.box);
    svg.dataset.boxes = String(fields.length + (card ? 1 : 0));
    if (!card && fields.length === 0) return;
    const draw = () => {
      svg.setAttribute("viewBox", `0 0 ${image.naturalWidth} ${image.naturalHeight}`);
      if (card) svg.append(polygon(card, "card", "card"));
      for (const [name, entry] of fields) svg.append(polygon(entry.box, "field", name));
    };
    if (image.complete && image.naturalWidth) draw();
    else image.addEventListener("load", draw, { once: true });
  }

  function imageSource(value) {
    if (isObject(value)) value = value.image ?? value.base64 ?? value.data ?? value.src;
    if (typeof value !== "string" || value.length === 0) return null;
    if (value.startsWith("data:image/")) return value;
    const base64 = value.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/=_-]+$/.test(base64)) return null; // never a remote URL: the photo stays here
    return `data:image/${base64.startsWith("iVBOR") ? "png" : "jpeg"};base64,${base64}`;
  }

  function renderCrops(container, data) {
    const list = container.querySelector(".crop-list");
    list.replaceChildren();
    const candidates = [];
    if (isObject(data)) {
      candidates.push(["card", data.cropCard], ["portrait", data.cropPortrait]);
      if (isObject(data.crops)) candidates.push(...Object.entries(data.crops));
    }
    const seen = new Set();
    for (const [name, value] of candidates) {
      const src = imageSource(value);
      if (!src || seen.has(name)) continue;
      seen.add(name);
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = src;
      image.alt = name;
      image.dataset.crop = name;
      const caption = document.createElement("figcaption");
      caption.textContent = name === "card" ? "卡片 card" : name === "portrait" ? "头像 portrait" : name;
      figure.append(image, caption);
      list.append(figure);
    }
    container.hidden = seen.size === 0;
  }

  function describe(prefix, value, out) {
    if (value === null || value === undefined || value === false) return;
    if (value === true) out.push(prefix);
    else if (typeof value === "string" || typeof value === "number") out.push(prefix ? `${prefix}: ${value}` : String(value));
    else if (Array.isArray(value)) for (const item of value) describe(prefix, item, out);
    else if (isObject(value)) {
      const text = value.msg ?? value.message ?? value.description;
      const code = value.code ?? value.type ?? value.name;
      if (text !== undefined || code !== undefined) {
        out.push([prefix, [code, text].filter((p) => p !== undefined).join(" ")].filter(Boolean).join(": "));
      } else {
        for (const [key, item] of Object.entries(value)) describe(prefix ? `${prefix}.${key}` : key, item, out);
      }
    }
  }

  function renderWarnings(container, data) {
    const list = container.querySelector("ul");
    list.replaceChildren();
    const lines = [];
    if (isObject(data)) for (const source of ["quality", "risk", "warnings"]) describe(source, data[source], lines);
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    container.hidden = lines.length === 0;
  }

  global.IdcardExtras = { fieldDetails, cardQuad, drawBoxes, renderCrops, renderWarnings, toPoints };
})(window);
