// The remote member's page: the seat tablet (seat.js: pairing as a remote device, check-in as a
// remote member, agenda, documents and notes, the floor, the signed vote, captions) with a call to
// the hall beside it: camera and microphone, a self view, the floor mix, the speaking remote
// member's video, and how the connection goes (shown here, reported to the chair).
import { Call, qualityText, videoOf } from "./lib/call.js";
import { h, region } from "./lib/dom.js";
import { getLang, t } from "./lib/i18n.js";
import { memberNames, remoteSpeaker } from "./lib/view.js";
import { startSeat } from "./seat.js";

let hall, dev, call;
let local = null; // the camera and microphone stream
let problem = null; // why there is none: "denied" | "missing"

const video = (testid) => {
  const el = h("video", { autoplay: true, playsinline: true, "data-testid": testid });
  el.muted = true;
  return el;
};
const selfView = video("self-view");
const speakerView = video("speaker-video");
const floorAudio = h("audio", { autoplay: true, "data-testid": "floor-audio" });

const els = {
  call: h("section.panel.call", { "aria-labelledby": "call-h" }),
  state: h("p.call-state", { role: "status", "data-testid": "call-state" }),
  quality: h("p.call-quality", { "data-testid": "call-quality" }),
  self: h("figure.call-view"),
  speaker: h("figure.call-view.speaker-view"),
  controls: h("div.call-controls"),
};

function layout() {
  els.call.replaceChildren(
    h("h2#call-h", t("call.title")),
    h("div.call-grid", els.self, els.speaker),
    h("div.call-bar", els.state, els.quality, els.controls),
    floorAudio);
}

function draw(force) {
  const view = hall?.view;
  if (!view) return;
  if (force || !els.call.firstChild) {
    for (const el of Object.values(els)) el.__key = undefined;
    layout();
  }
  const lang = getLang();
  region(els.self, JSON.stringify([lang, problem]), () => [
    problem ? h("p.muted.call-missing", t(`call.media.${problem}`)) : selfView,
    h("figcaption", t("call.self")),
  ]);
  const speaker = remoteSpeaker(view);
  const me = speaker && speaker === dev.member_id; // the hall gets their camera; they have the self view
  speakerView.hidden = !speaker || me;
  region(els.speaker, JSON.stringify([lang, speaker, me]), () => {
    const [name] = speaker ? memberNames(hall, speaker) : [];
    return [
      speakerView,
      speakerView.hidden ? h("p.muted.call-missing", t(me ? "call.speaker.you" : "call.speaker.none")) : null,
      h("figcaption", { "data-testid": "speaker-caption" }, speaker ? `${t("call.speaker")}${t("colon")}${name}` : t("call.speaker")),
    ];
  });
  const q = call?.quality || {};
  const state = call?.state || "idle";
  els.state.dataset.state = state;
  region(els.state, JSON.stringify([lang, state]), () => [h("span.dot", { "aria-hidden": "true" }), t(`call.state.${state}`)]);
  region(els.quality, JSON.stringify([lang, q.rtt_ms, q.loss_pct, q.jitter_ms]), () => qualityText(q));
  const mic = local?.getAudioTracks()[0];
  const cam = local?.getVideoTracks()[0];
  region(els.controls, JSON.stringify([lang, !!mic, mic?.enabled, !!cam, cam?.enabled]), () => [
    mic ? toggle(mic, "call.mic", "mic-toggle") : null,
    cam ? toggle(cam, "call.camera", "camera-toggle") : null,
  ]);
}

function toggle(track, key, testid) {
  return h("button.btn.big.quiet", {
    type: "button", "aria-pressed": String(!track.enabled), "data-testid": testid, "data-fk": testid,
    onclick: () => { track.enabled = !track.enabled; draw(); },
  }, t(track.enabled ? `${key}.off` : `${key}.on`));
}

async function openDevices() {
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15 } } });
    const cam = local.getVideoTracks()[0];
    if (cam) videoOf(selfView, cam);
    else problem = "missing";
  } catch (err) {
    problem = err?.name === "NotAllowedError" ? "denied" : "missing";
  }
}

function onTrack(track) {
  videoOf(track.kind === "audio" ? floorAudio : speakerView, track);
}

startSeat("remote", {
  panels: [els.call],
  draw,
  ready: (x, d) => {
    hall = x;
    dev = d;
    openDevices().then(() => {
      call = new Call(hall, { stream: local, onTrack, onChange: () => draw(), report: true });
      call.start();
      draw();
    });
  },
}).catch((err) => console.error(err));
