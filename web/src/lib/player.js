// A turn's audio for the clerks' review, played through Web Audio.
// Not an <audio> element: the pages' CSP (default-src 'self') refuses media from blob: URLs, and
// the audio route needs the clerk's auth header, which a media element cannot send. The player
// fetches the WAV with the header on first use, decodes it, and plays it from any offset.
import { h, icon } from "./dom.js";
import { duration, getLang, t } from "./i18n.js";

let context = null; // one AudioContext for the page, made on the first play (a user gesture)
let playing = null; // the player making sound now: starting another stops it

function audioContext() {
  if (!context) context = new AudioContext();
  if (context.state === "suspended") context.resume();
  return context;
}

const PLAY = "M4 2.5v11l9-5.5z";
const PAUSE = "M3.5 2.5h3v11h-3z M9.5 2.5h3v11h-3z";
const BACK = "M8 3V0L3.5 4 8 8V5a4.5 4.5 0 1 1-4.5 4.5h-2A6.5 6.5 0 1 0 8 3z";

/**
 * Play one turn. load() resolves with the WAV bytes, or null when the archive has none;
 * length is the clip's expected length in seconds (known from the segments before any fetch).
 * States: idle -> loading -> ready <-> playing; loading -> none | error.
 */
export class TurnPlayer {
  constructor(load, length, { label = "", testid } = {}) {
    this.load = load;
    this.length = length;
    this.state = "idle";
    this.buffer = null;
    this.source = null;
    this.offset = 0; // seconds into the clip while paused
    this.startedAt = 0; // context time when the current source started at this.offset
    this.toggle = h("button.btn.small.play", { type: "button", "data-testid": "audio-play", onclick: () => this.togglePlay() });
    this.back = h("button.btn.small.quiet", { type: "button", onclick: () => this.seek(Math.max(0, this.currentTime - 5)) });
    this.range = h("input.audio-range", { type: "range", min: 0, max: length.toFixed(2), step: "0.1", value: 0 });
    this.range.addEventListener("input", () => this.seek(Number(this.range.value)));
    this.time = h("span.audio-time", { "aria-hidden": "true" });
    this.status = h("span.audio-status", { role: "status" });
    this.label = label;
    this.el = h("div.player", { role: "group", "data-testid": testid || "player" },
      this.toggle, this.back, this.range, this.time, this.status);
    this.el.player = this;
    this.paint();
  }

  /** Seconds into the clip now. */
  get currentTime() {
    if (this.state !== "playing" || !context) return this.offset;
    return Math.min(this.length, this.offset + (context.currentTime - this.startedAt));
  }

  /** Name the player (whose turn it is) in the page's language, and repaint its labels. */
  relabel(label) {
    this.label = label;
    this.painted = null;
    this.paint();
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.paint();
  }

  async fetch() {
    this.setState("loading");
    try {
      const bytes = await this.load();
      if (!bytes) {
        this.setState("none");
        return false;
      }
      this.buffer = await audioContext().decodeAudioData(bytes);
      this.length = this.buffer.duration;
      this.range.max = this.length.toFixed(2);
      this.setState("ready");
      return true;
    } catch (err) {
      console.warn("audio", err);
      this.setState("error");
      return false;
    }
  }

  /** Play from `at` seconds (or where it was); loads the audio the first time. */
  async play(at) {
    audioContext(); // in the click's own turn, so the browser lets it make sound
    if (at !== undefined) this.offset = Math.max(0, Math.min(at, this.length));
    if (this.state === "none" || this.state === "loading") return;
    if (!this.buffer && !(await this.fetch())) return;
    if (playing && playing !== this) playing.pause();
    this.stopSource();
    if (this.offset >= this.length - 0.05) this.offset = 0;
    const c = audioContext();
    const src = c.createBufferSource();
    src.buffer = this.buffer;
    src.connect(c.destination);
    src.onended = () => {
      if (this.source !== src) return; // stopped by us, not run out
      this.source = null;
      this.offset = this.length;
      this.setState("ready");
    };
    this.startedAt = c.currentTime;
    src.start(0, this.offset);
    this.source = src;
    playing = this;
    this.setState("playing");
  }

  pause() {
    if (this.state !== "playing") return;
    this.offset = this.currentTime;
    this.stopSource();
    this.setState("ready");
  }

  togglePlay() {
    if (this.state === "playing") this.pause();
    else this.play();
  }

  seek(at) {
    if (this.state === "playing") this.play(at);
    else {
      this.offset = Math.max(0, Math.min(at, this.length));
      this.paint();
    }
  }

  stopSource() {
    const src = this.source;
    this.source = null;
    if (src) {
      try {
        src.stop();
      } catch {
        // already ended
      }
      src.disconnect();
    }
    if (playing === this) playing = null;
  }

  /** Redraw the controls (in the page's language); called four times a second while playing. */
  paint() {
    const key = `${getLang()} ${this.state}`;
    if (this.painted !== key) {
      this.painted = key;
      const gone = this.state === "none" || this.state === "error";
      this.el.setAttribute("aria-label", this.label || t("audio.label"));
      this.el.dataset.state = this.state;
      this.toggle.replaceChildren(icon(this.state === "playing" ? PAUSE : PLAY),
        h("span", t(this.state === "playing" ? "audio.pause" : "audio.play")));
      this.toggle.setAttribute("aria-disabled", String(this.state === "loading"));
      this.back.title = t("audio.back");
      this.back.replaceChildren(icon(BACK), h("span", t("audio.back.short")));
      this.range.setAttribute("aria-label", t("audio.position"));
      for (const el of [this.toggle, this.back, this.range, this.time]) el.hidden = gone;
      this.status.textContent = { loading: t("audio.loading"), none: t("audio.none"), error: t("audio.error") }[this.state] || "";
    }
    const now = this.currentTime;
    if (document.activeElement !== this.range) this.range.value = now.toFixed(1);
    const text = `${duration(now)} / ${duration(this.length)}`;
    this.range.setAttribute("aria-valuetext", text);
    this.time.textContent = text;
  }
}

/** Stop whatever plays (the clerk leaves the review). */
export function stopAll() {
  playing?.pause();
}

/** The player making sound now, if any (for the clock tick that moves its slider). */
export function nowPlaying() {
  return playing;
}
