// The seat tablet: pairing, check-in, agenda and documents (pdf.js viewer, following the hall's
// page) with private notes kept by the server, the floor, the signed vote, live captions.
// Everything drawn from the sitting's public view.
// The remote member's page (remote.js) is this page with a call beside it: see startSeat.
import { signedBallot } from "./lib/ballot.js";
import { runDevicePage } from "./lib/boot.js";
import { action, frame, showError, showOk, tick } from "./lib/chrome.js";
import { docIcon, h, region } from "./lib/dom.js";
import { newId } from "./lib/hall.js";
import { getLang, num, t } from "./lib/i18n.js";
import { MemberNotes } from "./lib/notes.js";
import { Reader } from "./lib/viewer.js";
import {
  choiceLabel, countsList, itemById, itemTitle, latestVote, memberAtSeat, memberName, memberNames, motion, neededLabel,
  openVote, paintCountdowns, resultLabel, roleClass,
} from "./lib/view.js";

let ui, dev, hall;
let extra = {}; // what the remote page adds: {panels: [elements above the grid], draw(), ready(hall, dev)}
let selectedItem = null; // the item the member is reading; null = follow the current item
let notes; // the checked-in member's private notes (lib/notes.js)
const reader = new Reader(); // the open document, over the page
let following = false; // the reader turns with the hall display's page
const vote = { id: null, stage: "choose", choice: null, sending: false, waiting: false };
const captions = []; // the last few caption lines: {turn_id, member_id, text, final}

const els = {
  member: h("section.member-bar", { "aria-label": "member" }),
  agenda: h("nav.panel.agenda", { "aria-labelledby": "agenda-h" }),
  item: h("section.panel.item", { "aria-labelledby": "item-h" }),
  floor: h("section.panel.floor", { "aria-labelledby": "floor-h" }),
  result: h("section.panel.result", { "aria-live": "polite" }),
  captions: h("section.captions", { "aria-labelledby": "captions-h" }),
  vote: h("div.vote-layer"),
};

function layout() {
  ui.main.replaceChildren(
    els.member,
    ...(extra.panels || []),
    h("div.seat-grid", els.agenda, els.item, h("div.side", els.floor, els.result)),
    els.captions,
    reader.layer,
    els.vote,
  );
}

// -- records kept on this device ---------------------------------------------------------------

const ballotKey = (voteId, member) => `hemicycle.ballot.${hall.stream}.${voteId}.${member}`;
const serverBallot = (voteId, member) => {
  const b = hall?.own?.member_id === member ? hall.own.ballots?.[voteId] : null;
  return b ? { choice: b.choice, receipt: { seq: b.seq } } : null;
};
const getBallot = (voteId, member) =>
  JSON.parse(localStorage.getItem(ballotKey(voteId, member)) || "null") || serverBallot(voteId, member);
const putBallot = (voteId, member, rec) => localStorage.setItem(ballotKey(voteId, member), JSON.stringify(rec));

// -- drawing ------------------------------------------------------------------------------------

function draw(force = false) {
  const view = hall?.view;
  if (!view) return;
  if (force) for (const el of Object.values(els)) el.__key = undefined;
  ui.paintSitting(view);
  const member = memberAtSeat(view, dev);
  notes.follow(hall.stream, member);
  followHall(view);
  if (force) reader.relabel();
  drawMember(view, member);
  drawAgenda(view);
  drawItem(view, member);
  drawFloor(view, member);
  drawResult(view, member);
  drawVote(view, member);
  drawCaptions();
  extra.draw?.(force);
}

function drawMember(view, member) {
  const lang = getLang();
  region(els.member, JSON.stringify([lang, member, hall.rosterVersion, dev.seat]), () => {
    if (member) {
      const [name, other] = memberNames(hall, member);
      return h("div.member-card", { "data-testid": "member-card" },
        h("div.who", h("span.label", t("checkin.done")), h("strong.name", { "data-testid": "member-name" }, name),
          h("span.other", other)),
        dev.seat ? h("span.seat-no", `${t("seat.label")} ${dev.seat}`) : null,
        action(t("checkout"), () => hall.command({ type: "attendance.check_out", member_id: member }),
          { "data-testid": "check-out" }, "btn.quiet"));
    }
    return checkInForm(view);
  });
}

function checkInForm(view) {
  const present = view.attendance.presence;
  const sel = h("select#ci-member", { required: true, "data-testid": "checkin-member", "data-fk": "ci-m" },
    h("option", { value: "" }, t("checkin.choose")),
    hall.roster
      .filter((m) => dev.member_id ? m.member_id === dev.member_id : true)
      .map((m) => h("option", { value: m.member_id, disabled: !!present[m.member_id] },
        `${memberName(hall, m.member_id)} — ${getLang() === "km" ? m.name_latin : m.name_km}`)));
  const pin = h("input#ci-pin", { type: "password", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]*",
    minlength: 4, maxlength: 8, required: true, "data-testid": "checkin-pin", "data-fk": "ci-p" });
  const form = h("form.checkin.live-only", { "aria-labelledby": "ci-h", "data-testid": "checkin" },
    h("h2#ci-h", t("checkin.title"), dev.seat ? ` ${dev.seat}` : ""),
    h("div.field", h("label", { for: "ci-member" }, t("checkin.member")), sel),
    h("div.field", h("label", { for: "ci-pin" }, t("checkin.pin")), pin),
    h("button.btn.primary", { type: "submit", "data-testid": "checkin-submit" }, t("checkin")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!sel.value || !/^[0-9]{4,8}$/.test(pin.value)) {
      showError({ code: "bad_credential" });
      return;
    }
    try {
      await hall.command({ type: "attendance.check_in", member_id: sel.value, pin: pin.value });
      pin.value = "";
    } catch (err) {
      pin.value = "";
      showError(err);
    }
  });
  return form;
}

function drawAgenda(view) {
  const key = JSON.stringify([getLang(), view.items.map((i) => [i.item_id, i.status]), view.current_item, selectedItem]);
  region(els.agenda, key, () => [
    h("h2#agenda-h", t("agenda")),
    h("ol.agenda-list", view.items.map((it) => {
      const current = it.item_id === view.current_item;
      const shown = (selectedItem || view.current_item) === it.item_id;
      return h(`li.agenda-item.depth-${Math.min(it.depth, 3)}.st-${it.status}`, { "aria-current": current ? "true" : null },
        h("button.agenda-btn", {
          type: "button", "data-fk": `ag-${it.item_id}`, "data-item": it.item_id, "aria-pressed": String(shown),
          onclick: () => { selectedItem = it.item_id === view.current_item ? null : it.item_id; draw(); },
        },
        h("span.item-title", itemTitle(it)),
        it.status !== "pending" ? h(`span.badge.badge-${it.status}`, t(`item.${it.status}`)) : null,
        it.documents.length ? h("span.doc-count", docIcon(), h("span.visually-hidden", t("documents")), ` ${num(it.documents.length)}`) : null));
    })),
  ]);
}

function drawItem(view, member) {
  const id = selectedItem || view.current_item;
  const item = itemById(view, id);
  const shown = view.shown;
  const key = JSON.stringify([getLang(), id, item?.documents.map((d) => d.sha256), reader.viewer?.sha256, member,
    item?.status, shown?.document_id, shown?.page, following]);
  region(els.item, key, () => {
    if (!item) return [h("h2#item-h", t("agenda.current")), h("p.muted", t("agenda.none.current"))];
    const docs = item.documents;
    return [
      h("p.label", item.item_id === view.current_item ? t("agenda.current") : t(`item.${item.status}`)),
      h("h2#item-h.item-heading", itemTitle(item)),
      shown ? h("p.shown-now", { "data-testid": "shown-now" }, h("span.label", `${t("shown.now")}${t("colon")}`),
        ` ${shown.title} · ${t("viewer.page")} ${num(shown.page)} `,
        h("button.btn.small", { type: "button", "aria-pressed": String(following), "data-testid": "follow-hall",
          "data-fk": "follow-hall", onclick: () => setFollowing(!following) }, t("shown.follow"))) : null,
      h("h3", t("documents")),
      docs.length === 0 ? h("p.muted", t("documents.none")) : h("ul.docs", docs.map((d) => h("li",
        h("button.btn.doc", {
          type: "button", "aria-pressed": String(reader.viewer?.sha256 === d.sha256), "data-fk": `doc-${d.document_id}`,
          "data-testid": "doc-open", onclick: () => readDocument(d),
        }, docIcon(), d.title)))),
      member ? notes.box(item.item_id) : null,
    ];
  });
}

// -- documents: the reader, following the hall display's page -----------------------------------

function readDocument(d, page = 1, redraw = true) {
  const shownHere = () => hall.view?.shown?.sha256 === d.sha256;
  reader.show({
    sha256: d.sha256, title: d.title, page,
    follow: { on: following && shownHere(), onChange: (on) => setFollowing(on) },
    onTurn: () => { if (following) setFollowing(false); }, // a page turned by hand stops following
    onClose: () => { following = false; draw(); },
  });
  if (redraw) draw();
}

function setFollowing(on) {
  following = on;
  reader.viewer?.setToggle("follow", on);
  if (on) followHall(hall.view);
  draw();
}

/** While following, the reader shows the hall display's document at its page. */
function followHall(view) {
  const shown = view.shown;
  if (!following || !shown) return;
  if (reader.viewer?.sha256 !== shown.sha256) readDocument(shown, shown.page, false);
  else reader.viewer.goTo(shown.page);
}

function speakerCard(turn, big = false) {
  const [name, other] = memberNames(hall, turn.member_id);
  const m = hall.member(turn.member_id);
  return h(`div.speaker${big ? ".big" : ""}`, { "data-testid": "speaker", "data-member": turn.member_id },
    h("div.speaker-name", name), h("div.speaker-other", other),
    h("div.speaker-meta", m?.group || "", turn.speech_type !== "contribution" ? ` · ${t(`speech.${turn.speech_type}`)}` : ""),
    h("div.countdown", { "data-turn": turn.turn_id, role: "timer", "aria-label": t("time.left") }));
}

function drawFloor(view, member) {
  const f = view.floor;
  const place = member ? f.queue.findIndex((r) => r.member_id === member) : -1;
  const speaking = member ? f.speaking.find((tn) => tn.member_id === member) : null;
  const key = JSON.stringify([getLang(), view.status, f.settings.mode, f.queue.map((r) => r.member_id),
    f.speaking.map((s) => s.turn_id), member]);
  region(els.floor, key, () => {
    const mine = [];
    if (view.status !== "open" && !speaking && place < 0) {
      mine.push(h("p.muted", { "data-testid": "floor-not-open" }, t(`floor.not_open.${view.status}`)));
    } else if (!member) mine.push(h("p.muted", t("floor.checkin.first")));
    else if (speaking) {
      mine.push(h("p.you-speak", { "data-testid": "you-speak" }, t("floor.you.speak")),
        action(t("floor.stop.self"), () => hall.command({ type: "floor.stop", member_id: member }), {}, "btn.big"));
    } else if (place >= 0) {
      mine.push(h("p.place", { "data-testid": "my-place" }, `${t("floor.place")}${t("colon")}`,
        h("strong", t("floor.place.of", { n: place + 1, total: f.queue.length }))),
        action(t("floor.withdraw"), () => hall.command({ type: "floor.withdraw", member_id: member }),
          { "data-testid": "floor-withdraw" }, "btn.big.quiet"));
    } else if (f.settings.mode === "chair_only") {
      mine.push(h("p.muted", t("floor.chair.only")));
    } else {
      mine.push(
        action(t("floor.request"), () => hall.command({ type: "floor.request", member_id: member }),
          { "data-testid": "floor-request" }, "btn.big.primary"),
        action(t("floor.point_of_order"),
          () => hall.command({ type: "floor.request", member_id: member, speech_type: "point_of_order" }),
          { "data-testid": "floor-poo" }, "btn.big.warn"));
    }
    return [
      h("h2#floor-h", t("floor")),
      h("div.speaking", { "data-testid": "speaking" },
        h("h3", t("speaking")),
        f.speaking.length ? f.speaking.map((turn) => speakerCard(turn)) : h("p.muted", t("speaking.none"))),
      h("div.mine", mine),
      h("details.queue", h("summary", `${t("queue")} (${num(f.queue.length)})`),
        f.queue.length ? h("ol", f.queue.map((r) => h("li", { class: r.member_id === member ? "me" : "" },
          memberName(hall, r.member_id),
          r.speech_type === "point_of_order" ? h("span.badge.badge-poo", t("speech.point_of_order")) : null)))
          : h("p.muted", t("queue.empty"))),
    ];
  });
}

function drawResult(view, member) {
  const v = latestVote(view);
  const key = JSON.stringify([getLang(), v?.vote_id, v?.status, v?.voted, member]);
  region(els.result, key, () => {
    if (!v || v.status === "open") return [];
    if (v.status === "closed") return [h("h2", t("vote")), h("p", motion(v)), h("p.muted", t("vote.closed.wait"))];
    const r = v.result;
    const mine = member ? getBallot(v.vote_id, member) : null;
    return [
      h("h2", t("vote.result")),
      h("p.motion-small", motion(v)),
      h(`p.outcome.outcome-${r.outcome}`, { "data-testid": "outcome", "data-outcome": r.outcome }, resultLabel(r)),
      countsList(v),
      mine?.choice ? h("p", `${t("vote.your.choice")}${t("colon")}`, h("strong", choiceLabel(mine.choice))) : null,
    ];
  });
}

// -- the vote -------------------------------------------------------------------------------------

function drawVote(view, member) {
  const v = openVote(view);
  if (!v) {
    vote.id = null;
    region(els.vote, "none", () => []);
    return;
  }
  if (vote.id !== v.vote_id) Object.assign(vote, { id: v.vote_id, stage: "choose", choice: null, sending: false, waiting: false });
  const eligible = member && v.eligible.includes(member);
  const rec = member ? getBallot(v.vote_id, member) : null;
  const key = JSON.stringify([getLang(), v.vote_id, member, eligible, rec, vote, v.voted, v.eligible.length, v.needed]);
  const fresh = els.vote.__vote !== `${v.vote_id}:${vote.stage}:${!!rec}`;
  els.vote.__vote = `${v.vote_id}:${vote.stage}:${!!rec}`;
  const drawn = region(els.vote, key, () => {
    if (!member || !eligible) {
      return h("div.vote-banner", { role: "status", "data-testid": "vote-banner" },
        h("strong", `${t("vote.open.now")}${t("colon")}`), motion(v), " — ",
        member ? t("vote.not.eligible") : t("vote.checkin.first"));
    }
    let body;
    if (vote.sending) {
      body = [h("p.vote-sending", { role: "status", "data-testid": "vote-sending" },
        vote.waiting ? t("waiting.connection") : t("sending")),
      h("p.vote-choice", choiceLabel(vote.choice))];
    } else if (rec && vote.stage !== "confirm" && vote.stage !== "change") {
      body = [
        h("p.vote-done", { "data-testid": "vote-done" }, "✓ ", t("vote.recorded")),
        rec.choice ? h("p.vote-choice", `${t("vote.your.choice")}${t("colon")}`, h("strong", { "data-testid": "vote-mychoice" }, choiceLabel(rec.choice))) : null,
        rec.receipt ? h("p.receipt", { "data-testid": "receipt" }, `${t("vote.receipt")}${t("colon")}#${num(rec.receipt.seq)}`,
          rec.receipt.hash ? h("code", ` ${rec.receipt.hash.slice(0, 16)}…`) : null) : null,
        h("p.muted.small", t("vote.signed")),
        v.allow_change ? h("button.btn.big.quiet", { type: "button", "data-testid": "vote-change",
          onclick: () => { vote.stage = "change"; draw(); } }, t("vote.change")) : null,
      ];
    } else if (vote.stage === "confirm") {
      body = [
        h("p.vote-q", t("vote.confirm.q")),
        h("p.vote-choice", { class: roleClass(v, vote.choice), "data-testid": "vote-confirm-choice" }, choiceLabel(vote.choice)),
        h("div.vote-actions",
          h("button.btn.big.quiet", { type: "button", "data-testid": "vote-back", onclick: () => { vote.stage = rec ? "change" : "choose"; draw(); } }, t("vote.back")),
          h("button.btn.big.primary", { type: "button", "data-testid": "vote-confirm", "data-fk": "vote-confirm", onclick: () => cast(v, member) }, t("vote.confirm"))),
      ];
    } else {
      body = [
        h("p.vote-q", t("vote.choose")),
        h("div.vote-options", v.options.map((o) => h("button.vote-option", {
          class: roleClass(v, o), type: "button", "data-choice": o, "data-testid": `vote-${o}`,
          onclick: () => { vote.choice = o; vote.stage = "confirm"; draw(); },
        }, choiceLabel(o)))),
        rec ? h("button.btn.quiet", { type: "button", onclick: () => { vote.stage = "choose"; draw(); } }, t("cancel")) : null,
      ];
    }
    return h("div.vote-dialog", { role: "dialog", "aria-modal": "true", "aria-labelledby": "vote-h", "data-testid": "vote-dialog" },
      h("p.label", `${t("vote.open.now")} · ${t(`vote.kind.${v.kind}`)}`),
      h("h2#vote-h.motion", { tabindex: "-1" }, motion(v)),
      neededLabel(v) ? h("p.needed", { "data-testid": "seat-vote-needed", "data-needed": v.needed }, neededLabel(v)) : null,
      h("p.vote-progress", { "data-testid": "vote-progress" }, t("vote.progress", { voted: v.voted, eligible: v.eligible.length })),
      v.deadline_ms ? h("p.countdown.vote-timer", { "data-deadline": v.deadline_ms, role: "timer" }) : null,
      body);
  });
  // A new vote screen (or a new step of it) takes the focus, so keyboards and screen readers land on it.
  if (drawn && fresh && !document.activeElement?.closest(".vote-dialog")) els.vote.querySelector("#vote-h")?.focus();
}

async function cast(v, member) {
  const choice = vote.choice;
  Object.assign(vote, { sending: true, waiting: !hall.socket.connected });
  draw();
  try {
    const cmd = await signedBallot(dev.keyPair.privateKey,
      { sitting: hall.stream, vote: v.vote_id, member, seat: dev.seat ?? null, choice });
    const ack = await hall.command(cmd, {
      id: newId("b"), persist: true, onWait: () => { vote.waiting = true; vote.id === v.vote_id && draw(); },
    });
    putBallot(v.vote_id, member, { choice, receipt: ack.receipt });
    showOk(t("vote.recorded"));
  } catch (err) {
    if (err.code === "already_voted") putBallot(v.vote_id, member, { choice: getBallot(v.vote_id, member)?.choice ?? null, receipt: { seq: err.details.receipt } });
    showError(err);
  } finally {
    Object.assign(vote, { sending: false, waiting: false, stage: "choose", choice: null });
    draw();
  }
}

function onResent(env, ack, err) {
  if (env.cmd?.type !== "vote.cast") return;
  const b = JSON.parse(atob(env.cmd.ballot));
  if (ack) putBallot(b.vote, b.member, { choice: b.choice, receipt: ack.receipt });
  else if (err) showError(err);
  draw();
}

// -- captions and timers ------------------------------------------------------------------------

function onCaption(c) {
  if (c.stream !== hall.stream) return;
  const last = captions[captions.length - 1];
  if (last && last.turn_id === c.turn_id && !last.final) captions[captions.length - 1] = c;
  else captions.push(c);
  while (captions.length > 4) captions.shift();
  drawCaptions();
}

function drawCaptions() {
  const lines = captions;
  region(els.captions, JSON.stringify([getLang(), lines]), () => [
    h("h2#captions-h.label", t("captions")),
    h("div.caption-lines", { role: "log", "aria-live": "off", "data-testid": "captions" },
      lines.length ? lines.map((c) => h(`p.caption${c.final ? "" : ".partial"}`,
        h("span.caption-who", `${memberName(hall, c.member_id)}${t("colon")}`), c.text)) : h("p.muted", t("captions.none"))),
  ]);
}


// -- start ---------------------------------------------------------------------------------------

/** Run the page as `role` ("seat", or "remote" with `more`: the call's panels, drawing and start). */
export async function startSeat(role = "seat", more = {}) {
  extra = more;
  ui = frame(role, () => draw(true));
  await runDevicePage(role, ui, {
    ready: (x, d) => { hall = x; dev = d; notes = new MemberNotes(x); extra.ready?.(x, d); },
    layout,
    draw,
    on: { caption: onCaption, resent: onResent },
  });
  tick(() => paintCountdowns(hall));
}

if (document.documentElement.dataset.app === "seat") startSeat().catch((err) => console.error(err));
