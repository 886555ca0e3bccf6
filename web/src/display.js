// The hall display: what the public and the back row see. Large, high-contrast, read-only:
// current item, the speaker (Khmer and Latin names, group, countdown), the queue, the vote count
// while a vote runs, the result with the named roll-call list once published, live captions.
import { runDevicePage } from "./lib/boot.js";
import { watchSpeaker } from "./lib/call.js";
import { frame, tick } from "./lib/chrome.js";
import { bar, h, region } from "./lib/dom.js";
import { clock, getLang, num, t } from "./lib/i18n.js";
import { ShownPage } from "./lib/viewer.js";
import { drawLivePlan } from "./lib/plan.js";
import {
  choiceLabel, countsList, itemById, itemTitle, latestVote, memberName, motion, neededLabel, resultLabel, resultOnDisplay, roleClass,
  paintCountdowns, remoteSpeaker,
} from "./lib/view.js";

const ui = frame("display", () => draw(true));
let hall, speakerVideo; // the speaking remote member's camera, from the media endpoint
const captions = [];
const shownPage = new ShownPage(); // the document page the chair or a clerk shows (lib/viewer.js)

const els = {
  item: h("section.card.current-item", { "aria-labelledby": "cur-h" }),
  speaker: h("section.card.big-speaker.live-only", { "aria-labelledby": "spk-h" }),
  queue: h("section.card.live-only", { "aria-labelledby": "q-h" }),
  vote: h("section.card.vote-now", { "aria-live": "polite" }),
  captions: h("section.card.captions", { "aria-labelledby": "cap-h" }),
  plan: h("section.card.plan-card", { "aria-labelledby": "plan-h" }),
  clock: h("span.wall-clock"),
};

function layout() {
  ui.header.querySelector(".tools").prepend(els.clock);
  els.hall = h("div.hall", els.item, els.speaker, h("div.side", els.vote, els.queue), els.plan, shownPage.el, els.captions);
  ui.main.replaceChildren(els.hall);
}

function draw(force = false) {
  const view = hall?.view;
  if (!view) return;
  if (force) for (const el of Object.values(els)) el.__key = undefined;
  ui.paintSitting(view);
  els.hall.classList.toggle("has-doc", shownPage.update(view.status === "closed" ? null : view.shown));
  const item = itemById(view, view.current_item);
  region(els.item, JSON.stringify([getLang(), view.current_item, view.status]), () => view.status === "closed" ? [
    h("p.label", t("status.closed")),
    h("h1#cur-h", { "data-testid": "display-item" }, t("sitting.closed.now")),
  ] : [
    h("p.label", t("agenda.current")),
    h("h1#cur-h", { "data-testid": "display-item" }, item ? itemTitle(item) : t("agenda.none.current")),
    item && item.parent_id ? h("p.label", itemTitle(itemById(view, item.parent_id))) : null,
  ]);
  const f = view.floor;
  const remote = remoteSpeaker(view);
  region(els.speaker, JSON.stringify([getLang(), f.speaking.map((s) => s.turn_id), remote]), () => [
    h("h2#spk-h.label", t("speaking")),
    f.speaking.length ? f.speaking.map((turn) => {
      const m = hall.member(turn.member_id);
      return h("div.speaker", { "data-testid": "display-speaker", "data-member": turn.member_id },
        h("div.speaker-name", { lang: "km" }, m?.name_km || turn.member_id),
        h("div.speaker-other", { lang: "en" }, m?.name_latin || ""),
        h("div.speaker-meta", [m?.group, m && (getLang() === "km" ? m.title_km : m.title_en),
          turn.speech_type !== "contribution" ? t(`speech.${turn.speech_type}`) : null].filter(Boolean).join(" · ")),
        h("div.countdown", { "data-turn": turn.turn_id, role: "timer", "aria-label": t("time.left") }),
        turn.member_id === remote ? speakerVideo : null);
    }) : h("p.muted", t("speaking.none")),
  ]);
  region(els.queue, JSON.stringify([getLang(), f.queue.map((r) => r.member_id)]), () => [
    h("h2#q-h.label", t("queue"), ` (${num(f.queue.length)})`),
    f.queue.length ? h("ol.queue-big", { "data-testid": "display-queue" }, f.queue.slice(0, 8).map((r) => h("li",
      memberName(hall, r.member_id),
      r.speech_type === "point_of_order" ? h("span.badge.badge-poo", t("speech.point_of_order")) : null)))
      : h("p.muted", t("queue.empty")),
  ]);
  drawVote(view);
  drawLivePlan(els.plan, hall, "plan-h");
  drawCaptions();
}

function drawVote(view) {
  const v = latestVote(view);
  const show = v && (v.status === "open" || resultOnDisplay(v, hall.now()));
  region(els.vote, JSON.stringify([getLang(), show && v.vote_id, v?.status, v?.voted, v?.needed]), () => {
    els.vote.hidden = !show;
    if (!show) return [];
    if (v.status === "open") {
      const pct = v.eligible.length ? Math.round((100 * v.voted) / v.eligible.length) : 0;
      return [
        h("p.label", `${t("vote.open.now")} · ${t(`vote.kind.${v.kind}`)}`),
        h("h2.motion", motion(v)),
        h("p.vote-count", { "data-testid": "display-vote-count" }, `${num(v.voted)} / ${num(v.eligible.length)}`),
        neededLabel(v) ? h("p.needed", { "data-testid": "display-vote-needed", "data-needed": v.needed }, neededLabel(v)) : null,
        h("div.progress", { role: "progressbar", "aria-valuemin": 0, "aria-valuemax": v.eligible.length, "aria-valuenow": v.voted,
          "aria-label": t("vote.progress", { voted: v.voted, eligible: v.eligible.length }) }, bar(pct)),
        v.deadline_ms ? h("p.countdown", { "data-deadline": v.deadline_ms, role: "timer" }) : null,
      ];
    }
    const r = v.result;
    return [
      h("p.label", t("vote.result")),
      h("h2.motion", motion(v)),
      h("div.result-head",
        h(`p.outcome.outcome-${r.outcome}`, { "data-testid": "outcome", "data-outcome": r.outcome }, resultLabel(r)),
        countsList(v)),
      Object.keys(v.named).length ? [
        h("h3.label", t("vote.named")),
        h("ul.named", { "data-testid": "named" }, Object.entries(v.named).map(([m, c]) => h("li",
          h("span", memberName(hall, m)), h("strong", { class: roleClass(v, c).replace("choice-", "c-") }, choiceLabel(c))))),
      ] : null,
    ];
  });
}

function onCaption(c) {
  if (c.stream !== hall.stream) return;
  const last = captions[captions.length - 1];
  if (last && last.turn_id === c.turn_id && !last.final) captions[captions.length - 1] = c;
  else captions.push(c);
  while (captions.length > 2) captions.shift();
  drawCaptions();
}

function drawCaptions() {
  region(els.captions, JSON.stringify([getLang(), captions]), () => [
    h("h2#cap-h.label", t("captions")),
    h("div.caption-lines", { role: "log", "aria-live": "off", "data-testid": "captions" },
      captions.length ? captions.map((c) => h(`p.caption${c.final ? "" : ".partial"}`,
        h("span.caption-who", `${memberName(hall, c.member_id)}${t("colon")}`), c.text)) : h("p.muted", t("captions.none"))),
  ]);
}

async function start() {
  await runDevicePage("display", ui, {
    ready: (x) => { hall = x; speakerVideo = watchSpeaker(x); }, layout, draw, on: { caption: onCaption },
  });
  tick(() => {
    paintCountdowns(hall);
    if (hall?.view) drawVote(hall.view);  // a published result's time on the display runs out
    els.clock.textContent = clock(Date.now());
  });
}

start().catch((err) => console.error(err));
