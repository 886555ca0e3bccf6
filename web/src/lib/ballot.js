// Ballots: the exact bytes Python's protocol.ballots.Ballot.to_bytes() makes — UTF-8 JSON with
// sorted keys and no spaces — signed on this device with its non-extractable Ed25519 key.

export const BALLOT_DOMAIN = "hemicycle/ballot/v1";

/** Canonical JSON: sorted keys, no whitespace; integers only (as protocol/canonical.py). */
export function canonicalJson(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new TypeError("floats are not canonical");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

export function ballotBytes({ sitting, vote, member, seat, choice, nonce }) {
  const body = { choice, domain: BALLOT_DOMAIN, member, nonce, seat: seat ?? null, sitting, vote };
  return new TextEncoder().encode(canonicalJson(body));
}

export function hex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

export function newNonce() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

/** A vote.cast command: the ballot bytes (base64) and the device's signature over them (hex). */
export async function signedBallot(privateKey, fields) {
  const bytes = ballotBytes({ ...fields, nonce: fields.nonce || newNonce() });
  const sig = await crypto.subtle.sign({ name: "Ed25519" }, privateKey, bytes);
  return { type: "vote.cast", ballot: base64(bytes), signature: hex(sig) };
}
