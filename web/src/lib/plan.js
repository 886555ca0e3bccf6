// Seating plans (protocol/seating.py): a room's grid laid out as SVG, each seat's live state from
// the public view ("seats", procedure/views.py seating_view: present, requested, speaking, voted,
// never a choice), and the clerk's editor (naming seats, removing gaps, picking a seat to enrol).
// Each state has a colour AND a shape or mark: speaking is a square, a request a raised triangle,
// a ballot a tick, an empty seat a dashed ring. Every seat is labelled with its number and member.
import { h, region } from "./dom.js";
import { getLang, num, t } from "./i18n.js";
import { memberName } from "./view.js";

const NS = "http://www.w3.org/2000/svg";
const PITCH = 44; // grid units between seat centres
const R = 16; // seat radius
const ARC = (150 * Math.PI) / 180; // a hemicycle's span, facing the rostrum

export const SHAPES = ["rows", "hemicycle"];
export const NUMBERINGS = ["continuous", "continuous_right", "row_seat"];
export const STATES = ["speaking", "requested", "voted", "present", "empty"];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const key = (row, column) => `${row}-${column}`;

/** The seats of a rows x columns grid without the gaps, named in the scheme: front row first. */
export function nameSeats({ rows, columns, numbering, prefix = "" }, gaps = new Set()) {
  const seats = [];
  let n = 0;
  for (let row = 1; row <= rows; row += 1) {
    const cols = Array.from({ length: columns }, (_, i) => i + 1);
    if (numbering === "continuous_right") cols.reverse();
    let inRow = 0;
    for (const column of cols) {
      if (gaps.has(key(row, column))) continue;
      n += 1;
      inRow += 1;
      const seat = numbering === "row_seat" ? `${prefix}${row}-${inRow}` : `${prefix}${prefix ? String(n).padStart(3, "0") : n}`;
      seats.push({ seat, row, column });
    }
  }
  return seats.sort((a, b) => a.row - b.row || a.column - b.column);
}

/** The grid positions a plan leaves empty, as "row-column" keys. */
export function gapsOf(plan) {
  const taken = new Set(plan.seats.map((s) => key(s.row, s.column)));
  const gaps = new Set();
  for (let row = 1; row <= plan.rows; row += 1)
    for (let column = 1; column <= plan.columns; column += 1) if (!taken.has(key(row, column))) gaps.add(key(row, column));
  return gaps;
}

/** Where each grid position is drawn, in SVG units: straight rows, or arcs around the rostrum. */
function layout(plan) {
  const { rows, columns } = plan;
  const at = {};
  if (plan.shape === "hemicycle") {
    const r0 = Math.max(3 * PITCH, columns > 1 ? (PITCH * (columns - 1)) / ARC : 0);
    const rMax = r0 + (rows - 1) * PITCH;
    const cx = rMax + PITCH;
    const cy = PITCH * 1.2;
    for (let row = 1; row <= rows; row += 1) {
      const radius = r0 + (row - 1) * PITCH;
      for (let column = 1; column <= columns; column += 1) {
        const a = Math.PI / 2 + ARC / 2 - (columns > 1 ? (ARC * (column - 1)) / (columns - 1) : ARC / 2);
        at[key(row, column)] = { x: cx + radius * Math.cos(a), y: cy + radius * Math.sin(a) };
      }
    }
    return { at, rostrum: { x: cx, y: cy } };
  }
  for (let row = 1; row <= rows; row += 1)
    for (let column = 1; column <= columns; column += 1)
      at[key(row, column)] = { x: PITCH * column, y: PITCH * (row + 1) };
  return { at, rostrum: { x: (PITCH * (columns + 1)) / 2, y: PITCH * 0.7 } };
}

/** A seat's states from the public view's "seats" entry (none: an empty seat). */
export function seatStates(entry) {
  if (!entry) return ["empty"];
  return ["speaking", "requested", "voted"].filter((s) => entry[s]).concat(["present"]);
}

function seatShape(states, x, y) {
  if (states.includes("speaking")) return svg("rect", { x: x - R, y: y - R, width: 2 * R, height: 2 * R, rx: 4, class: "plan-seat-shape" });
  return svg("circle", { cx: x, cy: y, r: R, class: "plan-seat-shape" });
}

function marks(states, x, y) {
  return [
    states.includes("requested") ? svg("path", { class: "plan-mark-request", d: `M${x - 9} ${y - R - 3} L${x + 9} ${y - R - 3} L${x} ${y - R - 16} Z` }) : null,
    states.includes("voted") ? svg("g", { class: "plan-mark-voted" },
      svg("circle", { cx: x + R - 2, cy: y + R - 2, r: 8 }),
      svg("path", { d: `M${x + R - 6} ${y + R - 2} l3 3 l5 -6` })) : null,
  ];
}

/**
 * The plan as an SVG element. opts: seats (the view's seats map), hall (for names), mode "live" |
 * "edit" | "pick", gaps (edit: the removed positions), selected (pick: a seat id), taken (pick: seat
 * ids with a device), onToggle(row, column) in edit mode, onPick(seat) in pick mode.
 */
export function planSvg(plan, opts = {}) {
  const { seats = {}, hall = null, mode = "live" } = opts;
  const g = layout(plan);
  const bySeatPos = Object.fromEntries(plan.seats.map((s) => [key(s.row, s.column), s]));
  const nodes = [];
  for (let row = 1; row <= plan.rows; row += 1) {
    for (let column = 1; column <= plan.columns; column += 1) {
      const { x, y } = g.at[key(row, column)];
      const s = bySeatPos[key(row, column)];
      if (!s) {
        if (mode !== "edit") continue;
        const label = t("plan.gap", { row, column });
        nodes.push(svg("g", { class: "plan-gap", role: "button", tabindex: 0, "aria-label": label, "data-pos": key(row, column),
          onclick: () => opts.onToggle(row, column), onkeydown: (e) => activate(e, () => opts.onToggle(row, column)) },
        svg("title", {}, label), svg("circle", { cx: x, cy: y, r: R / 2 })));
        continue;
      }
      const entry = seats[s.seat];
      const states = mode === "edit" ? ["seat"]
        : mode === "pick" ? [s.seat === opts.selected ? "selected" : opts.taken?.has(s.seat) ? "taken" : "empty"] : seatStates(entry);
      const who = entry ? memberName(hall, entry.member_id) : "";
      const said = mode === "live" ? states.map((st) => t(`plan.${st}`)) : mode === "pick" && opts.taken?.has(s.seat) ? [t("plan.taken")]
        : mode === "edit" ? [t("plan.remove")] : [];
      const label = [t("plan.seat", { seat: s.seat }), who, said.join(", ")].filter(Boolean).join(t("colon"));
      const interactive = mode !== "live";
      const act = () => (mode === "edit" ? opts.onToggle(row, column) : opts.onPick(s.seat));
      nodes.push(svg("g", {
        class: `plan-seat ${states.map((st) => `is-${st}`).join(" ")}`, "data-seat": s.seat, "data-states": states.join(" "),
        "data-pos": key(row, column),
        role: interactive ? "button" : "img", "aria-label": label, tabindex: interactive ? 0 : null,
        "aria-pressed": mode === "pick" ? String(s.seat === opts.selected) : null,
        onclick: interactive ? act : null, onkeydown: interactive ? (e) => activate(e, act) : null,
      }, svg("title", {}, label), seatShape(states, x, y), marks(states, x, y),
      seatNo(s.seat, x, y)));
    }
  }
  const { x, y } = g.rostrum;
  // The drawing's box: every position and the rostrum, with a seat's margin around.
  const xs = [...Object.values(g.at).map((p) => p.x), x - 2 * PITCH, x + 2 * PITCH];
  const ys = [...Object.values(g.at).map((p) => p.y), y - 14];
  const [x0, y0] = [Math.min(...xs) - PITCH * 0.8, Math.min(...ys) - PITCH * 0.8];
  const box = [x0, y0, Math.max(...xs) + PITCH * 0.8 - x0, Math.max(...ys) + PITCH * 0.8 - y0].map(Math.round);
  return svg("svg", { viewBox: box.join(" "), class: `plan plan-${mode}`, role: "group",
    "aria-label": `${t("plan.title")}${t("colon")}${getLang() === "km" ? plan.name_km : plan.name_en}`, "data-testid": `plan-${mode}` },
  svg("g", { class: "plan-rostrum", "aria-hidden": "true" },
    svg("rect", { x: x - 2 * PITCH, y: y - 14, width: 4 * PITCH, height: 28, rx: 6 }),
    svg("text", { x, y: y + 6, "text-anchor": "middle" }, t("plan.rostrum"))),
  nodes);
}

function activate(e, fn) {
  if (e.key !== "Enter" && e.key !== " ") return;
  e.preventDefault();
  fn();
}

/** The seat's id, squeezed into the seat when longer than three characters (S001, 12-14). */
function seatNo(seat, x, y) {
  const fit = seat.length > 3 ? { textLength: 2 * R - 6, lengthAdjust: "spacingAndGlyphs" } : {};
  return svg("text", { x, y: y + 4, "text-anchor": "middle", class: "plan-seat-no", "aria-hidden": "true", ...fit }, seat);
}
/** The key: each state's mark and colour, and how many seats are in it now. */
export function planLegend(seats = {}) {
  const entries = Object.values(seats);
  const count = { empty: null, present: entries.length,
    requested: entries.filter((e) => e.requested).length, speaking: entries.filter((e) => e.speaking).length,
    voted: entries.filter((e) => e.voted).length };
  return h("ul.plan-legend", { "data-testid": "plan-legend" }, STATES.map((st) => {
    const states = st === "present" || st === "empty" ? [st] : [st, "present"];
    return h("li", h("span.plan-key", { "aria-hidden": "true" },
      svg("svg", { viewBox: "-2 -8 50 58", class: "plan", width: 28, height: 28 },
        svg("g", { class: `plan-seat ${states.map((x) => `is-${x}`).join(" ")}` }, seatShape(states, 22, 26), marks(states, 22, 26)))),
    t(`plan.${st}`), count[st] === null ? null : h("strong", { "data-state": st }, ` ${num(count[st])}`));
  }));
}

/**
 * Draw a sitting's plan live into el (a section), redrawn only when the plan, the seats or the
 * language change: the hook chair.js, display.js and the clerk's watch tab call on every view.
 */
export function drawLivePlan(el, hall, headingId) {
  const view = hall?.view;
  region(el, JSON.stringify([getLang(), hall?.plan, view?.seats]), () => {
    el.hidden = !hall?.plan;
    if (!hall?.plan) return [];
    return [
      h(`h2#${headingId}.label`, t("plan.title"), ` · ${getLang() === "km" ? hall.plan.name_km : hall.plan.name_en}`),
      h("div.plan-box", planSvg(hall.plan, { seats: view?.seats || {}, hall })),
      planLegend(view?.seats || {}),
    ];
  });
}
