// The extra output a request may ask for (detail, cropCard, cropPortrait, quality, risk, side, multi), in
// the shapes docs/extras.md gives: field boxes and confidences, crops, quality and risk warnings.
// Each part is shown when its key is in `data` and hidden when absent.
"use strict";

(function (global) {
  const SVG = "http://www.w3.org/2000/svg";
  // Only raised (true) flags are warnings; each gets a Chinese + English label.
  const FLAG_LABELS = {
    blur: "照片模糊 blurred",
    glare: "反光遮字 glare over the print",
    overexposed: "曝光过度 overexposed",
    underexposed: "光线太暗 underexposed",
    cutOff: "卡片不完整 card cut off by the frame",
    occluded: "有遮挡 something covers the card",
    tooSmall: "卡片太小 card too small in the photo",
    photocopy: "疑似复印件 looks like a photocopy",
    screen: "疑似翻拍屏幕 looks photographed from a screen",
    temporary: "临时身份证 temporary ID card",
    expired: "证件已过期 card has expired",
  };
  // risk.numberCheck: 1 (agrees) and -1 (nothing to check) are not warnings.
  const NUMBER_CHECK_LABELS = {
    0: "号码无效（校验码、出生日期或长度有误） the number is malformed (check character, birth date or length)",
    2: "号码与出生日期不符 the number disagrees with the printed birth date",
    3: "号码与性别不符 the number disagrees with the printed sex",
    4: "住址与号码不在同一省（迁居后常见，仅供参考） address in another province than the number's region " +
      "(common after a move; information only)",
    5: "号码与多项信息不符 the number disagrees with several printed items (birth date, sex, province)",
  };

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // {field: {box: [[x, y] x4] | null, confidence}} from data.detail.fields; {} without detail=1.
  function fieldDetails(data) {
    const fields = isObject(data) && isObject(data.detail) && isObject(data.detail.fields) ? data.detail.fields : {};
    const details = {};
    for (const [name, entry] of Object.entries(fields)) {
      if (!isObject(entry)) continue;
      details[name] = {
        box: Array.isArray(entry.box) ? entry.box : null,
        confidence: typeof entry.confidence === "number" ? entry.confidence : null,
      };
    }
    return details;
  }

  function cardQuad(data) {
    return isObject(data) && isObject(data.detail) && Array.isArray(data.detail.card) ? data.detail.card : null;
  }

  function polygon(points, cls, label) {
    const shape = document.createElementNS(SVG, "polygon");
    shape.setAttribute("points", points.map((p) => p.join(",")).join(" "));
    shape.setAttribute("class", cls);
    shape.dataset.field = label;
    const title = document.createElementNS(SVG, "title");
    title.textContent = label;
    shape.append(title);
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

  // multi=1: outline every card found (each card's detail.card), numbered in reading order.
  function drawCards(image, svg, cards) {
    const quads = cards.map((card, index) => [index + 1, cardQuad(card)]).filter(([, quad]) => quad);
    if (quads.length === 0) return;
    const draw = () => {
      svg.setAttribute("viewBox", `0 0 ${image.naturalWidth} ${image.naturalHeight}`);
      for (const [number, quad] of quads) svg.append(polygon(quad, "card numbered", "card " + number));
    };
    if (image.complete && image.naturalWidth) draw();
    else image.addEventListener("load", draw, { once: true });
  }

  // Crops are plain base64 JPEG; anything else is ignored (never a URL: the photo stays here).
  function renderCrops(container, data) {
    const list = container.querySelector(".crop-list");
    list.replaceChildren();
    const crops = [["card", "卡片 card", data && data.cropCard], ["portrait", "头像 portrait", data && data.cropPortrait]];
    for (const [name, caption, base64] of crops) {
      if (typeof base64 !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(base64)) continue;
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = "data:image/jpeg;base64," + base64;
      image.alt = name;
      image.dataset.crop = name;
      const label = document.createElement("figcaption");
      label.textContent = caption;
      figure.append(image, label);
      list.append(figure);
    }
    container.hidden = list.childElementCount === 0;
  }

  function raisedFlags(section) {
    const flags = isObject(section) && isObject(section.flags) ? section.flags : {};
    return Object.entries(flags).filter(([, raised]) => raised === true).map(([name]) => FLAG_LABELS[name] || name);
  }

  // The warnings worth a person's attention, in words; [] when every check passed.
  function warningsOf(data) {
    if (!isObject(data)) return [];
    const lines = [...raisedFlags(data.quality), ...raisedFlags(data.risk)];
    const check = isObject(data.risk) ? data.risk.numberCheck : undefined;
    if (check in NUMBER_CHECK_LABELS) lines.push(NUMBER_CHECK_LABELS[check]);
    else if (typeof check === "number" && check !== 1 && check !== -1) lines.push(`numberCheck ${check}`);
    if (data.sideMatch === false) {
      lines.push(`不是所选的一面 not the side expected (识别为 read as ${data.side === "back" ? "back 国徽面" : "front 人像面"})`);
    }
    return lines;
  }

  // quality.score as a number; with no card outline found nothing could be judged, so say so.
  function scoreText(quality) {
    if (!isObject(quality) || typeof quality.score !== "number") return "";
    const noCard = isObject(quality.metrics) && quality.metrics.cardFound === 0;
    return `${quality.score}/100` + (noCard ? "（未找到卡片轮廓，无法评估 no card outline found）" : "");
  }

  // Shown whenever quality, risk or side was asked for: the score, then only what is wrong.
  function renderWarnings(container, data) {
    const list = container.querySelector("ul");
    list.replaceChildren();
    for (const line of warningsOf(data)) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    const score = scoreText(data && data.quality);
    const scoreLine = container.querySelector("#quality-score");
    scoreLine.hidden = score === "";
    scoreLine.querySelector("output").textContent = score;
    const asked = isObject(data) && ("quality" in data || "risk" in data || "sideMatch" in data);
    container.hidden = !asked;
  }

  global.IdcardExtras = { fieldDetails, cardQuad, drawBoxes, drawCards, renderCrops, renderWarnings, warningsOf };
})(window);
