// A WebRTC call to the hall's media endpoint, signalled over the page's own hall socket (event
// "signal": offer -> answer; see protocol/signalling.py). No STUN by default: a closed hall network.
// The remote member's page sends camera and microphone and receives the floor mix and the speaking
// remote member's video; the hall display only receives that video. A call that drops, or whose
// endpoint restarts, is placed again by itself; the device's key and enrolment are kept.
import { h, sleep } from "./dom.js";
import { num, t } from "./i18n.js";

const GATHER_MS = 3000; // host candidates only: gathering is quick
const STATS_MS = 2000;
const DISCONNECTED_MS = 5000; // "disconnected" this long: call again
const ANSWER_MS = 15000;
const NO_ENDPOINT_MS = 5000; // no media endpoint on the hall server: ask again this often

/**
 * call = new Call(hall, {stream, onTrack(track), onChange(call), report}); call.start(). Without a
 * stream (the hall display) it only receives video; with report, each measure goes to the chair.
 * call.state: "idle" | "calling" | "connected" | "reconnecting" | "no-endpoint";
 * call.quality: {state, rtt_ms, loss_pct, jitter_ms} (null values until measured).
 */
export class Call {
  constructor(hall, { stream = null, onTrack = () => {}, onChange = () => {}, report = false } = {}) {
    Object.assign(this, { hall, stream, onTrack, onChange, report });
    this.state = "idle";
    this.quality = { state: "new", rtt_ms: null, loss_pct: null, jitter_ms: null };
    this.pc = null;
    this.answer = null; // resolves the pending offer's answer
    this.last = null; // the last audio counters, for loss between reports
    hall.socket.on("signal", (s) => this.onSignal(s));
    hall.on("connected", () => { if (this.started && this.state !== "connected") this.restart(); });
    setInterval(() => this.measure(), STATS_MS);
  }

  set(state) {
    this.state = state;
    this.onChange(this);
  }

  start() {
    if (this.started) return;
    this.started = true;
    this.restart();
  }

  /** Hang up whatever there is and call again (one attempt at a time). */
  async restart() {
    if (this.placing) return;
    this.placing = true;
    try {
      for (;;) {
        this.close();
        this.set(this.state === "connected" || this.state === "reconnecting" ? "reconnecting" : "calling");
        const code = await this.place().catch((err) => err?.code || "failed");
        if (code === "ok") return;
        if (code === "invalid_state") this.set("no-endpoint");
        await sleep(code === "invalid_state" ? NO_ENDPOINT_MS : 2000);
      }
    } finally {
      this.placing = false;
    }
  }

  async place() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    if (this.stream) for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
    const kinds = new Set(pc.getTransceivers().map((t) => t.receiver.track.kind));
    for (const kind of ["audio", "video"]) {
      if (!kinds.has(kind) && (kind === "video" || this.stream)) pc.addTransceiver(kind, { direction: "recvonly" });
    }
    pc.ontrack = (e) => this.onTrack(e.track);
    pc.onconnectionstatechange = () => this.onPcState(pc);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answered = new Promise((resolve) => {
      this.answer = resolve;
      setTimeout(() => resolve(null), ANSWER_MS);
    });
    const ack = await this.hall.call("signal", { type: "offer", sdp: pc.localDescription.sdp });
    if (!ack?.ok) return ack?.error?.code || "failed";
    const sdp = await answered;
    if (!sdp || this.pc !== pc) return "failed";
    await pc.setRemoteDescription({ type: "answer", sdp });
    return "ok";
  }

  onSignal(signal) {
    if (signal?.type === "answer" && this.answer) {
      this.answer(signal.sdp);
      this.answer = null;
    } else if (signal?.type === "hangup") {
      this.restart();
    }
  }

  onPcState(pc) {
    if (pc !== this.pc) return;
    const s = pc.connectionState;
    this.quality = { ...this.quality, state: s };
    clearTimeout(this.dropTimer);
    if (s === "connected") this.set("connected");
    else if (s === "failed" || s === "closed") this.restart();
    else if (s === "disconnected") {
      this.set("reconnecting");
      this.dropTimer = setTimeout(() => this.restart(), DISCONNECTED_MS);
    }
  }

  close() {
    if (!this.pc) return;
    const pc = this.pc;
    this.pc = null;
    pc.onconnectionstatechange = null;
    pc.close();
    this.last = null;
  }

  /** Round trip, loss and jitter from getStats; reported to the hall for the chair when asked to. */
  async measure() {
    const pc = this.pc;
    const q = { state: pc ? pc.connectionState : "closed", rtt_ms: null, loss_pct: null, jitter_ms: null };
    if (pc) {
      const stats = await pc.getStats();
      let pairId = null;
      stats.forEach((r) => { if (r.type === "transport" && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId; });
      stats.forEach((r) => {
        if (r.type === "candidate-pair" && (r.id === pairId || (!pairId && r.nominated && r.state === "succeeded"))
          && r.currentRoundTripTime !== undefined) q.rtt_ms = round(r.currentRoundTripTime * 1000);
        if (r.type === "inbound-rtp" && r.kind === "audio") {
          if (r.jitter !== undefined) q.jitter_ms = round(r.jitter * 1000);
          const lost = Math.max(0, r.packetsLost || 0);
          const got = r.packetsReceived || 0;
          if (this.last) {
            const dl = lost - this.last.lost;
            const dg = got - this.last.got;
            q.loss_pct = dl + dg > 0 ? round((100 * Math.max(0, dl)) / (dl + dg)) : 0;
          }
          this.last = { lost, got };
        }
      });
    }
    this.quality = q;
    this.onChange(this);
    if (this.report && this.hall.socket.connected) this.hall.call("call_quality", q).catch(() => {});
  }
}

const round = (x) => Math.round(x * 10) / 10;

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, GATHER_MS);
  });
}

/** A muted, inline, autoplaying video element for a stream (self view, the speaker). */
export function videoOf(el, track) {
  const stream = el.srcObject instanceof MediaStream ? el.srcObject : new MediaStream();
  for (const old of stream.getTracks()) if (old.kind === track.kind) stream.removeTrack(old);
  stream.addTrack(track);
  el.srcObject = stream;
  el.play?.().catch(() => {});
}

/** The hall display's picture of the speaking remote member: a receive-only call, its video element. */
export function watchSpeaker(hall) {
  const el = h("video.speaker-video", { autoplay: true, playsinline: true, "data-testid": "display-speaker-video" });
  el.muted = true;
  // The call's state on the page's body (the element is in the page only while a remote member speaks),
  // for the operator's tools and the tests, as the member's page shows its own.
  const onChange = (call) => { document.body.dataset.call = call.state; };
  new Call(hall, { onTrack: (track) => videoOf(el, track), onChange }).start();
  return el;
}

/** "Round trip: 12 ms · Loss: 0 % · Jitter: 3 ms" in the page's language ("—" where not measured). */
export function qualityText(q) {
  const value = (x, unit) => (x === null || x === undefined ? "—" : `${num(Math.round(x * 10) / 10)} ${unit}`);
  return [["call.rtt", q.rtt_ms, t("unit.ms")], ["call.loss", q.loss_pct, "%"], ["call.jitter", q.jitter_ms, t("unit.ms")]]
    .map(([key, x, unit]) => `${t(key)}${t("colon")}${value(x, unit)}`).join(" · ");
}
