// The connection to the hall server: one Socket.IO namespace per role, authenticated on every
// (re)connect; the followed sitting's public view re-fetched after every reconnect (resync);
// commands with client-chosen ids, re-sent with the same id until answered (never a double action).
import { io } from "socket.io-client";
import { sleep } from "./dom.js";
import { setHallZone } from "./i18n.js";
import { guestOf } from "./view.js";

/** How long to wait before sending again, for the refusals that mean "later" (protocol/errors.py), else null. */
export function retryAfterMs(error) {
  if (!error || !["rate_limited", "unavailable"].includes(error.code)) return null;
  const s = Number(error.details?.retry_after_s ?? 1);
  return Math.min(Math.max(Number.isFinite(s) ? s : 1, 0.1), 30) * 1000;
}

export class HallError extends Error {
  constructor(error) {
    super(error?.message || error?.code || "error");
    this.code = error?.code || "internal";
    this.details = error?.details || {};
  }
}

export function newId(prefix = "c") {
  const r = crypto.getRandomValues(new Uint8Array(12));
  return prefix + [...r].map((b) => b.toString(36).padStart(2, "0")).join("").slice(0, 20);
}

const CALL_TIMEOUT_MS = 8000;
const GIVE_UP_MS = 10 * 60 * 1000;
const PENDING_KEY = "hemicycle.pending"; // + ".<role>": commands sent and not yet answered

export class Hall {
  /** auth: async () => the auth dict for connect ({v, device_id, nonce, signature} or {v, token}). */
  constructor(role, auth) {
    this.role = role;
    this.authFn = auth;
    this.state = "connecting"; // connecting | online | offline | refused
    this.stream = null;
    this.view = null;
    this.roster = [];
    this.skewMs = 0; // server clock minus ours, when they differ by more than 2 s
    this.refusals = 0;
    this.handlers = {};
    this.inflight = new Set(); // ids being sent by this page now (not to be re-sent twice)
    this.socket = io(`/${role}`, {
      autoConnect: false,
      transports: ["websocket"],
      reconnectionDelay: 300,
      reconnectionDelayMax: 3000,
      auth: (cb) => {
        this.authFn().then(
          (a) => {
            if (a._date) this.noteServerDate(a._date);
            delete a._date;
            cb(a);
          },
          () => cb({}),
        );
      },
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("disconnect", () => this.setState("offline"));
    this.socket.on("connect_error", (err) => this.onConnectError(err));
    this.socket.on("view", (view) => this.takeView(view));
    this.socket.on("plan", (plan) => this.takePlan(plan));
    this.socket.on("roster", (pushed) => this.takeRoster(pushed));
    this.socket.on("caption", (c) => this.emit("caption", c));
    this.socket.on("device", (standing) => this.emit("device", standing)); // routed, reassigned, revoked
    this.socket.on("records", (batch) => batch.forEach((r) => this.emit("record", r)));
  }

  on(event, fn) {
    (this.handlers[event] ||= []).push(fn);
    return this;
  }

  emit(event, ...args) {
    for (const fn of this.handlers[event] || []) fn(...args);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  }

  connect() {
    this.setState("connecting");
    this.socket.connect();
  }

  close() {
    this.socket.disconnect();
  }

  noteServerDate(header) {
    const server = Date.parse(header);
    if (Number.isNaN(server)) return;
    const skew = server - Date.now();
    this.skewMs = Math.abs(skew) > 2000 ? skew : 0;
  }

  /** Our best guess of the server's clock: countdowns are computed from its timestamps. */
  now() {
    return Date.now() + this.skewMs;
  }

  async onConnect() {
    this.refusals = 0;
    this.setState("online");
    this.emit("connected");
    this.refreshDocumentPass().catch(() => {});
    if (this.stream) await this.refreshView();
    this.resendPending();
  }

  /** The cookie that lets this page's viewer load /documents/<sha256> (issued to this device). */
  async refreshDocumentPass() {
    const ack = await this.call("documents", {});
    if (!ack?.ok) return;
    const maxAge = Math.max(0, ack.expires - Math.floor(Date.now() / 1000));
    document.cookie = `${ack.cookie}=${ack.pass}; path=/documents; max-age=${maxAge}; SameSite=Strict`;
  }

  onConnectError(err) {
    const code = err?.data?.code;
    if (code === "unauthenticated" || code === "unsupported_version") {
      // Refused by the server: the manager does not retry on its own. A stale challenge is
      // possible once; three refusals in a row mean the device is not (or no longer) enrolled.
      this.refusals += 1;
      if (this.refusals >= 3) {
        this.setState("refused");
        this.emit("refused", code);
        return;
      }
      setTimeout(() => this.socket.connect(), 500 * this.refusals);
    }
    this.setState("offline");
  }

  /** Wait until connected, or throw after the deadline. */
  async online(deadline) {
    while (!this.socket.connected) {
      if (Date.now() > deadline || this.state === "refused") throw new HallError({ code: "offline" });
      await sleep(150);
    }
  }

  async call(event, data, timeoutMs = CALL_TIMEOUT_MS) {
    const deadline = Date.now() + 60000;
    for (;;) {
      await this.online(deadline);
      try {
        return await this.socket.timeout(timeoutMs).emitWithAck(event, data);
      } catch {
        if (Date.now() > deadline) throw new HallError({ code: "offline" });
        await sleep(300);
      }
    }
  }

  // -- the followed sitting ---------------------------------------------------------------

  async follow(stream) {
    this.stream = stream;
    this.view = null;
    this.roster = [];
    this.plan = null;
    if (this.socket.connected) await this.refreshView();
  }

  async refreshView() {
    const stream = this.stream;
    const ack = await this.call("view", { stream });
    if (stream !== this.stream) return;
    if (!ack?.ok) {
      this.emit("view-error", new HallError(ack?.error));
      return;
    }
    this.setRoster(ack.roster || []);
    this.plan = ack.plan || null; // the room's seating plan (protocol/seating.py), redrawn by "plan" pushes
    this.own = ack.own || null; // this seat's own ballots, as the server has them
    this.view = null; // a resync replaces whatever we had
    this.takeView(ack.view);
  }

  takeView(view) {
    if (!view || view.stream !== this.stream) return;
    if (this.view && view.seq < this.view.seq) return; // an older push that crossed a resync
    this.view = view;
    setHallZone(view.time_zone);
    this.emit("view", view);
  }

  setRoster(roster) {
    this.roster = roster;
    this.rosterVersion = (this.rosterVersion || 0) + 1; // what pages key their roster's drawing on
    this.rosterById = Object.fromEntries(roster.map((m) => [m.member_id, m]));
  }

  /** The roster renewed before the opening (a membership or a name changed): pages redraw with it. */
  takeRoster(pushed) {
    if (pushed?.stream !== this.stream) return;
    this.setRoster(pushed.roster || []);
    if (this.view) this.emit("view", this.view);
  }

  takePlan(plan) {
    if (!plan || plan.room_id !== this.view?.room) return;
    this.plan = plan;
    this.emit("view", this.view);
  }

  /** A member of the sitting's roster, or a guest listed for it (with `guest`: their kind). */
  member(id) {
    return this.rosterById?.[id] || guestOf(this.view, id);
  }

  // -- commands -----------------------------------------------------------------------------

  /**
   * Send cmd to stream; resolve with the ack, or throw HallError with the server's refusal.
   * Lost connection or lost answer: wait, then send the same id again (the server answers a
   * known id with its first answer). opts.persist keeps it in localStorage until answered, so
   * even a reload re-sends it (used for ballots).
   */
  async command(cmd, opts = {}) {
    const env = { v: 1, id: opts.id || newId(), stream: opts.stream || this.stream, cmd };
    if (opts.persist) this.pending(env, true);
    this.inflight.add(env.id);
    try {
      return await this.send(env, opts.onWait);
    } finally {
      this.inflight.delete(env.id);
      if (opts.persist) this.pending(env, false);
    }
  }

  async send(env, onWait) {
    const deadline = Date.now() + GIVE_UP_MS;
    let waited = false;
    for (;;) {
      if (!this.socket.connected && !waited && onWait) {
        waited = true;
        onWait();
      }
      await this.online(deadline);
      let ack;
      try {
        ack = await this.socket.timeout(CALL_TIMEOUT_MS).emitWithAck("command", env);
      } catch {
        if (!waited && onWait) {
          waited = true;
          onWait();
        }
        await sleep(300);
        continue;
      }
      if (ack?.ok) return ack;
      const wait = retryAfterMs(ack?.error);
      if (wait !== null && Date.now() + wait < deadline) {
        // Told to slow down (rate_limited) or that the store cannot write just now (unavailable):
        // wait as told and send the same command again; its id keeps it from counting twice.
        if (!waited && onWait) {
          waited = true;
          onWait();
        }
        await sleep(wait);
        continue;
      }
      throw new HallError(ack?.error);
    }
  }

  pending(env, add) {
    const all = JSON.parse(localStorage.getItem(`${PENDING_KEY}.${this.role}`) || "{}");
    if (add) all[env.id] = env;
    else delete all[env.id];
    localStorage.setItem(`${PENDING_KEY}.${this.role}`, JSON.stringify(all));
  }

  /** Commands sent before a reload and never answered: send them again with the same id. */
  resendPending() {
    if (this.resending) return;
    const all = Object.values(JSON.parse(localStorage.getItem(`${PENDING_KEY}.${this.role}`) || "{}"))
      .filter((env) => !this.inflight.has(env.id));
    if (!all.length) return;
    this.resending = true;
    (async () => {
      for (const env of all) {
        try {
          const ack = await this.send(env);
          this.emit("resent", env, ack, null);
        } catch (err) {
          this.emit("resent", env, null, err);
        }
        this.pending(env, false);
      }
      this.resending = false;
    })();
  }
}
