// Starting a device page: the key, pairing when not yet enrolled, the connection, the sitting.
import { h, region } from "./dom.js";
import { t } from "./i18n.js";
import { connectAuth, cryptoProblem, ensureKey, forget, pair } from "./device.js";
import { Hall } from "./hall.js";
import { getLang } from "./i18n.js";
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

/** Connect as this device; a refused device can pair again. */
export function connectDevice(role, dev, ui) {
  const hall = new Hall(role, () => connectAuth(dev));
  hall.on("state", (s) => ui.paintConn(s));
  hall.on("refused", () => {
    ui.main.replaceChildren(h("section.panel.center",
      h("h1", t("pair.refused")),
      h("button.btn.primary", { type: "button", onclick: async () => { await forget(role); location.reload(); } },
        t("pair.again"))));
  });
  hall.connect();
  return hall;
}

const STREAM_KEY = "hemicycle.stream";

/** Pick the sitting to follow: the one remembered, the only one not closed, or the member's choice. */
export async function chooseSitting(hall, ui, { force = false } = {}) {
  const ack = await hall.call("streams", {});
  const sittings = ack?.sittings || [];
  const remembered = localStorage.getItem(`${STREAM_KEY}.${hall.role}`);
  const live = sittings.filter((s) => s.status !== "closed");
  if (!force) {
    if (remembered && sittings.some((s) => s.stream === remembered)) return remembered;
    if (live.length === 1) return remember(hall, live[0].stream);
  }
  return new Promise((resolve) => {
    // While nothing is there to follow, look again every few seconds.
    const again = sittings.length === 0 ? setTimeout(() => resolve(chooseSitting(hall, ui, { force })), 3000) : null;
    const pick = (stream) => { clearTimeout(again); resolve(remember(hall, stream)); };
    let all = false;
    const draw = () => h("section.panel.choose", { "aria-labelledby": "choose-h" },
      h("h1#choose-h", t("sitting.choose")),
      sittings.length === 0 ? h("p", t("sitting.none")) : null,
      sittingChoices(sittings, all, null, (s) => pick(s.stream)),
      h("label.check", h("input", { type: "checkbox", checked: all, "data-testid": "show-all-sittings",
        onchange: (e) => { all = e.target.checked; ui.main.replaceChildren(draw()); } }), ` ${t("sitting.show.all")}`));
    ui.main.replaceChildren(draw());
  });
}

/** Sittings as buttons under a heading per body (view.js `sittingsByBody`); `current` is marked pressed. */
export function sittingChoices(sittings, all, current, onPick) {
  return sittingsByBody(sittings, all, current).map(([body, list]) => h("div.body-group",
    h("h2.small", h("bdi", body)),
    h("ul.choices", list.map((s) => h("li",
      h("button.btn.choice", { type: "button", "data-stream": s.stream, "data-fk": `s-${s.stream}`,
        "aria-pressed": current === null ? undefined : String(s.stream === current), onclick: () => onPick(s) },
        h("strong", h("bdi", getLang() === "km" ? s.title_km : s.title_en)),
        h("span", sittingLine(s))))))));
}

function remember(hall, stream) {
  localStorage.setItem(`${STREAM_KEY}.${hall.role}`, stream);
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
  ui.nextSitting = () => {
    forgetSitting(role);
    location.reload();
  };
  const follow = async () => {
    ui.main.replaceChildren(h("p.muted.center", t("loading")));
    const stream = await chooseSitting(hall, ui);
    layout();
    await hall.follow(stream);
  };
  hall.on("view", () => draw());
  for (const [event, fn] of Object.entries(on)) hall.on(event, fn);
  hall.on("view-error", async () => {
    forgetSitting(role);
    await follow();
  });
  await follow();
  return hall;
}
