// Recognise one ID-card photo with Node 20's fetch, no dependencies: node node_fetch.mjs card.jpg
// Needs OCR_URL (e.g. http://127.0.0.1:8000), OCR_APP_ID and OCR_APP_SECRET in the environment.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const { OCR_URL, OCR_APP_ID, OCR_APP_SECRET } = process.env;
const timestamp = String(Date.now()); // milliseconds since the epoch
const sign = createHash("sha256").update(OCR_APP_ID + OCR_APP_SECRET + timestamp, "utf8").digest("hex");

// The photo as base64 in a urlencoded form. To upload the file instead:
//   const body = new FormData(); body.append("file", new Blob([readFileSync(path)]), "card.jpg"); ...
const body = new URLSearchParams({
  appId: OCR_APP_ID,
  timestamp,
  sign,
  base64: readFileSync(process.argv[2]).toString("base64"),
});
const response = await fetch(`${OCR_URL}/ocr/idcard-v1`, { method: "POST", body });
const answer = await response.json(); // HTTP 200 for every outcome: read "code"

console.log(`code: ${answer.code}`);
console.log(`msg: ${answer.msg}`);
if (answer.code !== 200) process.exit(1);
console.log(`side: ${answer.data.side}`);
for (const [key, value] of Object.entries(answer.data.info)) console.log(`info.${key}: ${value}`);
for (const [key, valid] of Object.entries(answer.data.validity)) console.log(`validity.${key}: ${valid}`);
