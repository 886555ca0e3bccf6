// The presiding console: run the sitting, the agenda, the speakers' list and microphones, votes.
// One hand, touch first: every action is one large button; lists reorder by drag or by buttons.
import { runDevicePage } from "./lib/boot.js";
import { action, frame, showError, tick } from "./lib/chrome.js";
import { bar, h, region } from "./lib/dom.js";
import { LinksPanel } from "./lib/links.js";
import { both, date, duration, getLang, hallToday, num, t } from "./lib/i18n.js";
import {
  choiceLabel, countsList, itemById, itemTitle, latestVote, memberName, memberNames, motion, openVote, neededLabel, resultLabel,
  paintCountdowns, secondsSpoken,
} from "./lib/view.js";
import { Reader, documentsPanel } from "./lib/viewer.js";
import { drawLivePlan } from "./lib/plan.js";

const ui = frame("chair", () => draw(true));
const reader = new Reader({ side: true }); // a document being read, and shown on the hall display page by page
let hall;
let dragging = false;
const links = new LinksPanel(); // remote members' links

const els = {
  sitting: h("section.panel", { "aria-labelledby": "sit-h" }),
  attendance: h("section.panel", { "aria-labelledby": "att-h" }),
  agenda: h("section.panel", { "aria-labelledby": "ag-h" }),
  docs: h("section.panel", { "aria-labelledby": "docs-h" }),
  notice: h("section.panel", { "aria-labelledby": "notice-h" }),
  mics: h("section.panel.live-only", { "aria-labelledby": "mics-h" }),
  queue: h("section.panel.live-only", { "aria-labelledby": "queue-h" }),
  add: h("section.panel.live-only", { "aria-labelledby": "add-h" }),
  settings: h("section.panel.live-only", { "aria-labelledby": "set-h" }),
  vote: h("section.panel", { "aria-labelledby": "vote-h", "aria-live": "polite" }),
  prepare: h("section.panel.live-only", { "aria-labelledby": "prep-h" }),
  plan: h("section.panel.plan-panel", { "aria-labelledby": "plan-h" }),
};

function layout() {
  ui.main.replaceChildren(h("div.chair-grid",
    h("div.col.col-run", els.sitting, els.attendance, els.agenda, els.docs, els.notice),
    h("div.col.col-floor", els.mics, els.queue, links.el, els.add, els.settings),
    h("div.col.col-vote", els.vote, els.prepare, els.plan)), reader.layer);
}

const cmd = (c) => hall.command(c);

function draw(force = false) {
  const view = hall?.view;
  if (!view) return;
  if (force) for (const el of [...Object.values(els), links.el]) el.__key = undefined;
  if (force) reader.relabel();
  ui.paintSitting(view);
  links.draw(view);
  drawSitting(view);
  drawAttendance(view);
  drawAgenda(view);
  drawDocs(view);
  drawNotice(view);
  drawMics(view);
  paintTotals();
  if (!dragging) drawQueue(view);
  drawAdd(view);
  drawSettings(view);
  drawVote(view);
  drawLivePlan(els.plan, hall, "plan-h");
  drawPrepare(view);
}

function drawSitting(view) {
  const quorate = view.attendance.has_quorum;
  region(els.sitting, JSON.stringify([getLang(), view.status, !!openVote(view), view.opened_day, hallToday(), view.presiding, quorate]), () => {
    const s = view.status;
    const buttons = [];
    const today = s === "scheduled" ? hallToday() : view.opened_day;
    if (today && view.date && today !== view.date) {
      buttons.push(h("p.warning", { role: "alert", "data-testid": "sitting-other-day" },
        t("sitting.other.day", { scheduled: date(view.date), today: date(today) })));
    }
    // Without quorum the button says so: pressing it is the chair's confirmation, and the record keeps it.
    if (s === "scheduled") buttons.push(action(t(quorate ? "sitting.open" : "sitting.open.no_quorum"),
      () => cmd({ type: "sitting.open", without_quorum: !quorate }), { "data-testid": "sitting-open" }, "btn.big.primary"));
    if (s === "open") buttons.push(action(t("sitting.suspend"), () => cmd({ type: "sitting.suspend" }), { "data-testid": "sitting-suspend" }, "btn.big.quiet"));
    if (s === "suspended") buttons.push(action(t("sitting.resume"), () => cmd({ type: "sitting.resume" }), { "data-testid": "sitting-resume" }, "btn.big.primary"));
    if (s === "open" || s === "suspended") {
      buttons.push(action(t("sitting.close"), async () => {
        if (confirm(t("sitting.close.confirm"))) await cmd({ type: "sitting.close" });
      }, { "data-testid": "sitting-close" }, "btn.big.danger"));
    }
    if (s === "closed") buttons.push(nextSitting(view));
    const presiding = view.presiding
      ? h("p.small", { "data-testid": "presiding", "data-member": view.presiding }, `${t("presiding")}${t("colon")}${memberName(hall, view.presiding)}`)
      : null;
    return [h("h2#sit-h", t("chair.sitting"), " · ", h(`span.status.status-${s}`, { "data-testid": "sitting-status" }, t(`status.${s}`))), presiding, buttons];
  });
}

/** Once the sitting is closed, the chair sends the hall's seats, this console and the display on to
 * another of today's sittings with one button (device.route): they follow without pairing again. */
function nextSitting(view) {
  const box = h("div.next-sitting", { "data-testid": "next-sitting" }, h("h3", t("route.next")));
  hall.call("streams", {}).then((ack) => {
    const next = (ack?.sittings || []).filter((x) => x.stream !== view.stream && x.date === ack.today
      && !["closed", "cancelled"].includes(x.status));
    box.append(next.length ? h("div.step", next.map((x) => action(getLang() === "km" ? x.title_km : x.title_en,
      () => hall.command({ type: "device.route", device_ids: [], stream: x.stream }, { stream: "registry" }),
      { "data-testid": `route-to-${x.stream}` }, "btn.primary"))) : h("p.muted", t("sitting.none")));
  }, showError);
  return box;
}

function drawAttendance(view) {
  const a = view.attendance;
  region(els.attendance, JSON.stringify([getLang(), a.present, a.members, a.remote, a.quorum_needed, a.has_quorum]), () => [
    h("h2#att-h", t("attendance")),
    h("div.tiles",
      h("div.tile", { "data-testid": "present" }, t("present"), h("strong", `${num(a.present)} / ${num(a.members)}`)),
      h(`div.tile.${a.has_quorum ? "good" : "bad"}`, { "data-testid": "quorum" },
        a.has_quorum ? t("quorum.met") : t("quorum.missing"),
        h("strong", `${num(a.present)} / ${num(a.quorum_needed)}`),
        h("span.small", `${t("quorum")}${t("colon")}${num(a.quorum_needed)} ${t("quorum.needed")}`)),
      a.remote ? h("div.tile", t("remote"), h("strong", num(a.remote))) : null),
  ]);
}

// The chair's choice, kept across redraws: empty the speakers' list when the item changes.
const clearList = h("input#clear-list", { type: "checkbox", "data-testid": "agenda-clear-list" });

function drawAgenda(view) {
  region(els.agenda, JSON.stringify([getLang(), view.items.map((i) => [i.item_id, i.status]), view.current_item, view.status]), () => [
    h("h2#ag-h", t("agenda")),
    h("div.step",
      action(t("agenda.previous"), () => cmd({ type: "agenda.previous", clear_list: clearList.checked }), { "data-testid": "agenda-previous" }, "btn.quiet"),
      action(t("agenda.next"), () => cmd({ type: "agenda.next", clear_list: clearList.checked }), { "data-testid": "agenda-next" }, "btn.primary")),
    h("div.field.inline", clearList, h("label", { for: "clear-list" }, t("agenda.clear_list"))),
    h("ol.agenda-list", view.items.map((it) => h(`li.agenda-item.depth-${Math.min(it.depth, 3)}.st-${it.status}`,
      { "aria-current": it.item_id === view.current_item ? "true" : null },
      h("div.agenda-row",
        h("span.item-title", itemTitle(it)),
        h(`span.badge.badge-${it.status}`, t(`item.${it.status}`)),
        it.item_id === view.current_item ? null
          : action(t("agenda.takeup"), () => cmd({ type: "agenda.take_up", item_id: it.item_id, clear_list: clearList.checked }),
            { "data-fk": `tu-${it.item_id}`, "aria-label": `${t("agenda.takeup")}${t("colon")}${itemTitle(it)}` }, "btn.small"))))),
  ]);
}

function drawDocs(view) {
  const item = itemById(view, view.current_item);
  region(els.docs, JSON.stringify([getLang(), item?.item_id, item?.documents.map((d) => d.sha256), view.shown]), () => [
    h("h2#docs-h", t("documents")), documentsPanel(reader, hall, item, view)]);
}

function drawNotice(view) {
  region(els.notice, JSON.stringify([getLang()]), () => {
    const input = h("input#notice-text", { type: "text", maxlength: 500, class: "grow" });
    const form = h("form.row", h("label.visually-hidden", { for: "notice-text" }, t("notice.text")), input,
      h("button.btn", { type: "submit" }, t("notice.post")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await cmd({ type: "sitting.notice", text: input.value.trim() });
        input.value = "";
      } catch (err) {
        showError(err);
      }
    });
    return [h("h2#notice-h", t("notice")), form];
  });
}

function drawMics(view) {
  const f = view.floor;
  const head = f.queue[0];
  region(els.mics, JSON.stringify([getLang(), f.speaking.map((s) => [s.turn_id, s.paused, !!s.time_limit_s]), head?.member_id, view.status,
    f.settings.max_open_mics]), () => [
    h("h2#mics-h", t("mics.open"), ` (${num(f.speaking.length)} / ${num(f.settings.max_open_mics)})`),
    f.speaking.length ? f.speaking.map((turn) => {
      const [name, other] = memberNames(hall, turn.member_id);
      return h("div.mic-row", { "data-testid": "mic", "data-member": turn.member_id },
        h("div.qname", h("strong", name), h("small", ` ${other} · ${hall.member(turn.member_id)?.group || ""} · `,
          h("span.spoken-total", { "data-total": turn.turn_id, "data-testid": "spoken-total" })),
          turn.speech_type !== "contribution" ? h("span.badge.badge-poo", t(`speech.${turn.speech_type}`)) : null),
        h("span.countdown", { "data-turn": turn.turn_id, role: "timer", "aria-label": t("time.left") }),
        h("div.mic-time",
          [1, 2].map((min) => action(t("floor.extend", { min }), () => cmd({ type: "floor.extend", member_id: turn.member_id, seconds: 60 * min }),
            { "data-testid": `mic-extend-${min}`, "aria-label": `${t("floor.extend", { min })}${t("colon")}${name}`, disabled: !turn.time_limit_s }, "btn.small")),
          turn.paused
            ? action(t("floor.resume"), () => cmd({ type: "floor.resume", member_id: turn.member_id }),
              { "data-testid": "mic-resume", "aria-label": `${t("floor.resume")}${t("colon")}${name}` }, "btn.small.primary")
            : action(t("floor.pause"), () => cmd({ type: "floor.pause", member_id: turn.member_id }),
              { "data-testid": "mic-pause", "aria-label": `${t("floor.pause")}${t("colon")}${name}` }, "btn.small.quiet")),
        action(t("floor.stop"), () => cmd({ type: "floor.stop", member_id: turn.member_id }),
          { "data-testid": "mic-stop", "aria-label": `${t("floor.stop")}${t("colon")}${name}`, "data-fk": `stop-${turn.member_id}` }, "btn.danger"));
    }) : h("p.muted", t("speaking.none")),
    action(head ? h("span.two-lines", h("span", t("floor.grant.head")), h("span.small", memberName(hall, head.member_id))) : t("floor.grant.head"),
      () => cmd({ type: "floor.grant" }), { "data-testid": "grant-head", "data-fk": "grant-head" }, "btn.big.primary"),
  ]);
}

/** Each speaker's time this sitting: their earlier turns and this one's open-microphone time (a pause or a
 * suspension stops it), as the server counts it (procedure/floor.py ``member_total_ms``). */
function paintTotals() {
  if (!hall?.view) return;
  const f = hall.view.floor;
  for (const el of document.querySelectorAll(".spoken-total[data-total]")) {
    const turn = f.speaking.find((x) => x.turn_id === el.dataset.total);
    if (!turn) continue;
    const s = Math.floor((f.member_total_ms[turn.member_id] || 0) / 1000 + secondsSpoken(turn, hall.now()));
    el.dataset.seconds = String(s);
    el.textContent = `${t("spoken.total")}${t("colon")}${duration(s)}`;
  }
}

function drawQueue(view) {
  const q = view.floor.queue;
  const closed = view.floor.list_closed;
  region(els.queue, JSON.stringify([getLang(), q.map((r) => [r.member_id, r.speech_type]), closed]), () => [
    h("div.panel-head", h("h2#queue-h", t("queue"), ` (${num(q.length)})`),
      closed
        ? action(t("list.reopen"), () => cmd({ type: "floor.reopen_list" }), { "data-testid": "list-reopen" }, "btn.small.primary")
        : action(t("list.close"), () => cmd({ type: "floor.close_list" }), { "data-testid": "list-close" }, "btn.small.quiet")),
    q.length === 0 ? h("p.muted", t("queue.empty")) : h("ol.queue-list", { "data-testid": "queue" }, q.map((r, i) => {
      const [name, other] = memberNames(hall, r.member_id);
      const poo = r.speech_type === "point_of_order";
      const row = h(`li.queue-row${poo ? ".poo" : ""}`, { "data-member": r.member_id },
        h("button.handle", { type: "button", "aria-label": `${t("floor.drag")}${t("colon")}${name}`, title: t("floor.drag"), tabindex: "-1" }, "⠿"),
        h("span.pos", num(i + 1)),
        h("div.qname", name, poo ? h("span.badge.badge-poo", t("speech.point_of_order")) : null, h("small", other)),
        h("div.qactions", action("↑", () => move(q, i, i - 1), { "aria-label": `${t("floor.up")}${t("colon")}${name}`, disabled: i === 0, "data-fk": `up-${r.member_id}` }, "btn.icon.quiet"),
        action("↓", () => move(q, i, i + 1), { "aria-label": `${t("floor.down")}${t("colon")}${name}`, disabled: i === q.length - 1, "data-fk": `dn-${r.member_id}` }, "btn.icon.quiet"),
        action(t("floor.grant"), () => cmd({ type: "floor.grant", member_id: r.member_id }),
          { "aria-label": `${t("floor.grant")}${t("colon")}${name}`, "data-testid": "queue-grant", "data-fk": `gr-${r.member_id}` }, "btn.small"),
        action("✕", () => cmd({ type: "floor.withdraw", member_id: r.member_id }),
          { "aria-label": `${t("floor.remove")}${t("colon")}${name}`, "data-testid": "queue-remove", "data-fk": `rm-${r.member_id}` }, "btn.icon.danger")));
      draggable(row, q);
      return row;
    })),
  ]);
}

function move(queue, from, to) {
  if (to < 0 || to >= queue.length || to === from) return Promise.resolve();
  const ids = queue.map((r) => r.member_id);
  const [m] = ids.splice(from, 1);
  ids.splice(to, 0, m);
  return cmd({ type: "floor.reorder", member_ids: ids });
}

/** Drag by the handle with a finger, pen or mouse (pointer events; HTML5 drag does not work on touch). */
function draggable(row, queue) {
  const handle = row.querySelector(".handle");
  handle.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    dragging = true;
    row.classList.add("dragging");
    const list = row.parentElement;
    const from = [...list.children].indexOf(row);
    let to = from;
    const onMove = (ev) => {
      const rows = [...list.children];
      to = rows.length;
      for (const [i, r] of rows.entries()) {
        const box = r.getBoundingClientRect();
        if (ev.clientY < box.top + box.height / 2) {
          to = i;
          break;
        }
      }
      rows.forEach((r, i) => r.classList.toggle("drop-before", i === to && i !== from && i !== from + 1));
    };
    const onUp = async () => {
      handle.removeEventListener("pointermove", onMove);
      handle.removeEventListener("pointerup", onUp);
      handle.removeEventListener("pointercancel", onUp);
      for (const r of list.children) r.classList.remove("drop-before", "dragging");
      dragging = false;
      const target = to > from ? to - 1 : to;
      try {
        await move(queue, from, target);
      } catch (err) {
        showError(err);
      }
      draw();
    };
    handle.addEventListener("pointermove", onMove);
    handle.addEventListener("pointerup", onUp);
    handle.addEventListener("pointercancel", onUp);
  });
}

function drawAdd(view) {
  const f = view.floor;
  const busy = new Set([...f.queue.map((r) => r.member_id), ...f.speaking.map((s) => s.member_id)]);
  const present = Object.keys(view.attendance.presence).filter((m) => !busy.has(m));
  // Guests heard now: listed for the whole sitting or for the current item, and not speaking.
  const guests = (view.guests || []).filter((g) => (!g.item_id || g.item_id === view.current_item) && !busy.has(g.guest_id));
  region(els.add, JSON.stringify([getLang(), present, guests]), () => {
    const sel = h("select#add-member", { "data-testid": "add-member" },
      present.map((m) => h("option", { value: m }, `${memberName(hall, m)} (${hall.member(m)?.group || ""})`)));
    const add = (speech_type) => () => sel.value
      ? cmd({ type: "floor.request", member_id: sel.value, speech_type })
      : Promise.resolve();
    const guest = h("select#add-guest", { "data-testid": "add-guest" }, guests.map((g) => h("option", { value: g.guest_id },
      `${memberName(hall, g.guest_id)} (${t(`guest.${g.kind}`)})`)));
    return [
      h("h2#add-h", t("floor.add.member")),
      present.length === 0 ? h("p.muted", t("none")) : [
        h("div.field", h("label", { for: "add-member" }, t("checkin.member")), sel),
        h("div.row",
          action(t("floor.add"), add("contribution"), { "data-testid": "add-request" }, "btn"),
          action(t("floor.add.poo"), add("point_of_order"), { "data-testid": "add-poo" }, "btn.warn")),
      ],
      guests.length === 0 ? null : [
        h("div.field", h("label", { for: "add-guest" }, t("guests")), guest),
        action(t("floor.give.guest"), () => cmd({ type: "floor.grant", member_id: guest.value }),
          { "data-testid": "grant-guest" }, "btn.primary"),
      ],
    ];
  });
}

function drawSettings(view) {
  const s = view.floor.settings;
  const item = view.current_item;
  const lim = view.floor.item_limits?.[item] ?? {};
  region(els.settings, JSON.stringify([getLang(), s, item, lim]), () => {
    const mode = h("select#mic-mode", { "data-testid": "mic-mode" },
      ["request_list", "chair_only", "open_floor"].map((m) => h("option", { value: m, selected: m === s.mode }, t(`mode.${m}`))));
    const max = h("input#mic-max", { type: "number", min: 1, max: 25, value: s.max_open_mics, inputmode: "numeric", "data-testid": "mic-max" });
    const minutes = h("input#speak-min", { type: "number", min: 0, max: 120, value: Math.round(s.speaking_time_s / 60), inputmode: "numeric" });
    const cut = h("input#auto-cut", { type: "checkbox", checked: s.auto_stop, "data-testid": "auto-cut" });
    const step = (d) => () => { max.value = Math.min(25, Math.max(1, Number(max.value) + d)); };
    return [
      h("h2#set-h", t("mics")),
      h("div.field", h("label", { for: "mic-mode" }, t("mics.mode")), mode),
      h("div.field", h("label", { for: "mic-max" }, t("mics.max")),
        h("div.row", h("button.btn.icon.quiet", { type: "button", "aria-label": "−1", onclick: step(-1) }, "−"), max,
          h("button.btn.icon.quiet", { type: "button", "aria-label": "+1", onclick: step(1) }, "+"))),
      h("div.field", h("label", { for: "speak-min" }, `${t("speaking.time")} (${t("minutes")})`), minutes),
      h("div.field.inline", cut, h("label", { for: "auto-cut" }, t("auto.cut"))),
      action(t("mics.apply"), () => cmd({ type: "floor.configure", settings: {
        ...s, mode: mode.value, max_open_mics: Number(max.value), speaking_time_s: Number(minutes.value) * 60, auto_stop: cut.checked,
      } }), { "data-testid": "mic-apply" }, "btn.primary"),
      item ? itemLimitsForm(view, item, lim) : null,
    ];
  });
}

/** The current item's own limits (floor.set_item_limits): speaking time, automatic cut, speeches per member. */
function itemLimitsForm(view, item, lim) {
  const minutes = h("input#item-min", { type: "number", min: 0, max: 120, inputmode: "numeric", "data-testid": "item-minutes",
    value: lim.speaking_time_s === null || lim.speaking_time_s === undefined ? "" : Math.round(lim.speaking_time_s / 60),
    placeholder: num(Math.round(view.floor.settings.speaking_time_s / 60)) });
  const cut = h("select#item-cut", { "data-testid": "item-cut" }, [["", "auto.cut.sitting"], ["1", "auto.cut.on"], ["0", "auto.cut.off"]]
    .map(([v, k]) => h("option", { value: v, selected: v === (lim.auto_stop === null || lim.auto_stop === undefined ? "" : lim.auto_stop ? "1" : "0") }, t(k))));
  const speeches = h("input#item-speeches", { type: "number", min: 0, max: 100, inputmode: "numeric", value: lim.max_speeches ?? 0,
    "data-testid": "item-speeches" });
  return h("details.more", { "data-testid": "item-limits" }, h("summary", t("item.limits"), " · ", itemTitle(itemById(view, item))),
    h("div.field", h("label", { for: "item-min" }, `${t("speaking.time")} (${t("minutes")})`), minutes),
    h("div.field", h("label", { for: "item-cut" }, t("auto.cut")), cut),
    h("div.field", h("label", { for: "item-speeches" }, t("item.speeches")), speeches),
    action(t("mics.apply"), () => cmd({ type: "floor.set_item_limits", item_id: item, limits: {
      speaking_time_s: minutes.value === "" ? null : Number(minutes.value) * 60,
      auto_stop: cut.value === "" ? null : cut.value === "1",
      max_speeches: Number(speeches.value) || 0,
    } }), { "data-testid": "item-limits-apply" }, "btn.primary"));
}

// -- votes ----------------------------------------------------------------------------------------

function resultBlock(v) {
  const r = v.result;
  return [
    h(`p.outcome.outcome-${r.outcome}`, { "data-testid": "outcome", "data-outcome": r.outcome }, resultLabel(r)),
    countsList(v),
    h("p.small.muted", `${t("present")}${t("colon")}${num(r.present)} · ${t("quorum")}${t("colon")}${num(r.quorum_needed)} · ${t("members")}${t("colon")}${num(r.members)}`),
    Object.keys(v.named).length ? h("details.more", h("summary", t("vote.named")), h("ul.named", Object.entries(v.named).map(([m, c]) =>
      h("li", h("span", memberName(hall, m)), h("strong", choiceLabel(c)))))) : null,
  ];
}

/** Publish, choosing how long the hall display shows the result (0: until the chair clears it). */
function publishForm(v) {
  const show = h("select#vote-show", { "data-testid": "vote-show" }, [30, 60, 120, 300, 0].map((s) =>
    h("option", { value: s, selected: s === 60 }, s ? `${num(s / 60)} ${t("minutes")}` : t("vote.show.until"))));
  return h("div.publish",
    h("label", { for: "vote-show" }, t("vote.show.for")), show,
    action(t("vote.publish"), () => cmd({ type: "vote.publish", vote_id: v.vote_id, show_s: Number(show.value) }),
      { "data-testid": "vote-publish" }, "btn.big.primary"));
}

function drawVote(view) {
  const v = latestVote(view);
  region(els.vote, JSON.stringify([getLang(), v?.vote_id, v?.status, v?.voted, v?.eligible.length, v?.needed, v?.cleared]), () => {
    if (!v) return [];
    const pct = v.eligible.length ? Math.round((100 * v.voted) / v.eligible.length) : 0;
    return h("div.vote-card", { "data-testid": "vote-card", "data-status": v.status },
      h("h2#vote-h", v.status === "open" ? t("vote.open.now") : t("vote.result")),
      h("p", h("strong", motion(v))),
      h("p.small.muted", t(`vote.kind.${v.kind}`), " · ", v.majority),
      v.status === "open" && neededLabel(v) ? h("p.needed", { "data-testid": "vote-needed", "data-needed": v.needed }, neededLabel(v)) : null,
      h("p", { "data-testid": "vote-progress" }, t("vote.progress", { voted: v.voted, eligible: v.eligible.length })),
      h("div.progress", { role: "progressbar", "aria-valuemin": 0, "aria-valuemax": v.eligible.length, "aria-valuenow": v.voted,
        "aria-label": t("vote.progress", { voted: v.voted, eligible: v.eligible.length }) }, bar(pct)),
      v.status === "open" && v.deadline_ms ? h("p.countdown", { "data-deadline": v.deadline_ms, role: "timer" }) : null,
      v.status === "open" ? action(t("vote.close"), () => cmd({ type: "vote.close", vote_id: v.vote_id }), { "data-testid": "vote-close" }, "btn.big.danger") : null,
      v.status !== "open" && v.result ? resultBlock(v) : null,
      v.status === "closed" ? publishForm(v) : null,
      v.status === "published" ? h("p.badge.badge-done", t("vote.published")) : null,
      v.status === "published" && !v.cleared ? action(t("vote.clear"), () => cmd({ type: "vote.clear_result", vote_id: v.vote_id }),
        { "data-testid": "vote-clear" }, "btn.quiet") : null,
      v.status === "published" && v.cleared ? h("p.small.muted", { "data-testid": "vote-cleared" }, t("vote.cleared")) : null);
  });
}

function motionFor(template, view) {
  const item = itemById(view, view.current_item);
  if (template === "law") return both("tpl.law.motion", { title: [item?.title_km || "", item?.title_en || ""] });
  if (template === "agenda") return both("tpl.agenda");
  return ["", ""];
}

function drawPrepare(view) {
  const running = openVote(view);
  const quorate = view.attendance.has_quorum;
  region(els.prepare, JSON.stringify([getLang(), !!running, view.rules?.id, Object.keys(view.rules?.majorities ?? {}), quorate]), () => {
    if (running) return [];
    const tpl = h("select#vote-tpl", { "data-testid": "vote-template" },
      ["law", "agenda", "custom"].map((k) => h("option", { value: k }, t(`tpl.${k}`))));
    const km = h("textarea#motion-km", { rows: 2, lang: "km", "data-testid": "motion-km" });
    const en = h("textarea#motion-en", { rows: 2, lang: "en", "data-testid": "motion-en" });
    const fill = () => { [km.value, en.value] = motionFor(tpl.value, hall.view); };
    tpl.addEventListener("change", fill);
    fill();
    const question = ["motion", "election"].map((k, i) => h("label.radio", h("input", { type: "radio", name: "vote-question", value: k, checked: i === 0, "data-testid": `question-${k}` }), t(`question.${k}`)));
    const candidates = h("textarea#vote-candidates", { rows: 3, "data-testid": "vote-candidates" });
    // Candidates only for an election: a motion's form stays short enough for a tablet's first screen.
    const candidatesField = h("div.field", { hidden: true }, h("label", { for: "vote-candidates" }, t("vote.candidates")), candidates);
    for (const radio of question) {
      radio.querySelector("input").addEventListener("change", (e) => { candidatesField.hidden = e.target.value !== "election"; });
    }
    const kind = ["roll_call", "secret"].map((k, i) => h("label.radio", h("input", { type: "radio", name: "vote-kind", value: k, checked: i === 0, "data-testid": `kind-${k}` }), t(`vote.kind.${k}`)));
    // The majorities of the sitting's own rules profile, by id; the Senate's have Khmer names.
    const rules = view.rules?.majorities ?? {};
    const majorityName = (id) => (t(`majority.${id}`) === `majority.${id}` ? rules[id] : t(`majority.${id}`));
    const majority = h("select#vote-majority", { "data-testid": "vote-majority" },
      ["", ...Object.keys(rules)].map((m) => h("option", { value: m }, m ? majorityName(m) : t("majority.default"))));
    const dur = h("select#vote-duration", { "data-testid": "vote-duration" },
      [0, 60, 120, 300, 600].map((s) => h("option", { value: s }, s ? `${num(s / 60)} ${t("minutes")}` : t("duration.none"))));
    const change = h("input#vote-change", { type: "checkbox" });
    const form = h("form", { "data-testid": "vote-form" },
      h("h2#prep-h", t("vote.prepare")),
      h("div.field", h("label", { for: "vote-tpl" }, t("vote.template")), tpl),
      h("div.field", h("label", { for: "motion-km" }, t("motion.km")), km),
      h("div.field", h("label", { for: "motion-en" }, t("motion.en")), en),
      h("fieldset", h("legend", t("vote.kind")), kind),
      h("div.field", h("label", { for: "vote-majority" }, t("vote.majority")), majority),
      h("button.btn.big.primary", { type: "submit", "data-testid": "vote-open" }, t(quorate ? "vote.open" : "vote.open.no_quorum")),
      // The rarer choices fold away, so the form fits a tablet's first screen.
      h("details.more", { "data-testid": "vote-more" }, h("summary", t("vote.more")),
        h("fieldset", h("legend", t("vote.question")), question),
        candidatesField,
        h("div.field", h("label", { for: "vote-duration" }, t("vote.duration")), dur),
        h("div.field.inline", change, h("label", { for: "vote-change" }, t("vote.allow.change")))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      const q = form.querySelector("input[name=vote-question]:checked").value;
      const names = candidates.value.split("\n").map((s) => s.trim()).filter(Boolean);
      try {
        await cmd({
          type: "vote.open",
          vote_id: `v${Date.now().toString(36)}`,
          question: q,
          ...(q === "election" ? { options: [...names, "abstain"] } : {}),
          motion_km: km.value.trim() || en.value.trim(),
          motion_en: en.value.trim() || km.value.trim(),
          kind: form.querySelector("input[name=vote-kind]:checked").value,
          majority: majority.value || null,
          duration_s: Number(dur.value),
          allow_change: change.checked,
          without_quorum: !quorate,
        });
      } catch (err) {
        showError(err);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  });
}


async function start() {
  await runDevicePage("chair", ui, { ready: (x) => { hall = x; links.listen(x, draw); }, layout, draw });
  tick(() => {
    paintCountdowns(hall);
    paintTotals();
  });
}

start().catch((err) => console.error(err));
