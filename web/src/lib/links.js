// The remote members' links on the presiding console, live from the hall server ("remote_links"):
// connected or disconnected, the call's round trip, loss and jitter as their page measures it, and
// their place on the speakers' list, which a dropped link does not take away.
import { qualityText } from "./call.js";
import { h, region } from "./dom.js";
import { getLang, t } from "./i18n.js";
import { memberName } from "./view.js";

export class LinksPanel {
  constructor() {
    this.el = h("section.panel.links", { "aria-labelledby": "links-h", "data-testid": "remote-links" });
    this.links = [];
  }

  /** Take the table as it comes; redraw() the page after each. */
  listen(hall, redraw) {
    this.hall = hall;
    hall.socket.on("remote_links", (table) => {
      this.links = table?.links || [];
      redraw();
    });
  }

  draw(view) {
    const queue = view.floor.queue.map((r) => r.member_id);
    const key = JSON.stringify([getLang(), this.links, queue, view.floor.speaking.map((s) => s.member_id)]);
    region(this.el, key, () => [
      h("h2#links-h", t("links.title")),
      this.links.length ? h("ul.links-list", this.links.map((l) => this.row(l, view, queue)))
        : h("p.muted", t("links.none")),
    ]);
  }

  row(link, view, queue) {
    const up = link.connected && link.call?.state === "connected";
    const state = !link.connected ? "disconnected" : up ? "connected" : "calling";
    const place = queue.indexOf(link.member_id);
    const speaking = view.floor.speaking.some((s) => s.member_id === link.member_id);
    return h(`li.link.link-${state}`, { "data-testid": "remote-link", "data-member": link.member_id, "data-state": state },
      h("strong", memberName(this.hall, link.member_id)),
      h(`span.badge.badge-link-${state}`, t(`links.${state}`)),
      speaking ? h("span.badge", t("speaking")) : null,
      place >= 0 ? h("span.small", `${t("queue")}${t("colon")}${t("floor.place.of", { n: place + 1, total: queue.length })}`) : null,
      link.connected && link.call ? h("span.small.link-quality", qualityText(link.call)) : null);
  }
}
