// Reading the sitting's public view (procedure/views.py): names, items, turns, votes.
// Only reading: every rule stays on the server.
import { h } from "./dom.js";
import { date, duration, getLang, num, t } from "./i18n.js";

export function memberName(hall, id) {
  const m = hall.member(id);
  if (!m) return id;
  return getLang() === "km" ? m.name_km : m.name_latin;
}

/** The name in the page's language, and the other spelling as a second line. */
export function memberNames(hall, id) {
  const m = hall.member(id);
  if (!m) return [id, ""];
  return getLang() === "km" ? [m.name_km, m.name_latin] : [m.name_latin, m.name_km];
}

/** A sitting's body, by its name when the body is defined, else by its kind. */
export function bodyName(s) {
  const named = getLang() === "km" ? s.body_km || s.body_en : s.body_en || s.body_km;
  return named || t(`body.${s.body}`);
}

/** The line under a sitting's title that tells two of the same title apart: body, number, date, place. */
export function sittingLine(s) {
  return [bodyName(s), ` · ${t("sitting.number")} ${num(s.number)} · ${date(s.date)} · `, h("bdi", s.place || ""),
    ` · ${t(`status.${s.status}`)}`, s.simulated ? ` · ${t("sitting.simulated")}` : ""];
}

/**
 * Sittings by body, then newest date first: [[body name, [sitting...]], ...]. Closed and simulated
 * sittings are left out unless `all`, and so is any the caller must keep (`keep`, the one followed) only
 * when it is neither.
 */
export function sittingsByBody(sittings, all, keep = null) {
  const shown = sittings.filter((s) => all || s.stream === keep || (s.status !== "closed" && !s.simulated));
  const groups = new Map();
  for (const s of [...shown].sort((a, b) => b.date.localeCompare(a.date) || b.number - a.number)) {
    const key = bodyName(s);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

/** The guest of the sitting's view with this id, shaped as a roster entry (no group), or undefined. */
export function guestOf(view, id) {
  const g = view?.guests?.find((x) => x.guest_id === id);
  return g && { member_id: g.guest_id, name_km: g.name_km, name_latin: g.name_latin, group: t(`guest.${g.kind}`),
    title_km: g.title_km, title_en: g.title_en, guest: g.kind, item_id: g.item_id };
}

export function itemById(view, id) {
  return view?.items.find((i) => i.item_id === id) || null;
}

export function itemTitle(item) {
  if (!item) return "";
  return getLang() === "km" ? item.title_km || item.title_en : item.title_en || item.title_km;
}

export function openVote(view) {
  return view?.votes.find((v) => v.status === "open") || null;
}

export function latestVote(view) {
  return view?.votes.length ? view.votes[view.votes.length - 1] : null;
}

export function motion(vote) {
  return getLang() === "km" ? vote.motion_km || vote.motion_en : vote.motion_en || vote.motion_km;
}

export function choiceLabel(choice) {
  const key = `choice.${choice}`;
  const s = t(key);
  return s === key ? choice : s;
}

const ROLE_CLASS = { for: "yes", against: "no", abstain: "abstain", blank: "abstain" };

/** The colour class of an option by its meaning (its role), never by its label: yes, no, abstain or other. */
export function roleClass(v, option) {
  return `choice-${ROLE_CLASS[v.roles?.[option]] ?? "other"}`;
}

/** A closed vote's result in full: the outcome, and whom an election elected with how many votes. */
export function resultLabel(r) {
  const label = outcomeLabel(r.outcome);
  return r.elected ? `${label}${t("colon")}${choiceLabel(r.elected)} (${num(r.counts[r.elected] ?? 0)})` : label;
}

/** What carries the vote, by its majority's base (procedure/views.py ``needed_of``): "Needs 42 yes of
 * 62 members", "... of 50 present", or, counted on the votes cast, the share ("Needs more yes than no");
 * empty when no number can carry it. */
export function neededLabel(v) {
  if (v.needed === null || v.needed === undefined) return "";
  const votes = v.question === "election" ? "votes." : "";
  if (v.needed_of !== null && v.needed_of !== undefined) {
    return t(`vote.needs.${votes}${v.needed_base}`, { n: num(v.needed), m: num(v.needed_of) });
  }
  const [n, d, strict] = v.needed_fraction || [1, 2, true];
  if (n * 2 === d && strict) return t(votes ? "vote.needs.cast.half" : "vote.needs.cast");
  return t(strict ? "vote.needs.cast.more" : "vote.needs.cast.least", { f: `${num(n)}/${num(d)}` });
}

/** The result's counts by option, and who did not vote of those who could. */
export function countsList(v) {
  const r = v.result;
  return h("ul.counts", { "data-testid": "counts" },
    v.options.map((o) => h("li", h("span", choiceLabel(o)), h("strong", num(r.counts[o] ?? 0)))),
    h("li.not-voted", { "data-testid": "did-not-vote", "data-count": r.eligible - r.voted },
      h("span", t("not.voted")), h("strong", num(r.eligible - r.voted))));
}

/** Whether the hall display shows a published result now: until its time runs out or the chair clears it. */
export function resultOnDisplay(v, nowMs) {
  return v.status === "published" && !v.cleared && (v.shown_until_ms === null || v.shown_until_ms === undefined
    || nowMs < v.shown_until_ms);
}

export function outcomeLabel(outcome) {
  const key = `outcome.${outcome}`;
  const s = t(key);
  return s === key ? choiceLabel(outcome) : s;
}

/** Seconds left in a turn by the server's clock (negative when over), or null without a limit. */
/** Seconds spoken in a turn: the open-microphone time only (a pause or a suspension stops the clock). */
export function secondsSpoken(turn, nowMs) {
  const running = turn.running_since_ms === null || turn.running_since_ms === undefined ? 0 : nowMs - turn.running_since_ms;
  return ((turn.spent_ms || 0) + running) / 1000;
}

export function secondsLeft(turn, nowMs) {
  if (!turn.time_limit_s) return null;
  return turn.time_limit_s - secondsSpoken(turn, nowMs);
}

export function turnPhase(turn, nowMs) {
  if (turn.paused) return "paused";
  const left = secondsLeft(turn, nowMs);
  if (left === null) return "normal";
  if (left < 0) return "over";
  if (left <= turn.warning_s) return "warning";
  return "normal";
}

/** Who is checked in at a seat, or the member a personal device is bound to. */
export function memberAtSeat(view, dev) {
  if (dev.member_id) return view.attendance.presence[dev.member_id] ? dev.member_id : null;
  for (const [m, p] of Object.entries(view.attendance.presence)) if (p.seat && p.seat === dev.seat) return m;
  return null;
}

/** The first speaking member who takes part remotely (their video is on the floor), or null. */
export function remoteSpeaker(view) {
  return view.floor.speaking.map((s) => s.member_id).find((m) => view.attendance.presence[m]?.remote) || null;
}

/** Update every countdown on the page from the server's timestamps (called 4 times a second). */
export function paintCountdowns(hall) {
  if (!hall?.view) return;
  const now = hall.now();
  for (const el of document.querySelectorAll(".countdown[data-turn]")) {
    const turn = hall.view.floor.speaking.find((x) => x.turn_id === el.dataset.turn);
    if (!turn) continue;
    const left = secondsLeft(turn, now);
    el.dataset.phase = turnPhase(turn, now);
    el.textContent = left === null ? duration(secondsSpoken(turn, now)) : duration(Math.ceil(left));
  }
  for (const el of document.querySelectorAll(".countdown[data-deadline]")) {
    const left = (Number(el.dataset.deadline) - now) / 1000;
    el.textContent = duration(Math.max(0, Math.ceil(left)));
    el.dataset.phase = left <= 10 ? "warning" : "normal";
  }
}
