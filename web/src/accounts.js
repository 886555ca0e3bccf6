// The clerk page's accounts and audit tabs: named accounts for clerks, editors of the record and
// operators (GET/POST /api/accounts; per account, reset its password and disable or enable it:
// POST /api/accounts/<name>/password, /disabled), one's own password (POST /api/session/password),
// and the log's hash-chained events with their authors (GET /api/audit), filtered by sitting,
// author and kind.
import { showError, showOk } from "./lib/chrome.js";
import { h, region } from "./lib/dom.js";
import { clock, date, getLang, hallToday, num, t } from "./lib/i18n.js";
import { api } from "./lib/session.js";

export const ACCOUNT_ROLES = ["clerk", "editor", "operator"];

/**
 * deps: sittings() the list, stream() the followed sitting, authHeaders() the clerk's headers
 * (the admin token or a device's signature; none for a session, whose cookie goes by itself),
 * account() the signed-in account {name, roles} or null, ended() when its session has ended
 * (a request answered 401: signed out, disabled or its password reset elsewhere).
 */
export function createAccounts(deps) {
  const els = {
    accounts: h("section.panel.wide", { "aria-labelledby": "acc-h" }),
    add: h("section.panel", { "aria-labelledby": "acc-add-h" }),
    mine: h("section.panel", { "aria-labelledby": "acc-mine-h" }),
    audit: h("section.panel.audit", { "aria-labelledby": "aud-h" }),
  };
  let accounts = [];
  let resetting = null; // the account whose inline "Reset password" form is open
  const filter = { sitting: null, author: "", kind: "" };
  let found = null; // the last /api/audit answer

  /** Whether this caller manages accounts: the admin token and clerk devices do, an account by its roles. */
  const manages = () => !deps.account() || deps.account().roles.includes("clerk");

  const call = async (path, options = {}) => {
    try {
      return await api(path, { ...options, headers: await deps.authHeaders() });
    } catch (err) {
      if (err.code === "unauthenticated" && deps.account()) deps.ended();
      throw err;
    }
  };

  /** A refusal as the operator should read it: whose account, and why not. */
  function refused(err) {
    if (err.code === "invalid_state" && ["self", "last_manager"].includes(err.details?.reason)) {
      showError({ code: `accounts.${err.details.reason}`, message: t(`accounts.refused.${err.details.reason}`) });
    } else if (err.code === "bad_credential") {
      showError({ code: "accounts.wrong", message: t("accounts.current.wrong") });
    } else showError(err);
  }

  async function loadAccounts() {
    if (!manages()) return drawAccounts();
    try {
      accounts = (await call("/api/accounts")).accounts;
    } catch (err) {
      showError(err);
    }
    drawAccounts();
  }

  async function change(a, path, body, done) {
    try {
      await call(`/api/accounts/${encodeURIComponent(a.name)}/${path}`, { method: "POST", body });
      showOk(t(done, { name: a.name }));
      resetting = null;
      await loadAccounts();
    } catch (err) {
      refused(err);
    }
  }

  function changeLine(a) {
    const c = a.last_change;
    return c ? h("span.muted.small.acc-change", { "data-testid": "account-change" },
      t(`accounts.change.${c.change}`, { by: c.by }), " · ",
      h("time", { datetime: new Date(c.at_ms).toISOString(), title: date(hallToday(c.at_ms)) }, clock(c.at_ms))) : null;
  }

  function accountRows(a) {
    const me = deps.account()?.name === a.name;
    const row = h(`tr${a.disabled ? ".disabled" : ""}`, { "data-account": a.name, "data-disabled": String(a.disabled) },
      h("td", h("bdi", a.name)),
      h("td", a.roles.map((r) => t(`role.${r}`)).join(" · ")),
      h("td", h(`span.badge.${a.disabled ? "badge-off" : "badge-done"}`, { "data-testid": "account-status" },
        t(a.disabled ? "accounts.disabled" : "accounts.enabled")), " ", changeLine(a)),
      h("td.acc-actions", me ? h("span.muted", t("accounts.you")) : [
        h("button.btn.quiet", { type: "button", "data-testid": "account-reset", "aria-expanded": String(resetting === a.name),
          "aria-controls": `acc-reset-${a.name}`, onclick: () => { resetting = resetting === a.name ? null : a.name; drawAccounts(); } },
        t("accounts.reset")),
        a.disabled
          ? h("button.btn", { type: "button", "data-testid": "account-enable",
            onclick: () => change(a, "disabled", { disabled: false }, "accounts.enabled.done") }, t("accounts.enable"))
          : h("button.btn.danger", { type: "button", "data-testid": "account-disable",
            onclick: () => change(a, "disabled", { disabled: true }, "accounts.disabled.done") }, t("accounts.disable"))]));
    if (resetting !== a.name) return [row];
    const password = h("input", { id: `acc-reset-pw-${a.name}`, type: "password", required: true, minlength: 10,
      autocomplete: "new-password", "data-testid": "account-reset-password", "data-fk": `reset-${a.name}` });
    const form = h("form.row.acc-reset", { id: `acc-reset-${a.name}`, "data-testid": "account-reset-form" },
      h("div.field.grow", h("label", { for: `acc-reset-pw-${a.name}` }, t("accounts.reset.label", { name: a.name })), password,
        h("p.muted.small", t("accounts.reset.help"))),
      h("button.btn.primary", { type: "submit", "data-testid": "account-reset-save" }, t("accounts.reset.save")),
      h("button.btn.quiet", { type: "button", onclick: () => { resetting = null; drawAccounts(); } }, t("cancel")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      change(a, "password", { password: password.value }, "accounts.reset.done");
    });
    queueMicrotask(() => password.focus());
    return [row, h("tr.acc-reset-row", h("td", { colspan: 4 }, form))];
  }

  function drawAccounts() {
    region(els.accounts, JSON.stringify([getLang(), accounts, resetting, deps.account()]), () => [
      h("h2#acc-h", t("accounts.title")),
      accounts.length === 0 ? h("p.muted", t("accounts.none")) : h("table.grid", { "data-testid": "accounts" },
        h("thead", h("tr", [t("accounts.name"), t("accounts.roles"), t("accounts.status"), t("accounts.actions")]
          .map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", accounts.map(accountRows))),
    ]);
    drawMine();
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

  function drawMine() {
    const me = deps.account();
    region(els.mine, JSON.stringify([getLang(), me?.name]), () => {
      if (!me) return [];
      const field = (id, key, autocomplete, testid) => {
        const input = h(`input#${id}`, { type: "password", required: true, autocomplete, "data-testid": testid,
          minlength: autocomplete === "new-password" ? 10 : undefined });
        return [input, h("div.field", h("label", { for: id }, t(key)), input)];
      };
      const [current, currentField] = field("acc-current", "accounts.current", "current-password", "mine-current");
      const [fresh, freshField] = field("acc-new", "accounts.new", "new-password", "mine-new");
      const [again, againField] = field("acc-again", "accounts.again", "new-password", "mine-again");
      const form = h("form", { "data-testid": "mine-form" },
        h("h2#acc-mine-h", t("accounts.mine")),
        h("p.muted.small", t("accounts.mine.help")),
        h("input", { type: "text", autocomplete: "username", value: me.name, hidden: true, readonly: true, "aria-hidden": "true" }),
        currentField, freshField, h("p.muted.small", t("accounts.password.help")), againField,
        h("button.btn.primary", { type: "submit", "data-testid": "mine-submit" }, t("accounts.mine.save")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (fresh.value !== again.value) return showError({ code: "accounts.mismatch", message: t("accounts.mismatch") });
        try {
          await call("/api/session/password", { method: "POST", body: { password: current.value, new_password: fresh.value } });
          current.value = fresh.value = again.value = "";
          showOk(t("accounts.mine.done"));
          if (manages()) await loadAccounts();
        } catch (err) {
          refused(err);
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
    /** The accounts tab's panels for this caller: everyone changes their own password, clerks manage. */
    panels() {
      return [...(manages() ? [els.accounts, els.add] : []), ...(deps.account() ? [els.mine] : [])];
    },
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
