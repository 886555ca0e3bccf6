// A Hemicycle seat in Node.js, written from docs/PROTOCOL.md (the AsyncAPI and OpenAPI documents) alone.
//
// usage: node seat.mjs URL SITTING MEMBER_ID PIN [CHOICE]
//
// It pairs (POST /api/pairings, then waits while a clerk enrols it), logs in with a signed challenge,
// checks in by PIN, asks for the floor, casts a signed ballot when a vote opens, checks the sealed
// result's signature, and, given the sitting's JSON export on stdin ({"export": PATH}), re-verifies
// its own ballot there: same signed bytes, same place in the chain, the chain link recomputed.
// Each step prints one JSON line on stdout; any failure exits non-zero with {"step": "failed"}.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const [url, sitting, memberId, pin, choice = "yes"] = process.argv.slice(2);
const say = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const fail = (why) => { say("failed", { why: String(why) }); process.exit(1); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Canonical JSON (the document's "The chain"): sorted keys, no spaces, UTF-8, integers only.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isInteger(value)) throw new Error("floats are not canonical");
  return JSON.stringify(value);
}
const sha256 = (bytes) => createHash("sha256").update(bytes).digest();
const tagged = (tag, ...parts) => Buffer.concat([Buffer.from(tag, "utf8"), Buffer.from([0]), ...parts]);

// Ed25519 keys: raw 32-byte public key in hex, as /api/pairings wants it.
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const publicHex = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("hex");
const signHex = (bytes) => sign(null, bytes, privateKey).toString("hex");
const rawKey = (hex) => createPublicKey({
  key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(hex, "hex").toString("base64url") }, format: "jwk",
});

async function http(path, init) {
  const r = await fetch(`${url}${path}`, init);
  return { status: r.status, body: await r.json() };
}

async function main() {
  const server = (await http("/api/server")).body;
  const doc = (await http("/api/asyncapi.json")).body;
  const tags = doc["x-hemicycle"].signing;

  // 1. Pair: ask, show the code, wait for a clerk.
  const asked = await http("/api/pairings", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ public_key: publicHex, role: "seat", label: "node seat" }),
  });
  if (!asked.body.ok) fail(`pairing refused: ${JSON.stringify(asked.body)}`);
  say("pairing", { code: asked.body.code, public_key: publicHex });
  let enrolled;
  for (let i = 0; i < 300 && !enrolled; i++) {
    const s = (await http(`/api/pairings/${asked.body.code}`)).body;
    if (s.status === "enrolled") enrolled = s; else await sleep(200);
  }
  if (!enrolled) fail("no clerk enrolled this device");
  say("enrolled", { device_id: enrolled.device_id, seat: enrolled.seat });

  const connect = async (badSignature) => {
    const { nonce } = (await http("/api/challenge")).body;
    const message = Buffer.concat([tagged(tags.connect_tag, Buffer.from(nonce, "utf8")), Buffer.from([0]),
                                   Buffer.from(enrolled.device_id, "utf8")]);
    const signature = badSignature ? "00".repeat(64) : signHex(message);
    const socket = io(`${url}/seat`, { transports: ["websocket"], reconnection: false,
                                       auth: { v: 1, device_id: enrolled.device_id, nonce, signature } });
    return new Promise((resolve, reject) => {
      socket.on("connect", () => resolve(socket));
      socket.on("connect_error", (err) => { socket.close(); reject(err); });
    });
  };

  // 2. A wrong signature is refused, and connect_error's data is the protocol's Error (JSON).
  try {
    await connect(true);
    fail("a bad signature was accepted");
  } catch (err) {
    if (typeof err.data !== "object" || typeof err.data.code !== "string" || typeof err.data.details !== "object") {
      fail(`connect_error data is not an Error: ${JSON.stringify(err.data)}`);
    }
    say("connect_refused", { code: err.data.code, message: err.data.message });
  }

  // 3. Log in, follow the sitting.
  const socket = await connect(false);
  const records = [];
  const waiters = [];
  socket.on("records", (batch) => {
    for (const r of batch) if (r.stream === sitting) records.push(r);
    for (const w of [...waiters]) w();
  });
  const waitFor = (pred, ms = 30000) => new Promise((resolve, reject) => {
    const check = () => {
      const found = records.find(pred);
      if (found) { waiters.splice(waiters.indexOf(check), 1); resolve(found); }
    };
    waiters.push(check);
    check();
    setTimeout(() => reject(new Error("timed out waiting for a record")), ms);
  });
  const synced = await socket.timeout(10000).emitWithAck("sync", { stream: sitting, after: 0 });
  if (!synced.ok) fail(`sync: ${JSON.stringify(synced)}`);
  records.push(...(synced.records || []));
  say("logged_in", { records: records.length });

  const command = async (cmd) => {
    const env = { v: 1, id: randomBytes(16).toString("hex"), stream: sitting, cmd };
    const ack = await socket.timeout(10000).emitWithAck("command", env);
    if (!ack.ok) fail(`${cmd.type}: ${JSON.stringify(ack.error)}`);
    return ack;
  };

  // 4. Check in, ask for the floor.
  await command({ type: "attendance.check_in", member_id: memberId, pin });
  const asked2 = await command({ type: "floor.request", member_id: memberId });
  say("checked_in", { request_id: asked2.request_id });

  // 5. A vote opens: sign and cast the ballot.
  const opened = await waitFor((r) => r.event.type === "vote.opened");
  const ballot = { choice, domain: tags.ballot_domain, member: memberId, nonce: randomBytes(16).toString("hex"),
                   seat: enrolled.seat, sitting, vote: opened.event.vote_id };
  const bytes = Buffer.from(canonical(ballot), "utf8");
  const cast = await command({ type: "vote.cast", ballot: bytes.toString("base64"), signature: signHex(bytes) });
  say("voted", { vote_id: ballot.vote, receipt: cast.receipt });

  // 6. The sealed result: the server's signature over the result and the chain head.
  const sealed = await waitFor((r) => r.event.type === "vote.sealed" && r.event.vote_id === ballot.vote);
  const closed = records.find((r) => r.seq === sealed.event.closed_seq);
  const resultSha = sha256(Buffer.from(canonical(closed.event.result), "utf8")).toString("hex");
  const sealBody = { stream: sitting, vote_id: ballot.vote, closed_seq: sealed.event.closed_seq,
                     closed_hash: sealed.event.closed_hash, result_sha256: resultSha };
  const sealOk = resultSha === sealed.event.result_sha256 && sealed.event.server_key === server.server_key &&
    verify(null, tagged(tags.seal_tag, Buffer.from(canonical(sealBody), "utf8")), rawKey(server.server_key),
           Buffer.from(sealed.event.signature, "hex"));
  if (!sealOk) fail("the seal does not verify");
  say("sealed", { outcome: closed.event.result.outcome, counts: closed.event.result.counts });
  socket.close();

  // 7. Given the export, find my ballot where the receipt says, and recompute its chain link.
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const exported = JSON.parse(readFileSync(JSON.parse(line).export, "utf8"));
    const mine = exported.records.find((r) => r.seq === cast.receipt.seq);
    const { hash, redacted, ...body } = mine;
    const link = sha256(Buffer.concat([Buffer.from(mine.prev_hash, "hex"), Buffer.from(canonical(body), "utf8")]));
    const checks = {
      in_place: mine.hash === cast.receipt.hash,
      my_bytes: mine.event.ballot === bytes.toString("base64"),
      my_signature: verify(null, Buffer.from(mine.event.ballot, "base64"), publicKey,
                           Buffer.from(mine.event.signature, "hex")),
      chain_link: link.toString("hex") === hash,
      sealed_close_in_export: exported.records.some((r) => r.seq === sealed.event.closed_seq &&
                                                         r.hash === sealed.event.closed_hash),
    };
    if (!Object.values(checks).every(Boolean)) fail(`my ballot in the export: ${JSON.stringify(checks)}`);
    say("verified", checks);
    break;
  }
  process.exit(0);
}

main().catch(fail);
