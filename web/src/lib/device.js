// This device's identity: an Ed25519 key made here (non-extractable, kept in IndexedDB) and the
// enrolment the clerk gave it. Pairing: post the public key, show the code, wait for the clerk.
import { hex } from "./ballot.js";
import { sleep } from "./dom.js";
import { csrfHeaders } from "./session.js";

const DB = "hemicycle";
const STORE = "device";

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req?.result);
    t.onerror = () => reject(t.error);
  });
}

export const load = (role) => tx("readonly", (s) => s.get(role));
export const save = (role, value) => tx("readwrite", (s) => s.put(value, role));
export const forget = (role) => tx("readwrite", (s) => s.delete(role));

export function cryptoProblem() {
  if (!window.isSecureContext || !crypto.subtle) return "no.secure";
  return null;
}

/** The device record for this role, made (with a fresh key) on first use. */
export async function ensureKey(role) {
  let dev = await load(role);
  if (dev?.keyPair) return dev;
  const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicHex = hex(await crypto.subtle.exportKey("raw", keyPair.publicKey));
  dev = { role, keyPair, publicHex, device_id: null, seat: null, member_id: null, code: null };
  await save(role, dev);
  return dev;
}

export async function sign(dev, bytes) {
  return hex(await crypto.subtle.sign({ name: "Ed25519" }, dev.keyPair.privateKey, bytes));
}

/** Proof of key possession for a (re)connect: sign a fresh one-time challenge from the server. */
export async function connectAuth(dev) {
  const r = await fetch("/api/challenge", { cache: "no-store" });
  const { nonce } = await r.json();
  const msg = new Uint8Array([
    ...new TextEncoder().encode("hemicycle/connect/v1\0"),
    ...new TextEncoder().encode(nonce),
    0,
    ...new TextEncoder().encode(dev.device_id),
  ]);
  return { v: 1, device_id: dev.device_id, nonce, signature: await sign(dev, msg), _date: r.headers.get("date") };
}

/**
 * Ask to be enrolled and wait for the clerk. onCode(code) is called as soon as the code is known;
 * returns the enrolled device record. A restarted server forgets pending codes: post again.
 */
export async function pair(dev, label, onCode, signal) {
  for (;;) {
    if (signal?.aborted) throw new Error("aborted");
    let code = null;
    try {
      const r = await fetch("/api/pairings", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...csrfHeaders() },
        body: JSON.stringify({ public_key: dev.publicHex, role: dev.role, label }),
      });
      const body = await r.json();
      if (body.ok) code = body.code;
    } catch {
      /* offline: try again below */
    }
    if (!code) {
      await sleep(2000);
      continue;
    }
    dev.code = code;
    await save(dev.role, dev);
    onCode(code);
    for (;;) {
      if (signal?.aborted) throw new Error("aborted");
      await sleep(1000);
      let status;
      try {
        const r = await fetch(`/api/pairings/${code}`, { cache: "no-store" });
        if (r.status === 404) break; // forgotten: post again
        status = await r.json();
      } catch {
        continue;
      }
      if (status.status === "enrolled") {
        Object.assign(dev, { device_id: status.device_id, seat: status.seat, member_id: status.member_id });
        await save(dev.role, dev);
        return dev;
      }
    }
  }
}
