// What every app shares: the top bar (app and sitting, connection state, language, large text),
// notices, toasts for refusals, and the clock tick that drives countdowns.
import { h, toast } from "./dom.js";
import { getLang, onLang, setLang, t, date, num } from "./i18n.js";

const LARGE = "hemicycle.large";
const tickers = new Set();

export function applyLargeText() {
  document.documentElement.classList.toggle("large", localStorage.getItem(LARGE) === "1");
}

/** Build the frame of a page; returns its parts. redraw() is called after a language change. */
export function frame(app, redraw) {
  applyLargeText();
  document.documentElement.dataset.app = app;
  const title = h("span.app-title");
  const sitting = h("span.sitting-title");
  const conn = h("div.conn", { role: "status", "aria-live": "polite", "data-testid": "conn" });
  const langBtn = h("button.tool", { type: "button", "data-testid": "lang" });
  const largeBtn = h("button.tool", { type: "button", "data-testid": "large-text" });
  langBtn.addEventListener("click", () => setLang(getLang() === "km" ? "en" : "km"));
  largeBtn.addEventListener("click", () => {
    localStorage.setItem(LARGE, localStorage.getItem(LARGE) === "1" ? "0" : "1");
    applyLargeText();
    paintTools();
  });
  const header = h("header.topbar", { role: "banner" },
    h("div.brand", h("img", { src: "/static/dist/icon.svg", alt: "", width: 36, height: 36 }), h("div.titles", title, sitting)),
    h("div.tools", conn, largeBtn, langBtn));
  const notice = h("div.notice-bar", { role: "status", hidden: true });
  // A closed sitting says so on every page, with the way to the next one (``ui.nextSitting``, set by boot.js).
  const closedBar = h("div.closed-bar", { role: "status", hidden: true, "data-testid": "sitting-closed" });
  const main = h("main#main", { tabindex: "-1" });
  const root = document.getElementById("app");
  root.replaceChildren(header, notice, closedBar, main);
  root.removeAttribute("aria-busy");
  let connState = "connecting";

  function paintTools() {
    title.textContent = t(`app.${app}`);
    langBtn.textContent = t("lang.switch");
    langBtn.setAttribute("lang", getLang() === "km" ? "en" : "km");
    langBtn.setAttribute("aria-label", t("lang.switch.label"));
    largeBtn.textContent = t("large.text");
    largeBtn.setAttribute("aria-pressed", String(localStorage.getItem(LARGE) === "1"));
    paintConn(connState);
    document.title = `${t(`app.${app}`)} — Hemicycle`;
  }

  function paintConn(state) {
    connState = state;
    conn.className = `conn conn-${state}`;
    conn.dataset.state = state;
    conn.replaceChildren(h("span.dot", { "aria-hidden": "true" }), h("span", t(`conn.${state}`)));
  }

  function paintSitting(view) {
    if (!view) {
      sitting.textContent = "";
      return;
    }
    sitting.replaceChildren(
      h("span", `${getLang() === "km" ? view.title_km : view.title_en}`),
      h("span.sep", " · "),
      h("span", date(view.date)),
      h("span.sep", " · "),
      h(`span.status.status-${view.status}`, t(`status.${view.status}`)),
    );
    notice.hidden = !view.notice;
    notice.replaceChildren(h("strong", `${t("notice")}${t("colon")}`), view.notice || "");
    document.documentElement.dataset.status = view.status;
    closedBar.hidden = view.status !== "closed";
    closedBar.replaceChildren(h("strong", t("sitting.closed.now")),
      ui.nextSitting ? h("button.btn.primary", { type: "button", "data-testid": "sitting-next", onclick: () => ui.nextSitting() },
        t("sitting.next")) : null);
  }

  onLang(() => {
    paintTools();
    redraw?.();
  });
  paintTools();
  const ui = { main, header, paintConn, paintSitting, notice, nextSitting: null };
  return ui;
}

/** Show a refusal: the message for its code in the page's language (English adds the server's words). */
export function showError(err) {
  const code = err?.code || "internal";
  const known = t(`err.${code}`) !== `err.${code}`;
  let msg = known ? t(`err.${code}`) : err?.message || String(err);
  if (getLang() === "en" && err?.message && err.message !== msg && err.message !== code) msg += ` (${err.message})`;
  toast(msg, "error");
}

export function showOk(message) {
  toast(message, "ok", 4000);
}

/** Run fn every quarter second (countdowns); returns a function that stops it. */
export function tick(fn) {
  tickers.add(fn);
  fn();
  return () => tickers.delete(fn);
}

setInterval(() => {
  for (const fn of tickers) fn();
}, 250);

/** A button that runs an async action, disabled while it runs; refusals become toasts. */
export function action(label, fn, props = {}, cls = "btn") {
  const b = h(`button.${cls}`, { type: "button", ...props }, label);
  b.addEventListener("click", async () => {
    if (b.getAttribute("aria-disabled") === "true") return;
    b.setAttribute("aria-disabled", "true");
    b.classList.add("busy");
    try {
      await fn(b);
    } catch (err) {
      showError(err);
    } finally {
      b.removeAttribute("aria-disabled");
      b.classList.remove("busy");
    }
  });
  return b;
}

export { num };
