// The clerk's workstation: prepare sittings (agenda, sub-items, documents, guests), define bodies and
// their members, import the roster, enrol and revoke devices, watch the sitting, search past records,
// review and export a record (review.js).
// Signs in to a named account (clerk, editor of the record, operator: accounts.js), with the admin
// token (the first account, scripts) or a clerk device key.
import { ACCOUNT_ROLES, createAccounts } from "./accounts.js";
import { connectDevice, enrolledDevice, sittingChoices } from "./lib/boot.js";
import { action, frame, showError, showOk, tick } from "./lib/chrome.js";
import { connectAuth } from "./lib/device.js";
import { bar, docIcon, h, region } from "./lib/dom.js";
import { Hall, HallError, newId } from "./lib/hall.js";
import { clock, date, getLang, num, t } from "./lib/i18n.js";
import { NUMBERINGS, SHAPES, drawLivePlan, gapsOf, nameSeats, planSvg } from "./lib/plan.js";
import { csrfHeaders, csrfToken, currentAccount, signInAccount, signOutAccount } from "./lib/session.js";
import { bodyName, itemById, itemTitle, memberName, motion, openVote, paintCountdowns, sittingLine } from "./lib/view.js";
import { Reader, presentDocument } from "./lib/viewer.js";
import { createReview } from "./review.js";

const TOKEN = "hemicycle.clerk.token";
const STREAM = "hemicycle.stream.clerk";
const ui = frame("clerk", () => draw(true));
const reader = new Reader(); // a document read here; "On display" turns the hall display with it
let hall;
let dev = null; // a clerk device, when signed in by key
let account = null; // {name, roles}, when signed in to an account
let tab = "sittings";
let sittings = [];
let hallDay = null; // today on the hall's clock, as the server says
let pairings = [];
let dragged = null; // the agenda item being dragged
let showAll = false; // closed and simulated sittings too
let editing = ""; // the body shown in the body form ("" = a new one)
const registry = { seq: 0, members: {}, devices: {}, plans: {}, bodies: {} };

const els = {
  tabs: h("div.tabs", { role: "tablist", "aria-label": t("app.clerk") }),
  signout: h("div.signout"),
  panel: h("div", { role: "tabpanel", id: "clerk-panel" }),
  sittings: h("section.panel", { "aria-labelledby": "sl-h" }),
  edit: h("section.panel", { "aria-labelledby": "ed-h" }),
  route: h("section.panel", { "aria-labelledby": "rt-h" }),
  search: h("section.panel", { "aria-labelledby": "se-h" }),
  create: h("section.panel", { "aria-labelledby": "cr-h" }),
  guests: h("section.panel", { "aria-labelledby": "gu-h" }),
  bodies: h("section.panel", { "aria-labelledby": "bo-h" }),
  agenda: h("section.panel.wide", { "aria-labelledby": "ca-h" }),
  docs: h("section.panel", { "aria-labelledby": "cd-h" }),
  csv: h("section.panel", { "aria-labelledby": "csv-h" }),
  members: h("section.panel", { "aria-labelledby": "mem-h" }),
  pairings: h("section.panel", { "aria-labelledby": "pend-h" }),
  devices: h("section.panel.wide", { "aria-labelledby": "dev-h" }),
  watch: h("section.panel", { "aria-labelledby": "w-h" }),
  watchPlan: h("section.panel.plan-panel", { "aria-labelledby": "wplan-h" }),
  rooms: h("section.panel.room-editor", { "aria-labelledby": "room-h" }),
};
const review = createReview({ hall: () => hall, sittings: () => sittings, follow, authHeaders: () => uploadAuthHeaders() });
const staff = createAccounts({ sittings: () => sittings, stream: () => hall?.stream, authHeaders: () => uploadAuthHeaders(),
  account: () => account, ended: () => sessionEnded() });

// -- sign in --------------------------------------------------------------------------------------

async function signIn() {
  const token = localStorage.getItem(TOKEN);
  if (token) return startWith(new Hall("clerk", async () => ({ v: 1, token })));
  account = await currentAccount();
  if (account) return startWith(new Hall("clerk", async () => ({ v: 1, csrf: csrfToken() })));
  const name = h("input#account", { autocomplete: "username", "data-testid": "clerk-account", class: "grow" });
  const password = h("input#password", { type: "password", autocomplete: "current-password",
    "data-testid": "clerk-password", class: "grow" });
  const input = h("input#token", { type: "password", autocomplete: "off", "data-testid": "clerk-token", class: "grow" });
  const form = h("form.panel.pairing", { "aria-labelledby": "login-h", "data-testid": "clerk-login" },
    h("h1#login-h", t("clerk.login")),
    h("div.field", h("label", { for: "account" }, t("clerk.account")), name),
    h("div.field", h("label", { for: "password" }, t("clerk.password")), password),
    h("fieldset.field.token-signin", h("legend", t("clerk.or.token")),
      h("label.small", { for: "token" }, t("clerk.token")), input, h("p.muted.small", t("clerk.token.help"))),
    h("button.btn.big.primary", { type: "submit", "data-testid": "clerk-signin" }, t("clerk.signin")),
    h("hr"),
    h("button.btn.quiet", { type: "button", onclick: pairAsDevice }, t("clerk.or.pair")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (input.value.trim()) {
      localStorage.setItem(TOKEN, input.value.trim());
      return signIn();
    }
    if (!name.value.trim() || !password.value) return name.value.trim() ? password.focus() : name.focus();
    try {
      await signInAccount(name.value.trim(), password.value);
      signIn();
    } catch (err) {
      password.value = "";
      showError(err);
    }
  });
  ui.paintConn("idle");
  ui.main.replaceChildren(form);
}

async function pairAsDevice() {
  dev = await enrolledDevice("clerk", ui);
  startWith(connectDevice("clerk", dev, ui));
}

async function signOut() {
  localStorage.removeItem(TOKEN);
  if (account) await signOutAccount().catch(showError);
  location.reload();
}

/** The account's session ended elsewhere (disabled, its password reset or changed on another page): sign in again. */
async function sessionEnded() {
  if (!account) return;
  if (await currentAccount()) {
    if (hall && hall.state !== "online") hall.connect(); // dropped for another reason: this session stands
    return;
  }
  account = null;
  hall?.close();
  hall = null;
  showError({ code: "unauthenticated" });
  signIn();
}

function startWith(h_) {
  hall = h_;
  hall.on("state", (s) => ui.paintConn(s));
  // The server drops an account's socket when its session ends (transport.sessions).
  hall.socket.on("disconnect", (reason) => reason === "io server disconnect" && sessionEnded());
  hall.on("refused", () => {
    localStorage.removeItem(TOKEN);
    showError({ code: "unauthenticated" });
    setTimeout(signIn, 50);
  });
  hall.on("connected", () => loadAll());
  hall.on("record", (r) => r.stream === "registry" && takeRegistry([r]));
  hall.on("view", (view) => {
    // Keep the list of sittings current for the one we follow (its status changes as it runs).
    const s = sittings.find((x) => x.stream === view.stream);
    if (s) Object.assign(s, { status: view.status, seq: view.seq });
    draw();
  });
  if (hall.state !== "online") hall.connect();
  const saved = localStorage.getItem(STREAM);
  if (saved) hall.follow(saved);
  ui.main.replaceChildren(h("div.tabbar", els.tabs, els.signout), els.panel, reader.layer);
  draw();
}

async function loadAll() {
  await syncRegistry();
  await loadSittings();
  await loadPairings();
}

// -- the registry (members and devices), followed from its records ---------------------------------

async function syncRegistry() {
  const ack = await hall.call("sync", { stream: "registry", after: registry.seq });
  if (!ack?.ok) return;
  if (ack.snapshot) {
    const s = ack.snapshot.state;
    Object.assign(registry, { seq: s.seq, members: s.members, devices: s.devices, plans: s.plans, bodies: {} });
    for (const [id, b] of Object.entries(s.bodies || {})) registry.bodies[id] = { ...b.definition, members: b.members, officers: b.officers };
  } else takeRegistry(ack.records);
  draw();
}

function takeRegistry(records) {
  for (const r of records) {
    if (r.seq <= registry.seq) continue;
    if (r.seq !== registry.seq + 1) {
      syncRegistry();
      return;
    }
    registry.seq = r.seq;
    const e = r.event;
    if (e.type === "member.registered") registry.members[e.member_id] = e;
    else if (e.type === "member.updated" && registry.members[e.member_id]) {
      for (const [k, v] of Object.entries(e)) if (v !== null && k !== "type") registry.members[e.member_id][k] = v;
    }
    else if (e.type === "device.enrolled") registry.devices[e.device_id] = { ...e, revoked: false };
    else if (e.type === "device.revoked" && registry.devices[e.device_id]) Object.assign(registry.devices[e.device_id], { revoked: true, route: null });
    else if (e.type === "device.reassigned" && registry.devices[e.device_id]) Object.assign(registry.devices[e.device_id], { seat: e.seat, member_id: e.member_id });
    else if (e.type === "device.renamed" && registry.devices[e.device_id]) registry.devices[e.device_id].label = e.label;
    else if (e.type === "device.routed") {
      for (const d of e.device_ids) if (registry.devices[d]) registry.devices[d].route = e.stream;
    }
    else if (e.type === "body.defined") registry.bodies[e.body_id] = { members: [], officers: [], ...registry.bodies[e.body_id], ...e };
    else if (e.type === "body.membership_set" && registry.bodies[e.body_id]) {
      Object.assign(registry.bodies[e.body_id], { members: e.members, officers: e.officers });
    }
    else if (e.type === "room.plan_defined") registry.plans[e.plan.room_id] = e.plan;
  }
  draw();
}

async function loadSittings() {
  const ack = await hall.call("streams", {});
  sittings = ack?.sittings || [];
  hallDay = ack?.today || null;
  if (!hall.stream && sittings.length) await follow(sittings[0].stream);
  draw();
}

async function loadPairings() {
  if (!hall?.socket.connected) return;
  const ack = await hall.call("pairings", {});
  if (ack?.ok) {
    pairings = ack.pairings;
    drawPairings();
  }
}

async function follow(stream) {
  localStorage.setItem(STREAM, stream);
  await hall.follow(stream);
  draw();
}

const cmd = (c, stream) => hall.command(c, { stream });

// -- drawing -------------------------------------------------------------------------------------

const TABS = ["sittings", "members", "devices", "rooms", "watch", "review", "accounts", "audit"];
const ROLE_TABS = { clerk: TABS, editor: ["review", "watch", "accounts"], operator: ["devices", "watch", "accounts"] };

/** The tabs this caller may use: every one for the admin token, a clerk device or a clerk account. */
function tabs() {
  if (!account) return TABS;
  return TABS.filter((k) => account.roles.some((r) => ROLE_TABS[r].includes(k)));
}

function draw(force = false) {
  if (!hall) return;
  if (force) for (const el of Object.values(els)) el.__key = undefined;
  if (force) reader.relabel();
  ui.paintSitting(hall.view);
  const mine = tabs();
  if (!mine.includes(tab)) tab = mine[0];
  region(els.tabs, JSON.stringify([getLang(), tab, mine]), () => [
    ...mine.map((k) => h("button.tab", {
      type: "button", role: "tab", id: `tab-${k}`, "aria-selected": String(tab === k), "aria-controls": "clerk-panel",
      "data-testid": `tab-${k}`, tabindex: tab === k ? "0" : "-1",
      onclick: () => { tab = k; draw(); if (k === "devices") loadPairings(); staff.show(k); },
      onkeydown: (e) => {
        const i = mine.indexOf(k) + (e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0);
        if (i !== mine.indexOf(k) && mine[i]) { tab = mine[i]; draw(); staff.show(tab); document.getElementById(`tab-${tab}`)?.focus(); }
      },
    }, t(`tab.${k}`))),
  ]);
  region(els.signout, JSON.stringify([getLang(), account]), () => [
    account ? h("span.muted.small", { "data-testid": "signed-in-as" }, t("clerk.signed.as"), h("bdi", account.name),
      ` · ${account.roles.filter((r) => ACCOUNT_ROLES.includes(r)).map((r) => t(`role.${r}`)).join(", ")} `) : null,
    localStorage.getItem(TOKEN) || account
      ? h("button.btn.quiet.small", { type: "button", onclick: signOut, "data-testid": "clerk-signout" }, t("clerk.signout")) : null]);
  els.panel.setAttribute("aria-labelledby", `tab-${tab}`);
  const want = {
    sittings: [els.sittings, els.search, els.edit, els.create, els.agenda, els.docs, els.guests],
    members: [els.bodies, els.csv, els.members],
    devices: [els.route, els.pairings, els.devices],
    rooms: [els.rooms],
    watch: [els.watch, els.watchPlan],
    review: [review.el],
    accounts: staff.panels(),
    audit: [staff.els.audit],
  }[tab];
  if (els.panel.__tab !== tab) {
    if (els.panel.__tab === "review") review.leave();
    els.panel.__tab = tab;
    els.panel.replaceChildren(h(tab === "review" ? "div.review-wrap" : "div.clerk-grid", want));
  }
  if (tab === "sittings") { drawSittings(); drawSearch(); drawEdit(); drawCreate(); drawAgenda(); drawDocs(); drawGuests(); }
  if (tab === "members") { drawBodies(); drawCsv(); drawMembers(); }
  if (tab === "devices") { drawRoute(); drawPairings(); drawDevices(); }
  if (tab === "rooms") drawRooms();
  if (tab === "watch") { drawWatch(); drawLivePlan(els.watchPlan, hall, "wplan-h"); }
  if (tab === "review") review.draw();
  staff.draw(tab);
}

function drawSittings() {
  region(els.sittings, JSON.stringify([getLang(), sittings, hall.stream, showAll]), () => [
    h("h2#sl-h", t("sitting.choose")),
    sittings.length === 0 ? h("p.muted", t("sitting.none")) : h("div", { "data-testid": "sitting-list" },
      sittingChoices(sittings, showAll, hall.stream || "", (s) => follow(s.stream))),
    h("label.check", h("input", { type: "checkbox", checked: showAll, "data-testid": "show-all-sittings",
      onchange: (e) => { showAll = e.target.checked; drawSittings(); } }), ` ${t("sitting.show.all")}`),
  ]);
}

/** The sitting followed: its titles, place and date (rescheduled only before it opens), cancelled while scheduled. */
function drawEdit() {
  const view = hall.view;
  region(els.edit, JSON.stringify([getLang(), view && [view.stream, view.title_km, view.title_en, view.place, view.date, view.status]]), () => {
    if (!view) return [];
    const frozen = view.status === "closed" || view.status === "cancelled";
    const f = {
      title_km: h("input", { required: true, lang: "km", value: view.title_km, "data-testid": "edit-title-km" }),
      title_en: h("input", { required: true, lang: "en", value: view.title_en, "data-testid": "edit-title-en" }),
      place: h("input", { required: true, value: view.place, "data-testid": "edit-place" }),
      date: h("input", { type: "date", required: true, value: view.date, disabled: view.status !== "scheduled", "data-testid": "edit-date" }),
    };
    if (frozen) for (const input of Object.values(f)) input.disabled = true;
    const form = h("form", { "data-testid": "edit-form" },
      h("h2#ed-h", t("sitting.edit"), " ", h("span.muted.small", h("bdi", view.stream))),
      field("ed-tkm", t("sitting.title.km"), f.title_km), field("ed-ten", t("sitting.title.en"), f.title_en),
      field("ed-place", t("sitting.place"), f.place), field("ed-date", t("sitting.date"), f.date),
      frozen ? h("p.muted", t("sitting.frozen")) : h("div.row",
        h("button.btn.primary", { type: "submit", "data-testid": "edit-submit" }, t("save")),
        view.status === "scheduled" ? action(t("sitting.cancel"), async () => {
          if (!confirm(t("sitting.cancel.confirm"))) return;
          await cmd({ type: "sitting.cancel" });
          await loadSittings();
        }, { "data-testid": "sitting-cancel" }, "btn.danger") : null));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const changed = Object.fromEntries(Object.entries(f).map(([k, input]) => [k, input.value.trim()])
        .filter(([k, v]) => v && v !== view[k]));
      if (!Object.keys(changed).length) return;
      try {
        await cmd({ type: "sitting.edit", ...changed });
        showOk(t("done"));
        await loadSittings();
      } catch (err) {
        showError(err);
      }
    });
    return form;
  });
}

// -- full-text search over the records (GET /api/search) ---------------------------------------------

function drawSearch() {
  region(els.search, JSON.stringify([getLang()]), () => {
    const q = h("input", { type: "search", required: true, minlength: 3, maxlength: 200, "data-testid": "search-q", class: "grow" });
    const out = h("div", { "aria-live": "polite", "data-testid": "search-hits" });
    const form = h("form", { role: "search" }, field("search-q", t("search.words"), q),
      h("button.btn.primary", { type: "submit", "data-testid": "search-go" }, t("search.go")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      out.replaceChildren(h("p.muted", t("loading")));
      try {
        const r = await fetch(`/api/search?${new URLSearchParams({ q: q.value.trim() })}`, { headers: await uploadAuthHeaders() });
        const body = await r.json();
        if (!body.ok) throw new HallError(body.error);
        out.replaceChildren(body.hits.length === 0 ? h("p.muted", t("search.none")) : h("ol.hits", body.hits.map((hit) => h("li",
          h("button.btn.choice", { type: "button", "data-stream": hit.stream, onclick: () => { follow(hit.stream); tab = "review"; draw(); } },
            h("strong", h("bdi", getLang() === "km" ? hit.sitting.title_km : hit.sitting.title_en)),
            h("span", sittingLine(hit.sitting)),
            h("span.snippet", h("bdi", hit.snippet)))))));
      } catch (err) {
        out.replaceChildren();
        showError(err);
      }
    });
    return [h("h2#se-h", t("search.records")), form, out];
  });
}

function field(id, label, input) {
  input.id = id;
  return h("div.field", h("label", { for: id }, label), input);
}

/** The bodies a sitting may belong to: those defined, then the three kinds (an undefined body sits with every member). */
function bodyOptions() {
  const defined = Object.values(registry.bodies).map((b) => [b.body_id, bodyName({ body: b.kind, body_km: b.name_km, body_en: b.name_en })]);
  return [...defined, ...["plenary", "standing_committee", "commission"].filter((k) => !registry.bodies[k]).map((k) => [k, t(`body.${k}`)])];
}

function drawCreate() {
  const bodies = bodyOptions();
  region(els.create, JSON.stringify([getLang(), hallDay, bodies, Object.keys(registry.plans)]), () => {
    const today = hallDay || new Date().toISOString().slice(0, 10);
    const f = {
      stream: h("input", { required: true, pattern: "[A-Za-z0-9_.:\\-]{1,64}", value: `plenary-${today}`, "data-testid": "new-stream" }),
      body: h("select", { "data-testid": "new-body" }, bodies.map(([id, name]) => h("option", { value: id }, name))),
      number: h("input", { type: "number", min: 1, value: 1, required: true }),
      title_km: h("input", { required: true, lang: "km", "data-testid": "new-title-km" }),
      title_en: h("input", { required: true, lang: "en", "data-testid": "new-title-en" }),
      date: h("input", { type: "date", value: today, required: true }),
      place: h("input", { required: true, value: "សាលប្រជុំព្រឹទ្ធសភា / Senate Hall" }),
      rules: h("select", h("option", { value: "" }, t("rules.body")),
        ["senate-plenary", "senate-committee"].map((r) => h("option", { value: r }, t(`rules.${r}`)))),
      room: h("select", { "data-testid": "new-room" }, h("option", { value: "" }, t("none")),
        Object.values(registry.plans).map((p) => h("option", { value: p.room_id }, roomName(p)))),
    };
    const form = h("form", { "data-testid": "create-form" },
      h("h2#cr-h", t("sitting.create")),
      field("cr-stream", t("sitting.id"), f.stream), field("cr-body", t("sitting.body"), f.body),
      field("cr-number", t("sitting.number"), f.number), field("cr-tkm", t("sitting.title.km"), f.title_km),
      field("cr-ten", t("sitting.title.en"), f.title_en), field("cr-date", t("sitting.date"), f.date),
      field("cr-place", t("sitting.place"), f.place), field("cr-rules", t("sitting.rules"), f.rules),
      field("cr-room", t("sitting.room"), f.room),
      h("button.btn.primary", { type: "submit", "data-testid": "create-submit" }, t("sitting.create")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await cmd({ type: "sitting.create", body: f.body.value, number: Number(f.number.value), title_km: f.title_km.value.trim(),
          title_en: f.title_en.value.trim(), date: f.date.value, place: f.place.value.trim(), rules: f.rules.value || null,
          room: f.room.value || null }, f.stream.value.trim());
        showOk(t("done"));
        await loadSittings();
        await follow(f.stream.value.trim());
      } catch (err) {
        showError(err);
      }
    });
    return form;
  });
}

function drawAgenda() {
  const view = hall.view;
  region(els.agenda, JSON.stringify([getLang(), view?.stream, view?.items]), () => {
    if (!view) return [h("h2#ca-h", t("agenda")), h("p.muted", t("sitting.none"))];
    const n = view.items.length + 1;
    const f = {
      id: h("input", { required: true, pattern: "[A-Za-z0-9_.:\\-]{1,64}", value: `i${n}`, "data-testid": "item-id" }),
      parent: h("select", { "data-testid": "item-parent" }, h("option", { value: "" }, t("item.top")),
        view.items.map((i) => h("option", { value: i.item_id }, `${i.item_id} · ${itemTitle(i)}`))),
      km: h("input", { required: true, lang: "km", "data-testid": "item-km" }),
      en: h("input", { required: true, lang: "en", "data-testid": "item-en" }),
    };
    const form = h("form", { "data-testid": "item-form" },
      h("h3", t("item.add")),
      field("it-id", t("item.id"), f.id), field("it-parent", t("item.parent"), f.parent),
      field("it-km", t("item.title.km"), f.km), field("it-en", t("item.title.en"), f.en),
      h("button.btn.primary", { type: "submit", "data-testid": "item-submit" }, t("item.add")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await cmd({ type: "agenda.add_item", item_id: f.id.value.trim(), parent_id: f.parent.value || null,
          title_km: f.km.value.trim(), title_en: f.en.value.trim() });
      } catch (err) {
        showError(err);
      }
    });
    return [
      h("h2#ca-h", t("agenda")),
      h("p.muted.small", t("agenda.move.help")),
      h("ol.agenda-list", { "data-testid": "clerk-agenda" }, view.items.map((it) => agendaRow(view, it)),
        h("li.drop-end", dropTarget({ parent_id: null, before_id: null }), t("agenda.drop.end"))),
      form,
    ];
  });
}

/** Drag and drop onto a place in the agenda: `where` is {parent_id, before_id}, or a function of the
 * drop event giving one (null: not a place for the item dragged, such as itself). */
function dropTarget(where) {
  const at = (e) => (typeof where === "function" ? where(e) : where);
  return {
    ondragover: (e) => {
      const place = dragged && at(e);
      if (!place) return;
      e.preventDefault();
      e.currentTarget.dataset.drop = place.parent_id && place.parent_id === e.currentTarget.dataset.item ? "into" : "before";
    },
    ondragleave: (e) => { delete e.currentTarget.dataset.drop; },
    ondrop: async (e) => {
      e.preventDefault();
      delete e.currentTarget.dataset.drop;
      const item = dragged;
      const place = item && at(e);
      dragged = null;
      if (!place) return;
      try {
        await cmd({ type: "agenda.move_item", item_id: item, ...place });
      } catch (err) {
        showError(err);
      }
    },
  };
}

function siblingsOf(view, it) {
  return view.items.filter((i) => i.parent_id === it.parent_id);
}

/** One agenda item: drag it (before an item: its upper half; into it: its lower half), or the keyboard's
 * up/down buttons among its siblings; edit its titles or parent; remove it while never taken up. */
function agendaRow(view, it) {
  const sib = siblingsOf(view, it);
  const at = sib.findIndex((i) => i.item_id === it.item_id);
  const move = (before) => action(before === "up" ? "↑" : "↓", () => cmd({ type: "agenda.move_item", item_id: it.item_id,
    parent_id: it.parent_id, before_id: before === "up" ? sib[at - 1].item_id : sib[at + 2]?.item_id || null }),
  { "aria-label": `${t(before === "up" ? "agenda.move.up" : "agenda.move.down")}${t("colon")}${it.item_id}`,
    "data-testid": `move-${before}-${it.item_id}`, "data-fk": `mv-${before}-${it.item_id}` }, "btn.small.quiet");
  const editor = h("form.item-edit", { hidden: true, "data-testid": `item-edit-${it.item_id}` });
  const f = {
    km: h("input", { required: true, lang: "km", value: it.title_km, "data-testid": "edit-item-km" }),
    en: h("input", { required: true, lang: "en", value: it.title_en, "data-testid": "edit-item-en" }),
    parent: h("select", { "data-testid": "edit-item-parent" }, h("option", { value: "" }, t("item.top")),
      view.items.filter((i) => i.item_id !== it.item_id).map((i) => h("option", { value: i.item_id, selected: i.item_id === it.parent_id },
        `${i.item_id} · ${itemTitle(i)}`))),
  };
  editor.replaceChildren(field(`ei-km-${it.item_id}`, t("item.title.km"), f.km), field(`ei-en-${it.item_id}`, t("item.title.en"), f.en),
    field(`ei-p-${it.item_id}`, t("item.parent"), f.parent),
    h("button.btn.primary.small", { type: "submit", "data-testid": "edit-item-save" }, t("save")));
  editor.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const km = f.km.value.trim(), en = f.en.value.trim();
      if (km !== it.title_km || en !== it.title_en) {
        await cmd({ type: "agenda.edit_item", item_id: it.item_id, title_km: km, title_en: en });
      }
      if ((f.parent.value || null) !== it.parent_id) {
        await cmd({ type: "agenda.move_item", item_id: it.item_id, parent_id: f.parent.value || null, before_id: null });
      }
    } catch (err) {
      showError(err);
    }
  });
  const target = (e) => {
    if (dragged === it.item_id) return null;
    const box = e.currentTarget.getBoundingClientRect();
    return e.clientY > box.top + box.height / 2
      ? { parent_id: it.item_id, before_id: null } : { parent_id: it.parent_id, before_id: it.item_id };
  };
  return h(`li.agenda-item.depth-${Math.min(it.depth, 3)}`, {
    draggable: "true", "data-item": it.item_id, "data-testid": `agenda-${it.item_id}`,
    ondragstart: (e) => { dragged = it.item_id; e.dataTransfer.setData("text/plain", it.item_id); e.dataTransfer.effectAllowed = "move"; },
    ondragend: () => { dragged = null; },
    ...dropTarget(target),
  },
  h("div.agenda-row.stacked",
    h("div.row",
      h("span.drag-handle", { "aria-hidden": "true" }, "⠿"),
      h("span.item-title.grow", h("bdi", `${it.item_id} · ${itemTitle(it)}`)),
      h("span.muted.small", t(`item.status.${it.status}`)),
      at > 0 ? move("up") : null,
      at < sib.length - 1 ? move("down") : null,
      h("button.btn.small.quiet", { type: "button", "aria-expanded": "false", "data-testid": `edit-item-${it.item_id}`,
        onclick: (e) => { editor.hidden = !editor.hidden; e.currentTarget.setAttribute("aria-expanded", String(!editor.hidden)); } },
      t("edit")),
      it.status === "pending" ? action(t("remove"), async () => {
        if (!confirm(t("item.remove.confirm", { id: it.item_id }))) return;
        await cmd({ type: "agenda.remove_item", item_id: it.item_id });
      }, { "data-testid": `remove-item-${it.item_id}`, "aria-label": `${t("remove")}${t("colon")}${it.item_id}` }, "btn.small.danger") : null),
    it.documents.length ? h("ul.doc-links", it.documents.map((d, n) => documentRow(it, d, n))) : null,
    editor));
}

/** One document: a single button for its current version; a new version replaces it; removed while its item waits. */
function documentRow(it, d, n) {
  const file = h("input", { type: "file", accept: "application/pdf,.pdf", hidden: true, "data-testid": `replace-file-${d.document_id}` });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      const body = await upload(chosen);
      await cmd({ type: "agenda.replace_document", document_id: d.document_id, title: d.title, media_type: body.media_type,
        sha256: body.sha256, size: body.size });
      showOk(t("doc.replaced"));
    } catch (err) {
      showError(err);
    }
  });
  const order = it.documents.map((x) => x.document_id);
  return h("li.doc-row", { "data-doc": d.document_id },
    h("button.badge.doc-read", { type: "button", "data-testid": "clerk-doc", "data-sha": d.sha256,
      onclick: () => presentDocument(reader, hall, d, false) },
    docIcon(), " ", h("bdi", d.title), d.version > 1 ? h("span.small", ` · ${t("doc.version", { n: num(d.version) })}`) : null),
    n > 0 ? action("↑", () => cmd({ type: "agenda.order_documents", item_id: it.item_id,
      document_ids: [...order.slice(0, n - 1), order[n], order[n - 1], ...order.slice(n + 1)] }),
    { "aria-label": `${t("doc.earlier")}${t("colon")}${d.title}` }, "btn.small.quiet") : null,
    h("button.btn.small.quiet", { type: "button", "data-testid": `replace-${d.document_id}`, onclick: () => file.click() }, t("doc.replace")),
    file,
    it.status === "pending" ? action(t("remove"), async () => {
      if (!confirm(t("doc.remove.confirm", { title: d.title }))) return;
      await cmd({ type: "agenda.remove_document", document_id: d.document_id });
    }, { "data-testid": `remove-doc-${d.document_id}`, "aria-label": `${t("remove")}${t("colon")}${d.title}` }, "btn.small.danger") : null);
}

/** Store a PDF in the hall; its sha256, media type and size, or a HallError. */
async function upload(blob) {
  const r = await fetch("/api/documents", { method: "POST", body: blob,
    headers: { "Content-Type": "application/pdf", ...(await uploadAuthHeaders()) } });
  const body = await r.json();
  if (!body.ok) throw new HallError(body.error);
  return body;

}

// -- guests of the followed sitting ------------------------------------------------------------------

function drawGuests() {
  const view = hall.view;
  region(els.guests, JSON.stringify([getLang(), view?.stream, view?.guests, view?.items.map((i) => i.item_id)]), () => {
    if (!view) return [];
    const f = {
      id: h("input", { required: true, pattern: "[A-Za-z0-9_.:\\-]{1,64}", value: `guest-${view.guests.length + 1}`, "data-testid": "guest-id" }),
      kind: h("select", { "data-testid": "guest-kind" }, ["minister", "expert", "staff"].map((k) => h("option", { value: k }, t(`guest.${k}`)))),
      km: h("input", { required: true, lang: "km", "data-testid": "guest-km" }),
      latin: h("input", { required: true, lang: "en", "data-testid": "guest-latin" }),
      title_km: h("input", { lang: "km", "data-testid": "guest-title-km" }),
      title_en: h("input", { lang: "en", "data-testid": "guest-title-en" }),
      item: h("select", { "data-testid": "guest-item" }, h("option", { value: "" }, t("guest.any.item")),
        view.items.map((i) => h("option", { value: i.item_id }, `${i.item_id} · ${itemTitle(i)}`))),
    };
    const form = h("form", { "data-testid": "guest-form" },
      h("h3", t("guest.add")),
      field("gu-id", t("guest.id"), f.id), field("gu-kind", t("guest.kind"), f.kind),
      field("gu-km", t("guest.name.km"), f.km), field("gu-latin", t("guest.name.latin"), f.latin),
      field("gu-tkm", t("guest.title.km"), f.title_km), field("gu-ten", t("guest.title.en"), f.title_en),
      field("gu-item", t("guest.item"), f.item),
      h("button.btn.primary", { type: "submit", "data-testid": "guest-submit" }, t("guest.add")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await cmd({ type: "sitting.add_guest", guest_id: f.id.value.trim(), kind: f.kind.value, name_km: f.km.value.trim(),
          name_latin: f.latin.value.trim(), title_km: f.title_km.value.trim(), title_en: f.title_en.value.trim(),
          item_id: f.item.value || null });
        showOk(t("done"));
      } catch (err) {
        showError(err);
      }
    });
    return [
      h("h2#gu-h", t("guests")),
      view.guests.length === 0 ? h("p.muted", t("none")) : h("ul", { "data-testid": "guest-list" }, view.guests.map((g) => h("li",
        h("bdi", getLang() === "km" ? g.name_km : g.name_latin), ` · ${t(`guest.${g.kind}`)}`,
        (getLang() === "km" ? g.title_km : g.title_en) ? [" · ", h("bdi", getLang() === "km" ? g.title_km : g.title_en)] : null,
        g.item_id ? ` · ${t("guest.item")} ${g.item_id}` : null))),
      form,
    ];
  });
}

async function uploadAuthHeaders() {
  const token = localStorage.getItem(TOKEN);
  if (token) return { "X-Hemicycle-Token": token };
  if (!dev) return csrfHeaders(); // a signed-in account: its session cookie goes by itself
  const a = await connectAuth(dev);
  return { "X-Hemicycle-Device": a.device_id, "X-Hemicycle-Nonce": a.nonce, "X-Hemicycle-Signature": a.signature };
}

function drawDocs() {
  const view = hall.view;
  region(els.docs, JSON.stringify([getLang(), view?.stream, view?.items.map((i) => i.item_id)]), () => {
    if (!view) return [];
    const item = h("select", { "data-testid": "doc-item" }, view.items.map((i) => h("option", { value: i.item_id }, `${i.item_id} · ${itemTitle(i)}`)));
    const title = h("input", { required: true, "data-testid": "doc-title" });
    const file = h("input", { type: "file", accept: "application/pdf,.pdf", required: true, "data-testid": "doc-file" });
    const status = h("p.muted", { role: "status" });
    const form = h("form", { "data-testid": "doc-form" },
      h("h2#cd-h", t("doc.upload")),
      field("doc-item", t("doc.item"), item), field("doc-title", t("doc.title"), title), field("doc-file", t("doc.file"), file),
      h("button.btn.primary", { type: "submit", "data-testid": "doc-submit" }, t("doc.upload")), status);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const chosen = file.files[0];
      if (!chosen) return;
      status.textContent = t("sending");
      try {
        const body = await upload(chosen);
        await cmd({ type: "agenda.attach_document", item_id: item.value, document_id: `${item.value}-${body.sha256.slice(0, 12)}`,
          title: title.value.trim() || chosen.name, media_type: body.media_type, sha256: body.sha256, size: body.size });
        status.textContent = `${t("doc.attached")}${t("colon")}${title.value || chosen.name}`;
        showOk(t("doc.attached"));
        form.reset();
      } catch (err) {
        status.textContent = "";
        showError(err);
      }
    });
    return form;
  });
}

// -- bodies: the plenary, the Standing Committee, the commissions ---------------------------------------

const OFFICES = ["", "president", "vice_president", "secretary"];

/** Define a body (or change one: pick it) with its members and bureau: body.define, then body.set_membership. */
function drawBodies() {
  const members = Object.values(registry.members);
  region(els.bodies, JSON.stringify([getLang(), registry.seq]), () => {
    const f = {
      pick: h("select", { "data-testid": "body-pick" }, h("option", { value: "" }, t("body.new")),
        Object.values(registry.bodies).map((b) => h("option", { value: b.body_id }, `${b.body_id} · ${getLang() === "km" ? b.name_km : b.name_en}`))),
      id: h("input", { required: true, pattern: "[A-Za-z0-9_.:\\-]{1,64}", placeholder: "commission-9", "data-testid": "body-id" }),
      kind: h("select", { "data-testid": "body-kind" }, ["commission", "standing_committee", "plenary"].map((k) => h("option", { value: k }, t(`body.${k}`)))),
      km: h("input", { required: true, lang: "km", "data-testid": "body-km" }),
      en: h("input", { required: true, lang: "en", "data-testid": "body-en" }),
      rules: h("select", { "data-testid": "body-rules" }, h("option", { value: "" }, t("rules.kind")),
        ["senate-plenary", "senate-committee"].map((r) => h("option", { value: r }, t(`rules.${r}`)))),
      start: h("input", { type: "date", "data-testid": "body-start" }),
    };
    const rows = members.map((m) => {
      const name = getLang() === "km" ? m.name_km : m.name_latin;
      const seat = h("input", { type: "checkbox", "data-testid": `body-member-${m.member_id}` });
      const office = h("select", { "data-testid": `body-office-${m.member_id}`, "aria-label": `${t("body.office")}${t("colon")}${name}` },
        OFFICES.map((o) => h("option", { value: o }, o ? t(`office.${o}`) : "—")));
      return { m, seat, office, row: h("tr", h("td", h("label.check", seat, " ", h("bdi", name), h("span.muted.small", ` · ${m.group}`))),
        h("td", office)) };
    });
    const fill = () => {
      editing = f.pick.value;
      const b = registry.bodies[editing];
      f.id.value = b?.body_id || "";
      f.id.readOnly = !!b;
      f.kind.value = b?.kind || "commission";
      f.km.value = b?.name_km || "";
      f.en.value = b?.name_en || "";
      f.rules.value = b?.rules || "";
      for (const r of rows) {
        r.seat.checked = !!b?.members.some((x) => x.member_id === r.m.member_id && !x.substitute_for);
        r.office.value = b?.officers.find((o) => o.member_id === r.m.member_id)?.office || "";
      }
    };
    f.pick.addEventListener("change", fill);
    const form = h("form", { "data-testid": "body-form" },
      h("h2#bo-h", t("bodies")),
      field("bo-pick", t("body.pick"), f.pick),
      h("div.row", field("bo-id", t("body.id"), f.id), field("bo-kind", t("body.kind"), f.kind)),
      h("div.row", field("bo-km", t("body.name.km"), f.km), field("bo-en", t("body.name.en"), f.en)),
      h("div.row", field("bo-rules", t("sitting.rules"), f.rules), field("bo-start", t("body.start"), f.start)),
      h("div.scroll", h("table", { "data-testid": "body-members" },
        h("thead", h("tr", h("th", t("body.seated")), h("th", t("body.office")))),
        h("tbody", rows.map((r) => r.row)))),
      h("button.btn.primary", { type: "submit", "data-testid": "body-submit" }, t("body.save")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const id = f.id.value.trim();
      const old = registry.bodies[id];
      const seated = rows.filter((r) => r.seat.checked);
      const start = f.start.value || null;
      editing = id; // redrawn as its records come back, the form shows this body
      try {
        await tolerant(cmd({ type: "body.define", body_id: id, kind: f.kind.value, name_km: f.km.value.trim(),
          name_en: f.en.value.trim(), rules: f.rules.value || null, time_zone: old?.time_zone || "Asia/Phnom_Penh" }, "registry"));
        await tolerant(cmd({ type: "body.set_membership", body_id: id,
          members: [
            ...seated.map((r) => old?.members.find((x) => x.member_id === r.m.member_id && !x.substitute_for)
              || { member_id: r.m.member_id, start, end: null, substitute_for: null }),
            ...(old?.members || []).filter((x) => x.substitute_for && seated.some((r) => r.m.member_id === x.substitute_for)),
          ],
          officers: seated.filter((r) => r.office.value).map((r) => ({ member_id: r.m.member_id, office: r.office.value })) }, "registry"));
        showOk(t("body.saved", { n: num(seated.length) }));
      } catch (err) {
        showError(err);
      }
    });
    f.pick.value = registry.bodies[editing] ? editing : "";
    fill();
    return form;
  });
}

/** A command whose answer may be "already so" (the body or membership is unchanged): not an error here. */
async function tolerant(sent) {
  try {
    return await sent;
  } catch (err) {
    if (err?.code !== "already_exists") throw err;
    return null;
  }
}

// -- roster import -------------------------------------------------------------------------------

/** The roster goes to the hall as a file (CSV or XLSX): the server decides what each row does
 * (procedure/roster.py), the same import as `hemicycle admin import-members`. */
function drawCsv() {
  region(els.csv, JSON.stringify([getLang()]), () => {
    const file = h("input", {
      type: "file", "data-testid": "csv-file",
      accept: ".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    });
    const text = h("textarea", { rows: 6, "data-testid": "csv-text", placeholder: "member_id,name_km,name_latin,group,pin" });
    const newPins = h("input", { type: "checkbox", "data-testid": "csv-new-pins" });
    const status = h("p", { role: "status", "data-testid": "csv-status" });
    const sheet = h("p");
    const bad = h("ul.bad-rows", { "data-testid": "csv-bad" });
    const go = action(t("roster.import.go"), async () => {
      const body = file.files[0] || new Blob([text.value], { type: "text/csv" });
      status.textContent = t("sending");
      bad.replaceChildren();
      sheet.replaceChildren();
      const r = await fetch(`/api/roster${newPins.checked ? "?new_pins=missing" : ""}`,
        { method: "POST", body, headers: await uploadAuthHeaders() });
      const report = await r.json().catch(() => null);
      if (!report?.ok) { status.textContent = ""; throw new HallError(report?.error); }
      status.textContent = t("roster.imported", {
        added: num(report.added.length), updated: num(report.updated.length),
        unchanged: num(report.unchanged.length), bad: num(report.bad.length),
      }) + (report.new_pins ? ` · ${t("roster.new_pins.made", { count: num(report.new_pins.length) })}` : "");
      if (report.sheet) sheet.replaceChildren(pinSheetLink(report.sheet));
      bad.replaceChildren(...report.bad.map((b) => h("li", t("roster.bad.row", { line: num(b.line) }), " ",
        h("bdi", b.member_id || "—"), t("colon"),
        (b.problems || []).map((p) => `${p.loc}: ${p.msg}`).join("; ") || t(`err.${b.error?.code}`))));
      file.value = "";
    }, { "data-testid": "csv-import" }, "btn.primary");
    return [h("h2#csv-h", t("roster.import")), h("p.muted.small", t("roster.csv.help")),
      field("csv-file-in", t("roster.csv.file"), file), field("csv-text-in", t("roster.csv.text"), text),
      h("label.check", newPins, ` ${t("roster.new_pins")}`), go, status, sheet, bad];
  });
}

/** The one download of an import's new PINs (hansard/slips.py): the hall answers it once, then forgets them. */
function pinSheetLink(sheet) {
  const link = h("a", { href: "#", "data-testid": "pin-sheet" }, t("roster.sheet"));
  link.addEventListener("click", async (e) => {
    e.preventDefault();
    try {
      const r = await fetch(`/api/roster/sheets/${encodeURIComponent(sheet)}`, { headers: await uploadAuthHeaders() });
      if (!r.ok) throw new HallError((await r.json().catch(() => null))?.error);
      const url = URL.createObjectURL(await r.blob());
      const a = h("a", { href: url, download: "pin-sheet.pdf", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      link.replaceWith(h("span.muted", { "data-testid": "pin-sheet-taken" }, t("roster.sheet.taken")));
    } catch (err) {
      link.remove();
      showError(err);
    }
  });
  return link;
}

function drawMembers() {
  const members = Object.values(registry.members);
  region(els.members, JSON.stringify([getLang(), registry.seq]), () => [
    h("h2#mem-h", t("roster.list"), ` (${num(members.length)})`),
    h("div.scroll", { tabindex: 0, role: "region", "aria-labelledby": "mem-h" }, h("table", { "data-testid": "members" },
      h("thead", h("tr", h("th", "ID"), h("th", t("checkin.member")), h("th", t("group")))),
      h("tbody", members.map((m) => h("tr", h("td", m.member_id),
        h("td", getLang() === "km" ? m.name_km : m.name_latin, h("br"), h("span.muted.small", getLang() === "km" ? m.name_latin : m.name_km)),
        h("td", m.group)))))),
  ]);
}

// -- devices --------------------------------------------------------------------------------------

function drawPairings() {
  if (tab !== "devices") return;
  const members = Object.values(registry.members);
  region(els.pairings, JSON.stringify([getLang(), pairings.map((p) => p.code), members.length, Object.keys(registry.plans)]), () => [
    h("h2#pend-h", t("pairings.pending")),
    pairings.length === 0 ? h("p.muted", t("pairings.none")) : pairings.map((p) => {
      const id = `p-${p.code}`;
      const role = h("select", { "data-testid": "enrol-role" }, ["seat", "chair", "display", "clerk", "recorder", "remote"].map((r) =>
        h("option", { value: r, selected: r === p.role }, t(`role.${r}`))));
      const seat = h("input", { "data-testid": "enrol-seat", pattern: "[A-Za-z0-9_.:\\-]{1,64}", placeholder: "S001" });
      const picker = seatPicker(seat);
      const member = h("select", { "data-testid": "enrol-member" }, h("option", { value: "" }, "—"),
        members.map((m) => h("option", { value: m.member_id }, `${m.member_id} · ${getLang() === "km" ? m.name_km : m.name_latin}`)));
      const label = h("input", { value: p.label });
      return h("div.pair-row", { "data-testid": "pairing", "data-code": p.code },
        h("p", h("span.code", p.code.replace(/(.{4})(.{4})/, "$1 $2")), " ",
          h("span.badge", t(`role.${p.role}`)), " ", h("span.muted.small", `${t("requested.at")} ${clock(p.at * 1000)}`)),
        h("div.row",
          field(`${id}-role`, t("enrol.role"), role), field(`${id}-seat`, t("enrol.seat"), seat),
          field(`${id}-member`, t("enrol.member"), member), field(`${id}-label`, t("enrol.label"), label)),
        picker,
        action(t("enrol"), async () => {
          await cmd({ type: "device.enrol", device_id: `${role.value}-${p.code.toLowerCase()}`, role: role.value,
            public_key: p.public_key, seat: seat.value.trim() || null, member_id: member.value || null, label: label.value.slice(0, 200) }, "registry");
          showOk(t("enrol.done"));
          await loadPairings();
        }, { "data-testid": "enrol-submit" }, "btn.primary"));
    }),
  ]);
}

/** A room's plan beside the seat field of an enrolment: a click on a seat fills the field. */
function seatPicker(input) {
  const plans = Object.values(registry.plans);
  if (!plans.length) return null;
  const room = h("select", { "data-testid": "enrol-room" }, plans.map((p) => h("option", { value: p.room_id }, roomName(p))));
  const box = h("div.plan-box");
  const paint = () => {
    const taken = new Set(Object.values(registry.devices).filter((d) => !d.revoked && d.seat).map((d) => d.seat));
    box.replaceChildren(planSvg(registry.plans[room.value], { mode: "pick", selected: input.value.trim(), taken,
      onPick: (s) => { input.value = s; paint(); } }));
  };
  room.addEventListener("change", paint);
  input.addEventListener("input", paint);
  paint();
  return h("div.seat-picker", h("p.muted.small", t("enrol.pick")), plans.length > 1 ? room : null, box);
}

const roomName = (p) => `${getLang() === "km" ? p.name_km : p.name_en} (${p.room_id})`;

// -- rooms: the seating plan editor ------------------------------------------------------------------

const NEW_ROOM = { room_id: "plenary-hall", name_km: "សាលប្រជុំពេញអង្គ", name_en: "Plenary hall", shape: "hemicycle",
  rows: 4, columns: 16, numbering: "continuous", prefix: "S" };
let draft = null; // the plan being drawn: the grid's fields and its gaps ("row-column")
let drafts = 0; // a new draft redraws the form; typing in it does not

function draftPlan() {
  return { ...draft, seats: nameSeats(draft, draft.gaps) };
}

function drawRooms() {
  if (!draft) draft = { ...NEW_ROOM, gaps: new Set() };
  region(els.rooms, JSON.stringify([getLang(), Object.keys(registry.plans), drafts]), () => {
    const preview = h("div.plan-box.plan-edit-box");
    const count = h("p.muted", { "aria-live": "polite", "data-testid": "room-count" });
    const paint = () => {
      const plan = draftPlan();
      count.textContent = t("room.seats", { n: plan.seats.length });
      preview.replaceChildren(planSvg(plan, { mode: "edit", gaps: draft.gaps, onToggle: (row, column) => {
        const k = `${row}-${column}`;
        if (!draft.gaps.delete(k)) draft.gaps.add(k);
        paint();
        preview.querySelector(`[data-pos="${k}"]`)?.focus();
      } }));
    };
    const choose = h("select", { "data-testid": "room-choose" }, h("option", { value: "" }, t("room.new")),
      Object.values(registry.plans).map((p) => h("option", { value: p.room_id, selected: p.room_id === draft.room_id }, roomName(p))));
    choose.addEventListener("change", () => {
      const p = registry.plans[choose.value];
      draft = p ? { ...p, gaps: gapsOf(p) } : { ...NEW_ROOM, gaps: new Set() };
      drafts += 1;
      drawRooms();
    });
    const input = (k, attrs) => {
      const el = h("input", { value: draft[k], "data-testid": `room-${k}`, ...attrs });
      el.addEventListener("input", () => {
        draft[k] = attrs?.type === "number" ? Math.max(1, Math.min(Number(attrs.max), Number(el.value) || 1)) : el.value.trim();
        paint();
      });
      return el;
    };
    const select = (k, values, prefix) => {
      const el = h("select", { "data-testid": `room-${k}` }, values.map((v) => h("option", { value: v, selected: draft[k] === v }, t(`${prefix}.${v}`))));
      el.addEventListener("change", () => { draft[k] = el.value; paint(); });
      return el;
    };
    const f = {
      room_id: input("room_id", { required: true, pattern: "[A-Za-z0-9_.:\\-]{1,64}" }),
      name_km: input("name_km", { required: true, lang: "km" }),
      name_en: input("name_en", { required: true, lang: "en" }),
      shape: select("shape", SHAPES, "shape"),
      rows: input("rows", { type: "number", min: 1, max: 40, required: true }),
      columns: input("columns", { type: "number", min: 1, max: 80, required: true }),
      numbering: select("numbering", NUMBERINGS, "numbering"),
      prefix: input("prefix", { pattern: "[A-Za-z0-9_.:\\-]{0,16}" }),
    };
    const save = action(t("room.save"), async () => {
      const { gaps, ...plan } = draftPlan();
      await cmd({ type: "room.define_plan", plan }, "registry");
      showOk(t("room.saved"));
    }, { "data-testid": "room-save" }, "btn.primary");
    paint();
    return [
      h("h2#room-h", t("room.title")),
      h("div.room-grid",
        h("div",
          field("room-choose-in", t("room.choose"), choose),
          field("room-id", t("room.id"), f.room_id), field("room-km", t("room.name.km"), f.name_km),
          field("room-en", t("room.name.en"), f.name_en),
          h("div.row", field("room-shape", t("room.shape"), f.shape), field("room-numbering", t("room.numbering"), f.numbering)),
          h("div.row", field("room-rows", t("room.rows"), f.rows), field("room-columns", t("room.columns"), f.columns),
            field("room-prefix", t("room.prefix"), f.prefix)),
          save),
        h("div", h("p.muted.small", t("room.edit.help")), count, preview)),
    ];
  });
}

const ROUTED = ["seat", "chair", "display"]; // the hall's devices, that follow its sittings
const picked = new Set(); // devices ticked for routing
let routeTo = null; // the sitting chosen to send them to

/** Send the hall's devices (or the ticked ones) to a sitting: their pages follow without pairing again. */
function drawRoute() {
  const live = sittings.filter((s) => s.status !== "closed" && s.status !== "cancelled");
  if (!live.some((s) => s.stream === routeTo)) routeTo = live.some((s) => s.stream === hall.stream) ? hall.stream : live[0]?.stream;
  region(els.route, JSON.stringify([getLang(), live.map((s) => [s.stream, s.title_en, s.title_km]), routeTo, picked.size]), () => {
    const to = h("select", { "data-testid": "route-sitting", onchange: (e) => { routeTo = e.target.value; } },
      live.map((s) => h("option", { value: s.stream, selected: s.stream === routeTo },
      `${getLang() === "km" ? s.title_km : s.title_en} · ${date(s.date)} · ${s.stream}`)));
    const send = (ids) => async () => {
      await cmd({ type: "device.route", device_ids: ids, stream: routeTo }, "registry");
      showOk(t("route.done"));
      picked.clear();
      draw();
    };
    return [
      h("h2#rt-h", t("route.title")), h("p.muted.small", t("route.help")),
      live.length ? [field("rt-sitting", t("sitting"), to),
        h("div.row",
          action(t("route.all"), send([]), { "data-testid": "route-all" }, "btn.primary"),
          action(t("route.picked", { n: num(picked.size) }), send([...picked]),
            { "data-testid": "route-picked", disabled: picked.size === 0 }))] : h("p.muted", t("sitting.none")),
    ];
  });
}

function deviceEditor(d) {
  const members = Object.values(registry.members);
  const label = h("input", { value: d.label || "", "data-testid": "dev-label" });
  const seat = h("input", { value: d.seat || "", pattern: "[A-Za-z0-9_.:\\-]{1,64}", "data-testid": "dev-seat" });
  const member = h("select", { "data-testid": "dev-member" }, h("option", { value: "" }, "—"),
    members.map((m) => h("option", { value: m.member_id, selected: m.member_id === d.member_id },
      `${m.member_id} · ${getLang() === "km" ? m.name_km : m.name_latin}`)));
  const form = h("form.row", { hidden: true, "data-testid": `dev-edit-${d.device_id}` },
    field(`de-l-${d.device_id}`, t("enrol.label"), label), field(`de-s-${d.device_id}`, t("enrol.seat"), seat),
    field(`de-m-${d.device_id}`, t("enrol.member"), member),
    h("button.btn.primary.small", { type: "submit", "data-testid": "dev-save" }, t("save")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      if (label.value !== (d.label || "")) await cmd({ type: "device.rename", device_id: d.device_id, label: label.value.slice(0, 200) }, "registry");
      const s = seat.value.trim() || null, m = member.value || null;
      if (s !== d.seat || m !== d.member_id) await cmd({ type: "device.reassign", device_id: d.device_id, seat: s, member_id: m }, "registry");
      showOk(t("done"));
    } catch (err) {
      showError(err);
    }
  });
  return form;
}

function drawDevices() {
  const devices = Object.values(registry.devices);
  const titleOf = (stream) => {
    const s = sittings.find((x) => x.stream === stream);
    return s ? (getLang() === "km" ? s.title_km : s.title_en) : stream;
  };
  region(els.devices, JSON.stringify([getLang(), registry.seq, sittings.length]), () => [
    h("h2#dev-h", t("devices.list"), ` (${num(devices.filter((d) => !d.revoked).length)})`),
    h("div.scroll", h("table", { "data-testid": "devices" },
      h("thead", h("tr", h("th", t("route.pick")), h("th", t("device")), h("th", t("enrol.role")),
        h("th", `${t("enrol.seat")} / ${t("checkin.member")}`), h("th", t("route.sitting")), h("th", ""))),
      h("tbody", devices.map((d) => {
        const editor = deviceEditor(d);
        return [h("tr", { class: d.revoked ? "muted" : "", "data-device": d.device_id },
          h("td", !d.revoked && ROUTED.includes(d.role) ? h("input", { type: "checkbox", checked: picked.has(d.device_id),
            "aria-label": `${t("route.pick")}${t("colon")}${d.device_id}`, "data-testid": `pick-${d.device_id}`,
            onchange: (e) => { if (e.target.checked) picked.add(d.device_id); else picked.delete(d.device_id); drawRoute(); } }) : null),
          h("td", h("bdi", d.device_id), d.label ? h("span.muted.small", " · ", h("bdi", d.label)) : null),
          h("td", t(`role.${d.role}`)),
          h("td", h("bdi", d.seat || d.member_id || "")),
          h("td", d.route ? h("bdi", titleOf(d.route)) : h("span.muted", "—")),
          h("td", d.revoked ? t("revoked") : h("div.row",
            h("button.btn.small.quiet", { type: "button", "data-testid": `dev-edit-open-${d.device_id}`,
              onclick: () => { editor.hidden = !editor.hidden; } }, t("edit")),
            action(t("revoke"), async () => {
              if (!confirm(t("revoke.confirm", { id: d.device_id }))) return;
              await cmd({ type: "device.revoke", device_id: d.device_id }, "registry");
            }, { "aria-label": `${t("revoke")}${t("colon")}${d.device_id}`, "data-fk": `rv-${d.device_id}` }, "btn.small.danger")))),
        d.revoked ? null : h("tr.dev-edit-row", h("td", { colspan: 6 }, editor))];
      })))),
  ]);
}

// -- watching the sitting ---------------------------------------------------------------------------

function drawWatch() {
  const view = hall.view;
  region(els.watch, JSON.stringify([getLang(), view?.seq]), () => {
    if (!view) return [h("h2#w-h", t("watch.sitting")), h("p.muted", t("sitting.none"))];
    const a = view.attendance;
    const item = itemById(view, view.current_item);
    const v = openVote(view);
    return [
      h("h2#w-h", t("watch.sitting")),
      h("div.tiles",
        h("div.tile", t("sitting"), h("strong", t(`status.${view.status}`))),
        h(`div.tile.${a.has_quorum ? "good" : "bad"}`, t("present"), h("strong", `${num(a.present)} / ${num(a.members)}`),
          h("span.small", `${t("quorum")}${t("colon")}${num(a.quorum_needed)}`))),
      h("h3", t("agenda.current")), h("p", item ? itemTitle(item) : t("agenda.none.current")),
      h("h3", t("speaking")),
      view.floor.speaking.length ? h("ul", view.floor.speaking.map((s) => h("li", memberName(hall, s.member_id), " ",
        h("span.countdown", { "data-turn": s.turn_id })))) : h("p.muted", t("speaking.none")),
      h("h3", t("queue")), h("p", view.floor.queue.map((r) => memberName(hall, r.member_id)).join(", ") || t("queue.empty")),
      v ? [h("h3", t("vote.open.now")), h("p", motion(v)), h("p", t("vote.progress", { voted: v.voted, eligible: v.eligible.length })),
        h("div.progress", bar(v.eligible.length ? Math.round((100 * v.voted) / v.eligible.length) : 0))] : null,
    ];
  });
}

setInterval(() => tab === "devices" && loadPairings().catch(() => {}), 2500);
tick(() => hall && paintCountdowns(hall));
signIn();
export { newId };
