// A member's private notes, kept by the hall server outside the public record and read only by
// the member's own device while they are checked in (events "notes" and "note"): they follow the
// member to any tablet. Nothing is kept in this browser, except notes written here before the
// server kept them, which are moved to the server once and then removed.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const SAVE_AFTER_MS = 600;
const RETRY_MS = 3000;
const oldKey = (stream, member, item) => `hemicycle.notes.${stream}.${member}.${item}`;

export class MemberNotes {
  constructor(hall) {
    this.hall = hall;
    this.member = null; // whose notes are loaded
    this.stream = null;
    this.texts = new Map(); // item id -> text, as the server has it
    this.boxes = new Map(); // item id -> its element, kept across redraws (typing is never lost)
    this.loading = null;
    this.loaded = false;
  }

  /** Load the notes of the member now checked in here (null: nobody, forget everything). */
  follow(stream, member) {
    if (member === this.member && stream === this.stream && this.loading) return this.loading;
    this.member = member;
    this.stream = stream;
    this.texts.clear();
    this.boxes.clear();
    this.loaded = false;
    this.loading = member ? this.load() : null;
    return this.loading;
  }

  async load() {
    const { stream, member } = this;
    const ack = await this.hall.call("notes", { stream });
    if (stream !== this.stream || member !== this.member) return;
    if (!ack?.ok || ack.member_id !== member) {
      this.loading = null; // asked too early (the check-in not yet seen by the server): ask again on next draw
      return;
    }
    for (const n of ack.notes) this.texts.set(n.item_id, n.text);
    for (const [item, box] of this.boxes) if (!box.dirty) box.area.value = this.texts.get(item) || "";
    await this.moveOldNotes();
    this.loaded = true;
    for (const box of this.boxes.values()) box.area.disabled = false;
  }

  /** Notes this browser kept before the server did: sent up once (unless the server has one), then removed. */
  async moveOldNotes() {
    const prefix = oldKey(this.stream, this.member, "");
    const keys = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const k = localStorage.key(i);
      if (k?.startsWith(prefix)) keys.push(k);
    }
    for (const k of keys) {
      const item = k.slice(prefix.length);
      const text = localStorage.getItem(k) || "";
      if (text && !this.texts.get(item)) {
        const ack = await this.hall.call("note", { stream: this.stream, item_id: item, text });
        if (!ack?.ok) continue;
        this.texts.set(item, text);
        const box = this.boxes.get(item);
        if (box && !box.dirty) box.area.value = text;
      }
      localStorage.removeItem(k);
    }
  }

  /** The notes box for one agenda item: the same element on every redraw. */
  box(itemId) {
    const known = this.boxes.get(itemId);
    if (known) {
      known.relabel();
      return known.el;
    }
    const status = h("span.muted.small", { role: "status", "data-testid": "notes-status" });
    const area = h("textarea#notes", { rows: 5, "data-fk": "notes", "data-testid": "notes",
      "aria-describedby": "notes-help", disabled: !this.loaded });
    area.value = this.texts.get(itemId) || "";
    const title = h("h3");
    const help = h("p#notes-help.muted.small");
    const box = { area, dirty: false, el: h("div.notes", h("label", { for: "notes" }, title), help, area, status) };
    box.relabel = () => { title.textContent = t("notes"); help.textContent = t("notes.help"); };
    box.relabel();
    let timer;
    const save = async () => {
      const text = area.value;
      status.textContent = t("notes.saving");
      let ack;
      try {
        ack = await this.hall.call("note", { stream: this.stream, item_id: itemId, text });
      } catch {
        ack = null;
      }
      if (ack?.ok) {
        this.texts.set(itemId, text);
        if (area.value === text) box.dirty = false;
        status.textContent = t("notes.saved");
        status.dataset.saved = String(ack.updated_ms);
      } else {
        // Sent again only while this box is still the member's and the refusal may pass (not a check-out).
        status.textContent = t("notes.failed");
        const passing = !ack || ["rate_limited", "internal", "conflict", "offline"].includes(ack.error?.code);
        if (passing && this.boxes.get(itemId) === box) timer = setTimeout(save, RETRY_MS);
      }
    };
    area.addEventListener("input", () => {
      box.dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_AFTER_MS);
    });
    this.boxes.set(itemId, box);
    return box.el;
  }
}
