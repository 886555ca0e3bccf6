// A few DOM helpers instead of a framework: h() builds elements, region() redraws a part of the
// page only when the data it shows has changed, and keeps keyboard focus where it was.

/** h("button.big", {onclick, "aria-label": ...}, ...children) -> HTMLElement */
export function h(tag, props, ...children) {
  const m = /^([a-z0-9]*)(?:#([\w-]+))?((?:\.[\w-]+)*)$/i.exec(tag);
  if (!m) throw new Error(`bad tag ${tag}`);
  const el = document.createElement(m[1] || "div");
  if (m[2]) el.id = m[2];
  if (m[3]) el.className = m[3].slice(1).split(".").join(" ");
  if (props && (typeof props !== "object" || props instanceof Node || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className += (el.className ? " " : "") + v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else if (k === "selected") el.selected = !!v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

// Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): Khmer
// and English never need them, and in a name they can show "gnp.exe" as "exe.png".
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c).replace(BIDI_CONTROLS, "")));
  }
}

/**
 * Redraw el from render() when key changes. Focus inside el is restored to the element with the
 * same data-fk (focus key) after the redraw, so a keyboard or screen-reader user is not thrown out.
 */
export function region(el, key, render) {
  if (el.__key === key) return false;
  el.__key = key;
  const active = document.activeElement;
  const fk = active && el.contains(active) ? active.dataset.fk : undefined;
  const nodes = render();
  el.replaceChildren(...[nodes].flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  if (fk) {
    const again = el.querySelector(`[data-fk="${CSS.escape(fk)}"]`);
    if (again) again.focus();
  }
  return true;
}

let toastBox;

/** A short message for everyone; errors are also read out by screen readers at once. */
export function toast(message, kind = "error", ms = 7000) {
  if (!toastBox) {
    toastBox = h("div.toasts", { "aria-live": "assertive", role: "region", "aria-label": "messages" });
    document.body.append(toastBox);
  }
  const close = h("button.toast-close", { type: "button", "aria-label": "×" }, "×");
  const item = h(`div.toast.toast-${kind}`, { role: kind === "error" ? "alert" : "status" },
    h("span.toast-text", message), close);
  close.addEventListener("click", () => item.remove());
  toastBox.append(item);
  setTimeout(() => item.remove(), ms);
  return item;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

export function $$(sel, root = document) {
  return [...root.querySelectorAll(sel)];
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SVG = "http://www.w3.org/2000/svg";

/** A small document icon (no emoji: the hall's tablets may have no emoji font). */
export function docIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", "M3 1h7l3 3v11H3z M10 1v3h3 M5 7h6 M5 10h6 M5 13h4");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.4");
  svg.append(path);
  return svg;
}

/** A filled 16x16 icon from one SVG path, in the text's colour (hidden from screen readers: label its button). */
export function icon(d) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 16 16", width: 18, height: 18, "aria-hidden": "true", class: "icon" })) {
    svg.setAttribute(k, String(v));
  }
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** A progress bar's fill, sized through CSSOM (the CSP forbids inline style attributes). */
export function bar(pct) {
  const fill = h("span");
  fill.style.width = `${pct}%`;
  return fill;
}
