// Starting a device page: the key, pairing when not yet enrolled, the connection, the sitting.
import { h, region } from "./dom.js";
import { connectAuth, cryptoProblem, ensureKey, forget, pair } from "./device.js";
import { Hall } from "./hall.js";
import { getLang, onLang, t } from "./i18n.js";
import { sittingLine, sittingsByBody } from "./view.js";

/** Show the pairing screen until the clerk enrols this device; resolve with the device record. */
export async function enrolledDevice(role, ui) {
  const problem = cryptoProblem();
  if (problem) {
    ui.main.replaceChildren(h("section.panel.center", h("h1", t(problem))));
    ui.paintConn("offline");
    throw new Error(problem);
  }
  const dev = await ensureKey(role);
  if (dev.device_id) return dev;
  ui.paintConn("idle");
  const codeBox = h("p.pair-code", { "data-testid": "pairing-code", "aria-live": "polite" }, "…");
  const draw = () => [
    h("section.panel.pairing", { "aria-labelledby": "pair-h" },
      h("h1#pair-h", t("pair.title")),
      h("p.lead", t("pair.give")),
      h("p.label", t("pair.code")),
      codeBox,
      h("p.muted", { role: "status" }, h("span.spinner", { "aria-hidden": "true" }), " ", t("pair.waiting")),
      h("p.muted.small", t("pair.key.note"))),
  ];
  ui.main.replaceChildren(...draw());
  const label = `${role} ${new Date().toISOString().slice(0, 10)}`;
  return pair(dev, label, (code) => {
    codeBox.textContent = code.replace(/(.{4})(.{4})/, "$1 $2");
    codeBox.setAttribute("aria-label", code.split("").join(" "));
    codeBox.dataset.code = code;
  });
}

/** The screen of a device the hall no longer accepts (revoked, or never enrolled): it can pair again. */
function showRefused(role, ui, key = "pair.refused") {
  ui.paintConn("refused");
  ui.main.replaceChildren(h("section.panel.center", { "data-testid": "device-refused" },
    h("h1", t(key)),
    h("button.btn.primary", { type: "button", onclick: async () => { await forget(role); location.reload(); } },
      t("pair.again"))));
}

/** Connect as this device; a refused device can pair again. */
export function connectDevice(role, dev, ui) {
  const hall = new Hall(role, () => connectAuth(dev));
  hall.on("state", (s) => ui.paintConn(s));
  hall.on("refused", () => showRefused(role, ui));
  hall.connect();
  return hall;
}

const STREAM_KEY = "hemicycle.stream"; // + ".<role>": the sitting this page chose
const ROUTE_KEY = "hemicycle.route"; // + ".<role>": the route it had when it chose (a newer route wins)

/** What a device page lists: today's sittings on the hall's clock and the open ones, never a cancelled one. */
function followable(s, today, route) {
  if (s.stream === route) return true;
  if (s.status === "cancelled") return false;
  return s.status === "open" || s.status === "suspended" || s.date === today;
}

/**
 * Pick the sitting to follow: the one the hall routed this device to (when routed since the page
 * last chose), the one remembered, the only live one, or the member's choice among today's and open
 * sittings (`force`: always ask).
 */
export async function chooseSitting(hall, ui, { force = false } = {}) {
  const ack = await hall.call("streams", {});
  const route = ack?.route || null;
  const sittings = (ack?.sittings || []).filter((s) => followable(s, ack?.today, route));
  const known = (stream) => stream && sittings.some((s) => s.stream === stream);
  if (!force) {
    const seen = localStorage.getItem(`${ROUTE_KEY}.${hall.role}`);
    if (known(route) && route !== seen) return remember(hall, route, route);
    const remembered = localStorage.getItem(`${STREAM_KEY}.${hall.role}`);
    if (known(remembered)) return remembered;
    if (known(route)) return remember(hall, route, route);
    const live = sittings.filter((s) => s.status !== "closed");
    if (live.length === 1) return remember(hall, live[0].stream, route);
  }
  return new Promise((resolve) => {
    // While nothing is there to follow, look again every few seconds.
    const again = sittings.length === 0 ? setTimeout(() => resolve(chooseSitting(hall, ui, { force })), 3000) : null;
    const pick = (stream) => { clearTimeout(again); resolve(remember(hall, stream, route)); };
    let all = false;
    const draw = () => h("section.panel.choose", { "aria-labelledby": "choose-h" },
      h("h1#choose-h", t("sitting.choose")),
      sittings.length === 0 ? h("p", t("sitting.none")) : null,
      sittingChoices(sittings, all, null, (s) => pick(s.stream),
        (s) => (s.stream === route ? h("span.badge", t("route.here")) : null)),
      h("label.check", h("input", { type: "checkbox", checked: all, "data-testid": "show-all-sittings",
        onchange: (e) => { all = e.target.checked; ui.main.replaceChildren(draw()); } }), ` ${t("sitting.show.all")}`));
    ui.main.replaceChildren(draw());
  });
}

/** Sittings as buttons under a heading per body (view.js `sittingsByBody`); `current` is marked pressed,
 * `badge(s)` adds a mark to a sitting's button (the route's). */
export function sittingChoices(sittings, all, current, onPick, badge = () => null) {
  return sittingsByBody(sittings, all, current).map(([body, list]) => h("div.body-group",
    h("h2.small", h("bdi", body)),
    h("ul.choices", list.map((s) => h("li",
      h("button.btn.choice", { type: "button", "data-stream": s.stream, "data-fk": `s-${s.stream}`,
        "aria-pressed": current === null ? undefined : String(s.stream === current), onclick: () => onPick(s) },
        h("strong", h("bdi", getLang() === "km" ? s.title_km : s.title_en)),
        h("span", sittingLine(s)), badge(s)))))));
}

function remember(hall, stream, route) {
  localStorage.setItem(`${STREAM_KEY}.${hall.role}`, stream);
  if (route) localStorage.setItem(`${ROUTE_KEY}.${hall.role}`, route);
  else localStorage.removeItem(`${ROUTE_KEY}.${hall.role}`);
  return stream;
}

export function forgetSitting(role) {
  localStorage.removeItem(`${STREAM_KEY}.${role}`);
}

export { region };

/**
 * Run a device page: pair if need be, connect, follow the chosen sitting (again when it goes
 * away), redraw on every view. `ready(hall, device)` gets them before anything is drawn.
 */
export async function runDevicePage(role, ui, { ready, layout, draw, on = {} }) {
  const dev = await enrolledDevice(role, ui);
  const hall = connectDevice(role, dev, ui);
  ready(hall, dev);
  let revoked = false;
  const follow = async (force = false) => {
    ui.main.replaceChildren(h("p.muted.center", t("loading")));
    const stream = await chooseSitting(hall, ui, { force });
    if (revoked) return;
    layout();
    await hall.follow(stream);
  };
  ui.nextSitting = () => follow(true); // a closed sitting's way on: choose among today's and open ones
  const change = h("button.tool", { type: "button", "data-testid": "change-sitting", onclick: () => follow(true) });
  const label = () => { change.textContent = t("sitting.change"); };
  label();
  onLang(label);
  ui.header.querySelector(".tools")?.prepend(change);
  hall.on("view", () => !revoked && draw());
  for (const [event, fn] of Object.entries(on)) hall.on(event, fn);
  hall.on("view-error", async () => {
    forgetSitting(role);
    await follow();
  });
  // The hall routes this device (the clerk, or the chair for its hall): follow at once, no pairing again.
  hall.on("device", async (standing) => {
    if (standing.revoked) {
      revoked = true;
      hall.close();
      change.remove();
      ui.paintSitting(null);
      showRefused(role, ui, "pair.revoked");
      return;
    }
    if (standing.route && standing.route !== hall.stream) {
      remember(hall, standing.route, standing.route);
      layout();
      await hall.follow(standing.route);
    }
  });
  await follow();
  return hall;
}
