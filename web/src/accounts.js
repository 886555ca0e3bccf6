// The clerk page's accounts and audit tabs: named accounts for clerks, editors of the record and
// operators (GET/POST /api/accounts), and the log's hash-chained events with their authors
// (GET /api/audit), filtered by sitting, author and kind.
import { showError, showOk } from "./lib/chrome.js";
import { h, region } from "./lib/dom.js";
import { clock, date, getLang, hallToday, num, t } from "./lib/i18n.js";
import { api } from "./lib/session.js";

export const ACCOUNT_ROLES = ["clerk", "editor", "operator"];

/**
 * deps: sittings() the list, stream() the followed sitting, authHeaders() the clerk's headers
 * (the admin token or a device's signature; none for a session, whose cookie goes by itself).
 */
export function createAccounts(deps) {
  const els = {
    accounts: h("section.panel", { "aria-labelledby": "acc-h" }),
    add: h("section.panel", { "aria-labelledby": "acc-add-h" }),
    audit: h("section.panel.audit", { "aria-labelledby": "aud-h" }),
  };
  let accounts = [];
  const filter = { sitting: null, author: "", kind: "" };
  let found = null; // the last /api/audit answer

  const call = async (path, options = {}) => api(path, { ...options, headers: await deps.authHeaders() });

  async function loadAccounts() {
    try {
      accounts = (await call("/api/accounts")).accounts;
    } catch (err) {
      showError(err);
    }
    drawAccounts();
  }

  function drawAccounts() {
    region(els.accounts, JSON.stringify([getLang(), accounts]), () => [
      h("h2#acc-h", t("accounts.title")),
      accounts.length === 0 ? h("p.muted", t("accounts.none")) : h("table.grid", { "data-testid": "accounts" },
        h("thead", h("tr", h("th", { scope: "col" }, t("accounts.name")), h("th", { scope: "col" }, t("accounts.roles")))),
        h("tbody", accounts.map((a) => h("tr", { "data-account": a.name },
          h("td", h("bdi", a.name)), h("td", a.roles.map((r) => t(`role.${r}`)).join(" · ")))))),
    ]);
    region(els.add, JSON.stringify([getLang()]), () => {
      const name = h("input#acc-name", { required: true, pattern: "[a-z][a-z0-9._\\-]{1,31}", autocomplete: "off",
        "data-testid": "account-name" });
      const password = h("input#acc-password", { type: "password", required: true, minlength: 10,
        autocomplete: "new-password", "data-testid": "account-password" });
      const roles = ACCOUNT_ROLES.map((r) => h("input", { type: "checkbox", value: r, id: `acc-role-${r}`,
        checked: r === "clerk", "data-testid": `account-role-${r}` }));
      const form = h("form", { "data-testid": "account-form" },
        h("h2#acc-add-h", t("accounts.add")),
        h("div.field", h("label", { for: "acc-name" }, t("accounts.name")), name,
          h("p.muted.small", t("accounts.name.help"))),
        h("div.field", h("label", { for: "acc-password" }, t("accounts.password")), password,
          h("p.muted.small", t("accounts.password.help"))),
        h("fieldset.field", h("legend", t("accounts.roles")), roles.map((box) => h("label.check", box, " ",
          t(`role.${box.value}`), h("span.muted.small", ` — ${t(`role.${box.value}.help`)}`)))),
        h("button.btn.primary", { type: "submit", "data-testid": "account-submit" }, t("accounts.add")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await call("/api/accounts", { method: "POST", body: { name: name.value.trim(), password: password.value,
            roles: roles.filter((b) => b.checked).map((b) => b.value) } });
          showOk(t("accounts.added"));
          name.value = password.value = "";
          await loadAccounts();
        } catch (err) {
          showError(err);
        }
      });
      return form;
    });
  }

  async function loadAudit() {
    filter.sitting ??= deps.stream() || "registry";
    const q = new URLSearchParams({ sitting: filter.sitting, author: filter.author, kind: filter.kind, limit: "300" });
    try {
      found = await call(`/api/audit?${q}`);
    } catch (err) {
      found = null;
      showError(err);
    }
    drawAudit();
  }

  function drawAudit() {
    region(els.audit, JSON.stringify([getLang(), filter, found?.stream, found?.chain, found?.events.length,
      found?.events[0]?.seq, deps.sittings().map((s) => s.stream)]), () => {
      const choose = (key) => (e) => { filter[key] = e.target.value; loadAudit(); };
      const sitting = h("select#aud-sitting", { "data-testid": "audit-sitting", onchange: choose("sitting") },
        h("option", { value: "registry", selected: filter.sitting === "registry" }, t("audit.registry")),
        deps.sittings().map((s) => h("option", { value: s.stream, selected: filter.sitting === s.stream },
          `${getLang() === "km" ? s.title_km : s.title_en} · ${date(s.date)} · ${s.stream}`)));
      const author = h("select#aud-author", { "data-testid": "audit-author", onchange: choose("author") },
        h("option", { value: "" }, t("audit.any")),
        [...new Set([...(found?.authors || []), filter.author].filter(Boolean))].map((a) =>
          h("option", { value: a, selected: filter.author === a }, a)));
      const kind = h("select#aud-kind", { "data-testid": "audit-kind", onchange: choose("kind") },
        h("option", { value: "" }, t("audit.any")),
        kindChoices(found?.kinds || [], filter.kind).map((k) => h("option", { value: k, selected: filter.kind === k }, k)));
      const chain = found?.chain;
      return [
        h("h2#aud-h", t("audit.title")),
        h("p.muted", t("audit.help")),
        h("div.row.audit-filters",
          h("div.field", h("label", { for: "aud-sitting" }, t("audit.stream")), sitting),
          h("div.field", h("label", { for: "aud-author" }, t("audit.author")), author),
          h("div.field", h("label", { for: "aud-kind" }, t("audit.kind")), kind)),
        chain ? h(`p.badge.${chain.ok ? "ok" : "bad"}`, { role: "status", "data-testid": "audit-chain" },
          chain.ok ? t("audit.chain.ok", { n: num(chain.checked) }) : t("audit.chain.broken", { seq: num(chain.broken_at) }))
          : null,
        !found ? h("p.muted", t("loading")) : found.events.length === 0 ? h("p.muted", t("audit.none")) :
          h("table.grid.audit-log", { "data-testid": "audit-events" },
            h("thead", h("tr", ["#", t("audit.time"), t("audit.kind"), t("audit.author"), t("audit.hash")]
              .map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", found.events.map((e) => h("tr", { "data-seq": e.seq },
              h("td.num", num(e.seq)),
              h("td", h("time", { datetime: new Date(e.at_ms).toISOString(), title: hallToday(e.at_ms) }, clock(e.at_ms, true))),
              h("td", h("code", e.type)),
              h("td", { "data-testid": "audit-author-cell" }, h("bdi", e.author || "—"), h("span.muted.small", ` · ${e.role}`)),
              h("td", h("code.hash", { title: e.hash }, e.hash.slice(0, 12))))))),
      ];
    });
  }

  return {
    els,
    show(tab) {
      if (tab === "accounts") loadAccounts();
      if (tab === "audit") loadAudit();
    },
    draw(tab) {
      if (tab === "accounts") drawAccounts();
      if (tab === "audit") drawAudit();
    },
  };
}

/** Event types and their families ("transcript" for every transcript.*), the chosen one kept. */
function kindChoices(kinds, chosen) {
  const families = [...new Set(kinds.map((k) => k.split(".")[0]))];
  return [...new Set([...families, ...kinds, chosen].filter(Boolean))].sort();
}
