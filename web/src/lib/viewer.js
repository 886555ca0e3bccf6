// The document viewer: PDF pages drawn by pdf.js (bundled, its worker too: no CDN, no browser
// plug-in, so it works on Android Chrome, which shows no PDF in a frame). Touch first: large
// buttons, swipe to turn, full screen, zoom and fit width, page thumbnails; "follow the speaker"
// and "show on the hall display" hooks for the seat and the presiding console.
import { action, showError } from "./chrome.js";
import { docIcon, h, icon, sleep } from "./dom.js";
import { num, t } from "./i18n.js";

const ASSETS = "/static/dist/pdfjs/"; // standard fonts, CMaps, wasm decoders (web/build.mjs copies them)
const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4]; // of the page's printed size (100 % = 96 px an inch)
const CSS_PX = 96 / 72; // PDF points to CSS pixels
const SWIPE_PX = 60;
const LOAD_TRIES = 4;
const LOAD_RETRY_MS = 750;

let library = null; // pdf.js, loaded on the first document only

async function pdfjs() {
  if (!library) {
    library = import("pdfjs-dist/legacy/build/pdf.mjs").then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = "/static/dist/pdf.worker.js";
      return lib;
    });
  }
  return library;
}

const ICONS = {
  prev: "M10.5 2.5 5 8l5.5 5.5 1.4-1.4L7.8 8l4.1-4.1z",
  next: "M5.5 2.5 11 8l-5.5 5.5-1.4-1.4L8.2 8 4.1 3.9z",
  zoomOut: "M3 7h10v2H3z",
  zoomIn: "M7 3h2v4h4v2H9v4H7V9H3V7h4z",
  fit: "M1 3h2v10H1zm12 0h2v10h-2zM4 7h8V5l3 3-3 3V9H4v2L1 8l3-3z",
  thumbs: "M1 1h6v6H1zm8 0h6v6H9zM1 9h6v6H1zm8 0h6v6H9z",
  full: "M1 1h5v2H3v3H1zm9 0h5v5h-2V3h-3zM1 10h2v3h3v2H1zm12 0h2v5h-5v-2h3z",
  follow: "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 3 4 4-4 4V9H4V7h4z",
  present: "M1 2h14v9H9v2h3v2H4v-2h3v-2H1zm2 2v5h10V4z",
  close: "M3.4 2 8 6.6 12.6 2 14 3.4 9.4 8l4.6 4.6-1.4 1.4L8 9.4 3.4 14 2 12.6 6.6 8 2 3.4z",
};

/**
 * One PDF, one page at a time, in a box the caller places.
 *   new DocumentViewer({ sha256, title, page, chrome, fit, onTurn, follow, present, onClose })
 *   sha256/title: the document (read from /documents/<sha256> with the page's document pass)
 *   chrome: false for the hall display (no toolbar, no thumbnails: the page alone)
 *   fit: "width" (tablets) | "page" (the hall display: the whole page in the box)
 *   onTurn(page): a person turned the page here (not goTo from the caller)
 *   follow / present: {on, onChange(on)} toggles shown in the toolbar when given
 *   onClose(): a close button when given
 * States: loading -> ready | failed. el is the element to place.
 */
export class DocumentViewer {
  constructor(opts) {
    this.opts = opts;
    this.sha256 = opts.sha256;
    this.page = Math.max(1, opts.page || 1);
    this.pages = 0;
    this.fit = opts.fit || "width";
    this.zoom = 1; // used when fit is null (the person chose a zoom)
    this.state = "loading";
    this.thumbsOpen = false;
    this.task = null; // the render in progress, cancelled by a newer one
    this.canvas = h("canvas.pdfv-page", { role: "img", "data-testid": "viewer-page" });
    this.stage = h("div.pdfv-stage", { tabindex: "0", "data-testid": "viewer-stage" }, this.canvas);
    this.thumbs = h("nav.pdfv-thumbs", { hidden: true, "data-testid": "viewer-thumb-list" });
    this.status = h("p.pdfv-status", { role: "status" });
    this.bar = h("div.pdfv-bar", { role: "toolbar" });
    this.el = h(`section.pdfv${opts.chrome === false ? ".pdfv-bare" : ""}`,
      { "data-testid": "viewer", "data-sha": opts.sha256, "data-state": "loading" },
      opts.chrome === false ? null : this.bar,
      h("div.pdfv-body", this.thumbs, this.stage), this.status);
    this.el.viewer = this;
    this.paintBar();
    this.wire();
    this.ready = this.load();
  }

  // -- loading and drawing ------------------------------------------------------------------

  async load() {
    this.status.textContent = t("viewer.loading");
    try {
      const lib = await pdfjs();
      // A page that has just connected may ask before its document pass (a cookie) is set: try again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          this.doc = await lib.getDocument({
            url: `/documents/${this.sha256}`, isEvalSupported: false, standardFontDataUrl: `${ASSETS}standard_fonts/`,
            cMapUrl: `${ASSETS}cmaps/`, cMapPacked: true, wasmUrl: `${ASSETS}wasm/`, iccUrl: `${ASSETS}iccs/`,
          }).promise;
          break;
        } catch (err) {
          if (attempt >= LOAD_TRIES || err?.status !== 401 || this.destroyed) throw err;
          await sleep(LOAD_RETRY_MS);
        }
      }
    } catch (err) {
      if (this.destroyed) return;
      this.setState("failed");
      this.status.textContent = t("viewer.failed");
      console.warn("document", this.sha256, err);
      return;
    }
    if (this.destroyed) {
      this.doc.destroy();
      return;
    }
    this.pages = this.doc.numPages;
    this.page = Math.min(this.page, this.pages);
    this.status.textContent = "";
    this.setState("ready");
    this.paintBar();
    await this.render();
  }

  setState(state) {
    this.state = state;
    this.el.dataset.state = state;
  }

  /** The scale (CSS px per PDF point) for the current fit or zoom, from the stage's size now. */
  scaleFor(page) {
    const base = page.getViewport({ scale: 1 });
    const box = this.stage.getBoundingClientRect();
    const width = Math.max(200, box.width - 16);
    if (this.fit === "width") return width / base.width;
    if (this.fit === "page") return Math.min(width / base.width, Math.max(200, box.height - 16) / base.height);
    return this.zoom * CSS_PX;
  }

  /** A page of the document, or null once the viewer is gone (pdf.js then rejects with its transport torn down). */
  async pageOf(n) {
    try {
      return this.destroyed ? null : await this.doc.getPage(n);
    } catch (err) {
      if (this.destroyed) return null;
      throw err;
    }
  }

  async render() {
    if (this.state !== "ready") return;
    const n = this.page;
    const page = await this.pageOf(n);
    if (!page || this.destroyed || n !== this.page) return;
    const scale = this.scaleFor(page);
    const viewport = page.getViewport({ scale });
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    // Draw into a fresh canvas, then swap: the old page stays until the new one is whole.
    const canvas = h("canvas.pdfv-page", { role: "img", "data-testid": "viewer-page", "data-page": n,
      "aria-label": `${t("viewer.page")} ${num(n)} / ${num(this.pages)}` });
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    this.task?.cancel();
    const task = page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null });
    this.task = task;
    try {
      await task.promise;
    } catch (err) {
      if (err?.name !== "RenderingCancelledException") console.warn("render", err);
      return;
    }
    if (this.destroyed || n !== this.page) return;
    this.canvas.replaceWith(canvas);
    this.canvas = canvas;
    this.scale = scale;
    this.el.dataset.page = String(n);
    this.paintBar();
    this.markThumb();
  }

  // -- turning and zooming ------------------------------------------------------------------

  /** Show page n (clamped). by: "person" (a turn here: onTurn is told) or "caller". */
  goTo(n, by = "caller") {
    const target = Math.min(Math.max(1, Math.round(n) || 1), this.pages || Math.max(1, n));
    if (target === this.page && this.el.dataset.page === String(target)) return;
    this.page = target;
    this.stage.scrollTo(0, 0);
    this.paintBar();
    this.render();
    if (by === "person") this.opts.onTurn?.(target);
  }

  setFit(fit) {
    this.fit = fit;
    this.render();
  }

  stepZoom(dir) {
    const now = this.fit ? this.scale / CSS_PX : this.zoom;
    const next = dir > 0 ? ZOOMS.find((z) => z > now + 0.01) : [...ZOOMS].reverse().find((z) => z < now - 0.01);
    if (!next) return;
    this.fit = null;
    this.zoom = next;
    this.render();
  }

  toggleFull() {
    const full = document.fullscreenElement === this.el || this.el.classList.contains("pdfv-full");
    if (full) {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      this.el.classList.remove("pdfv-full");
    } else if (this.el.requestFullscreen) {
      // The element itself goes full screen; where the browser refuses, the page's own layer does.
      this.el.requestFullscreen().catch(() => this.el.classList.add("pdfv-full"));
    } else {
      this.el.classList.add("pdfv-full");
    }
    setTimeout(() => { this.paintBar(); this.render(); }, 150);
  }

  toggleThumbs() {
    this.thumbsOpen = !this.thumbsOpen;
    this.thumbs.hidden = !this.thumbsOpen;
    if (this.thumbsOpen) this.drawThumbs();
    this.paintBar();
    if (this.fit) this.render();
  }

  // -- thumbnails ---------------------------------------------------------------------------

  drawThumbs() {
    if (this.thumbs.childElementCount === this.pages) {
      this.markThumb();
      return;
    }
    const list = [];
    const watch = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        watch.unobserve(e.target);
        this.drawThumb(e.target, Number(e.target.dataset.page));
      }
    }, { root: this.thumbs, rootMargin: "200px" });
    for (let n = 1; n <= this.pages; n += 1) {
      const b = h("button.pdfv-thumb", { type: "button", "data-page": n, "data-testid": "viewer-thumb",
        "aria-label": `${t("viewer.page")} ${num(n)}`, onclick: () => this.goTo(n, "person") },
      h("span.pdfv-thumb-img"), h("span.pdfv-thumb-n", num(n)));
      list.push(b);
      watch.observe(b);
    }
    this.thumbs.replaceChildren(...list);
    this.markThumb();
  }

  async drawThumb(button, n) {
    const page = await this.pageOf(n);
    if (!page || this.destroyed) return;
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: 200 / base.width }); // 100 CSS px wide at 2x
    const canvas = h("canvas", { "aria-hidden": "true" });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvas, viewport }).promise.catch(() => {});
    button.querySelector(".pdfv-thumb-img").replaceChildren(canvas);
    button.dataset.drawn = "true";
  }

  markThumb() {
    for (const b of this.thumbs.children) {
      const on = Number(b.dataset.page) === this.page;
      b.setAttribute("aria-current", on ? "page" : "false");
      if (on && this.thumbsOpen) b.scrollIntoView({ block: "nearest" });
    }
  }

  // -- toolbar ------------------------------------------------------------------------------

  tool(name, label, onclick, { pressed, text, testid, cls = "" } = {}) {
    return h(`button.pdfv-btn${cls}`, {
      // A button with words is named by them (the longer label as its tooltip); an icon by its label.
      type: "button", "aria-label": text ? null : label, title: label, "data-testid": testid || `viewer-${name}`,
      "aria-pressed": pressed === undefined ? null : String(pressed), onclick,
    }, icon(ICONS[name]), text ? h("span.pdfv-btn-text", text) : null);
  }

  /** Draw the toolbar (labels in the page's language; call again after a language change). */
  paintBar() {
    if (this.opts.chrome === false) return;
    const ready = this.state === "ready";
    const input = h("input.pdfv-n", { type: "number", inputmode: "numeric", min: 1, max: this.pages || 1,
      value: this.page, "aria-label": t("viewer.page.number"), "data-testid": "viewer-n", disabled: !ready });
    input.addEventListener("change", () => this.goTo(Number(input.value), "person"));
    const pct = this.fit ? (this.scale ? Math.round((this.scale / CSS_PX) * 100) : null) : Math.round(this.zoom * 100);
    const { follow, present, onClose } = this.opts;
    this.bar.setAttribute("aria-label", t("viewer.tools"));
    this.thumbs.setAttribute("aria-label", t("viewer.thumbs"));
    this.bar.replaceChildren(
      h("span.pdfv-title", { "data-testid": "viewer-title" }, this.opts.title || ""),
      h("div.pdfv-group",
        this.tool("thumbs", t("viewer.thumbs"), () => this.toggleThumbs(), { pressed: this.thumbsOpen }),
        this.tool("prev", t("viewer.prev"), () => this.goTo(this.page - 1, "person")),
        h("span.pdfv-where", input, h("span", { "data-testid": "viewer-pages" }, ` / ${num(this.pages || 0)}`)),
        this.tool("next", t("viewer.next"), () => this.goTo(this.page + 1, "person"))),
      h("div.pdfv-group",
        this.tool("zoomOut", t("viewer.zoom.out"), () => this.stepZoom(-1)),
        h("span.pdfv-zoom", { "data-testid": "viewer-zoom", "aria-live": "polite" }, pct ? `${num(pct)}%` : ""),
        this.tool("zoomIn", t("viewer.zoom.in"), () => this.stepZoom(1)),
        this.tool("fit", t("viewer.fit"), () => this.setFit("width"), { pressed: this.fit === "width" }),
        this.tool("full", t("viewer.full"), () => this.toggleFull(),
          { pressed: !!document.fullscreenElement || this.el.classList.contains("pdfv-full") })),
      follow || present || onClose ? h("div.pdfv-group",
        follow ? this.tool("follow", t("viewer.follow"), () => follow.onChange(!follow.on),
          { pressed: follow.on, text: t("viewer.follow.short"), cls: ".pdfv-wide" }) : null,
        present ? this.tool("present", t("viewer.present"), () => present.onChange(!present.on),
          { pressed: present.on, text: t("viewer.present.short"), cls: ".pdfv-wide" }) : null,
        onClose ? this.tool("close", t("viewer.close"), onClose) : null) : null,
    );
    for (const b of this.bar.querySelectorAll("[data-testid=viewer-prev]")) b.disabled = !ready || this.page <= 1;
    for (const b of this.bar.querySelectorAll("[data-testid=viewer-next]")) b.disabled = !ready || this.page >= this.pages;
  }

  /** Change a toggle's state from outside (follow switched off by a turn, present by the view). */
  setToggle(name, on) {
    if (!this.opts[name] || this.opts[name].on === on) return;
    this.opts[name].on = on;
    this.paintBar();
  }

  // -- input --------------------------------------------------------------------------------

  wire() {
    this.el.addEventListener("keydown", (e) => {
      if (e.target.closest("input")) return;
      if (e.key === "Escape" && this.opts.onClose && !document.fullscreenElement) this.opts.onClose();
      else if (e.key === "ArrowRight" || e.key === "PageDown") this.goTo(this.page + 1, "person");
      else if (e.key === "ArrowLeft" || e.key === "PageUp") this.goTo(this.page - 1, "person");
      else return;
      e.preventDefault();
    });
    // A swipe turns the page when the page is not wider than the screen (then it scrolls).
    let start = null;
    this.stage.addEventListener("pointerdown", (e) => { start = { x: e.clientX, y: e.clientY }; });
    this.stage.addEventListener("pointerup", (e) => {
      if (!start || this.stage.scrollWidth > this.stage.clientWidth + 2) return;
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      start = null;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) this.goTo(this.page + (dx < 0 ? 1 : -1), "person");
    });
    this.resize = new ResizeObserver(() => {
      if (this.fit && this.state === "ready" && this.stage.clientWidth) {
        clearTimeout(this.resizing);
        this.resizing = setTimeout(() => this.render(), 120);
      }
    });
    this.resize.observe(this.stage);
    this.onFull = () => { if (!document.fullscreenElement) this.el.classList.remove("pdfv-full"); this.paintBar(); };
    document.addEventListener("fullscreenchange", this.onFull);
  }

  destroy() {
    this.destroyed = true;
    this.task?.cancel();
    this.resize.disconnect();
    document.removeEventListener("fullscreenchange", this.onFull);
    if (document.fullscreenElement === this.el) document.exitFullscreen().catch(() => {});
    this.doc?.destroy();
    this.el.remove();
  }
}

/**
 * A reading layer over the page: one open document at a time, kept across redraws of the page
 * (a redraw of the agenda must not reload the PDF). show() replaces the document, close() ends it.
 * side: a panel at the right showing whole pages (the presiding console keeps its microphones
 * and list in sight); otherwise the whole window below the header, pages fitted to its width.
 */
export class Reader {
  constructor({ side = false } = {}) {
    this.side = side;
    this.layer = h(`div.reader-layer${side ? ".reader-side" : ""}`, { "data-testid": "reader" });
    this.viewer = null;
  }

  get open() {
    return this.viewer !== null;
  }

  show(opts) {
    this.underHeader();
    if (this.viewer?.sha256 === opts.sha256) {
      if (opts.page) this.viewer.goTo(opts.page);
      return this.viewer;
    }
    this.viewer?.destroy();
    this.viewer = new DocumentViewer({ fit: this.side ? "page" : "width", ...opts,
      onClose: () => { this.close(); opts.onClose?.(); } });
    this.layer.replaceChildren(this.viewer.el);
    this.viewer.stage.focus({ preventScroll: true });
    return this.viewer;
  }

  /** Keep the layer below the page's header (connection, language), whatever its height now. */
  underHeader() {
    const bar = document.querySelector(".topbar");
    if (!bar || this.watching) return;
    this.watching = new ResizeObserver(() => { this.layer.style.top = `${Math.round(bar.getBoundingClientRect().bottom)}px`; });
    this.watching.observe(bar);
  }

  close() {
    this.viewer?.destroy();
    this.viewer = null;
    this.layer.replaceChildren();
  }

  relabel() {
    this.viewer?.paintBar();
  }
}

/**
 * The hall display's document: the page the chair or a clerk shows (the view's "shown"), whole,
 * without controls. update(shown) returns whether a page is shown, for the display's layout.
 */
export class ShownPage {
  constructor() {
    this.head = h("p.label", { "data-testid": "display-doc-title" });
    this.el = h("section.card.doc-shown", { "data-testid": "display-doc", hidden: true });
    this.viewer = null;
  }

  update(shown) {
    if (!shown) {
      this.viewer?.destroy();
      this.viewer = null;
      this.el.hidden = true;
      return false;
    }
    this.el.hidden = false;
    if (this.viewer?.sha256 !== shown.sha256) {
      this.viewer?.destroy();
      this.viewer = new DocumentViewer({ sha256: shown.sha256, title: shown.title, page: shown.page, chrome: false, fit: "page" });
      this.el.replaceChildren(this.head, this.viewer.el);
    } else {
      this.viewer.goTo(shown.page);
    }
    this.head.textContent = `${shown.title} · ${t("viewer.page")} ${num(shown.page)}`;
    this.el.dataset.page = String(shown.page);
    return true;
  }
}

/**
 * The presiding console's or a clerk's documents: read one in the reader and, with "On display"
 * pressed, every page turned here goes to the hall display (command document.show_page).
 * showNow: start with "On display" pressed (the console) or not (a clerk checking a document).
 */
export function presentDocument(reader, hall, d, showNow = true) {
  const shown = () => hall.view?.shown;
  const show = (page) => {
    if (shown()?.document_id === d.document_id && shown().page === page) return;
    hall.command({ type: "document.show_page", document_id: d.document_id, page }).catch(showError);
  };
  const present = {
    on: showNow,
    onChange: (on) => {
      reader.viewer?.setToggle("present", on);
      if (on) show(reader.viewer.page);
      else if (shown()) hall.command({ type: "document.show_page", document_id: null }).catch(showError);
    },
  };
  const page = shown()?.document_id === d.document_id ? shown().page : 1;
  const viewer = reader.show({ sha256: d.sha256, title: d.title, page, present,
    onTurn: (p) => { if (viewer.opts.present.on) show(p); } });
  if (showNow) {
    viewer.setToggle("present", true); // the same document opened again: its toolbar says so too
    show(page);
  }
}

/** The documents of an agenda item with a "show" button each, and what the hall display shows now. */
export function documentsPanel(reader, hall, item, view) {
  const shown = view.shown;
  return [
    shown ? h("p.shown-now", { "data-testid": "shown-now" }, h("span.label", `${t("shown.now")}${t("colon")}`),
      ` ${shown.title} · ${t("viewer.page")} ${num(shown.page)} `,
      action(t("shown.stop"), () => hall.command({ type: "document.show_page", document_id: null }),
        { "data-testid": "shown-stop" }, "btn.small.quiet")) : null,
    !item?.documents.length ? h("p.muted", t("documents.none")) : h("ul.docs", item.documents.map((d) => h("li",
      h("button.btn.doc", { type: "button", "data-testid": "doc-present", "data-fk": `present-${d.document_id}`,
        "aria-pressed": String(shown?.document_id === d.document_id), onclick: () => presentDocument(reader, hall, d) },
      docIcon(), d.title)))),
  ];
}
