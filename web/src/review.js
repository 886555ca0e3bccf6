// The clerks' review of a sitting's record (the Hansard): every speech beside its audio, the
// machine's words to click (the audio jumps there), an editor for the correction, approval, and
// each segment's versions (version 0, the machine draft, is never changed). Procedural notes and
// divisions come from the record as the server builds it from the event log: nothing is typed.
// Downloads of the exports (PDF, Akoma Ntoso XML, JSON) for the same sitting.
import { action, showOk, tick } from "./lib/chrome.js";
import { bar, h, region } from "./lib/dom.js";
import { HallError } from "./lib/hall.js";
import { clock, date, getLang, num, t } from "./lib/i18n.js";
import { nowPlaying, stopAll, TurnPlayer } from "./lib/player.js";
import { choiceLabel, resultLabel } from "./lib/view.js";

const FILTERS = ["all", "review", "approved"];
const NEEDS_REVIEW = new Set(["draft", "corrected"]);
const CLIP_LEAD_S = 0.3; // the audio route cuts each turn from 0.3 s before its first segment
const LOW_CONF = 600; // word confidence is 0..1000; below this the word is marked for a second look
const MAX_TEXT = 10000; // protocol LongText
const DRAFTS = "hemicycle.review.drafts."; // + stream: {segment_id: text typed and not yet saved}
const EXPORTS = [
  ["pdf", "export.pdf"],
  ["akn", "export.akn"],
  ["json", "export.json"],
];

const KHMER = /[\u1780-\u17FF]/;
const langOf = (text) => (KHMER.test(text || "") ? "km" : "en");
const msOf = (iso) => (iso ? Date.parse(iso) : null);
const bi = (b) => (b ? (getLang() === "km" ? b.km || b.en : b.en || b.km) : "");

/** Speeches of an agenda item and its sub-items, in order. */
function speeches(items) {
  return items.flatMap((it) => [...it.entries.filter((e) => e.type === "speech"), ...speeches(it.items)]);
}

function shows(filter, status) {
  return filter === "all" || (filter === "review" ? NEEDS_REVIEW.has(status) : status === "approved");
}

function statusBadge(status) {
  return h(`span.badge.st-${status}`, { "data-testid": "status" }, t(`seg.status.${status}`));
}

/**
 * The review tab. deps: hall() the connection, sittings() the list, follow(stream) to choose one,
 * authHeaders() the clerk's headers for the HTTP routes.
 */
export function createReview({ hall, sittings, follow, authHeaders }) {
  const state = {
    stream: null,
    loading: false,
    error: null, // a HallError from the review route
    record: null,
    transcript: {}, // turn id -> segments (the review route's shape)
    loadedSeq: 0, // the sitting's seq when the data was asked for
    archive: null, // does the recorder's archive have this sitting? null: not asked yet
    rev: 0, // bumped on every change that needs a redraw
    filter: "all",
    exporting: null,
  };
  const players = new Map(); // turn id -> TurnPlayer, kept across redraws so playback goes on
  const openHistory = new Set(); // segment ids whose history is unfolded
  const editors = new Map(); // "sitting/segment" or "sitting/turn:id" -> {el, version}: kept across redraws
  const exportStatus = h("p.export-status", { role: "status", "data-testid": "export-status" });
  const head = h("div.panel.review-head");
  const list = h("div.review-list", { "data-testid": "review-list" });
  const el = h("section.review", { "aria-labelledby": "rv-h" }, head, list);

  // -- drafts typed and not saved yet: kept on this workstation, so a reload loses nothing --

  const drafts = () => JSON.parse(localStorage.getItem(DRAFTS + state.stream) || "{}");
  function keepDraft(segmentId, text) {
    const all = drafts();
    if (text === null) delete all[segmentId];
    else all[segmentId] = text;
    if (Object.keys(all).length) localStorage.setItem(DRAFTS + state.stream, JSON.stringify(all));
    else localStorage.removeItem(DRAFTS + state.stream);
  }

  // -- loading ------------------------------------------------------------------------------

  async function getJson(url) {
    const r = await fetch(url, { headers: await authHeaders() });
    const body = await r.json().catch(() => null);
    if (!body?.ok) throw new HallError(body?.error || { code: r.status === 401 ? "unauthenticated" : "internal" });
    return body;
  }

  let loads = 0; // only the latest load's answer is used

  async function load() {
    const stream = hall().stream;
    if (!stream) return;
    const mine = ++loads;
    if (stream !== state.stream) {
      stopAll();
      players.clear();
      openHistory.clear();
      Object.assign(state, { record: null, transcript: {}, archive: null });
    }
    const seq = hall().view?.stream === stream ? hall().view.seq : 0;
    Object.assign(state, { stream, loading: true, error: null });
    bump();
    try {
      const body = await getJson(`/api/review/${encodeURIComponent(stream)}`);
      if (mine !== loads) return;
      Object.assign(state, { record: body.record, transcript: body.transcript, loadedSeq: seq });
      if (state.archive === null) probeArchive(stream);
    } catch (err) {
      if (mine === loads) state.error = err;
    } finally {
      if (mine === loads) {
        state.loading = false;
        bump();
      }
    }
  }

  /** One look at the archive for the whole sitting: without it every turn says "no recording". */
  async function probeArchive(stream) {
    const turn = Object.keys(state.transcript)[0];
    if (!turn) return;
    const r = await fetch(`/api/audio/${encodeURIComponent(stream)}/${encodeURIComponent(turn)}`,
      { method: "HEAD", headers: await authHeaders() }).catch(() => null);
    if (stream !== state.stream) return;
    state.archive = r?.status !== 404;
    if (!state.archive) for (const p of players.values()) p.setState("none");
    bump();
  }

  function playerFor(turn, segs, speaker) {
    const start = segs[0].start_ms;
    const length = (Math.max(...segs.map((s) => s.end_ms)) - start) / 1000 + 2 * CLIP_LEAD_S;
    let p = players.get(turn);
    if (p && Math.abs(p.length - length) > 0.05 && !p.buffer) p = null; // the turn grew a segment
    if (!p) {
      const stream = state.stream;
      p = new TurnPlayer(async () => {
        const r = await fetch(`/api/audio/${encodeURIComponent(stream)}/${encodeURIComponent(turn)}`,
          { headers: await authHeaders() });
        if (r.status === 404) return null;
        if (!r.ok) throw new Error(`audio: HTTP ${r.status}`);
        return r.arrayBuffer();
      }, length, { testid: `player-${turn}` });
      if (state.archive === false) p.setState("none");
      players.set(turn, p);
    }
    p.firstStartMs = start;
    p.relabel(`${t("audio.label")}${t("colon")}${speaker}`); // in the page's language
    return p;
  }

  // -- commands -----------------------------------------------------------------------------

  async function revise(seg, editor, status) {
    const latest = seg.versions[seg.versions.length - 1];
    const text = editor.value.normalize("NFC").trim();
    if (!text) throw new HallError({ code: "text_empty" });
    const changed = text !== latest.text;
    if (status === "corrected" && !changed) throw new HallError({ code: "text_unchanged" });
    if (status === "approved" && !changed && latest.status === "approved") throw new HallError({ code: "already_approved" });
    const ack = await hall().command({ type: "transcript.revise", segment_id: seg.segment_id, status,
      ...(changed ? { text } : {}) }, { stream: state.stream });
    keepDraft(seg.segment_id, null);
    showOk(t(status === "approved" ? "review.approved.done" : "review.saved"));
    await load();
    state.loadedSeq = Math.max(state.loadedSeq, Number(ack.seq) || 0);
    bump();
  }

  // A turn the machine could not write (its language flagged, or no words heard): the clerk's
  // text is a version marked typed, not a correction of a draft.
  async function typeText(seg, editor) {
    const text = editor.value.normalize("NFC").trim();
    if (!text) throw new HallError({ code: "text_empty" });
    if (text === seg.versions[seg.versions.length - 1].text) throw new HallError({ code: "text_unchanged" });
    const ack = await hall().command({ type: "transcript.type", segment_id: seg.segment_id, text },
      { stream: state.stream });
    keepDraft(seg.segment_id, null);
    showOk(t("review.typed.done"));
    await load();
    state.loadedSeq = Math.max(state.loadedSeq, Number(ack.seq) || 0);
    bump();
  }

  async function download(fmt, label) {
    if (state.exporting) return;
    state.exporting = fmt;
    exportStatus.replaceChildren(h("span.spinner", { "aria-hidden": "true" }), " ", t("export.building", { fmt: label }));
    try {
      const r = await fetch(`/api/export/${encodeURIComponent(state.stream)}.${fmt}`, { headers: await authHeaders() });
      if (!r.ok) {
        const body = await r.json().catch(() => null);
        throw new HallError(body?.error);
      }
      const total = Number(r.headers.get("Content-Length")) || 0;
      const reader = r.body.getReader();
      const chunks = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (total) exportStatus.textContent = t("export.receiving", { fmt: label, pct: Math.round((100 * received) / total) });
      }
      const name = /filename="?([^";]+)"?/.exec(r.headers.get("Content-Disposition") || "")?.[1] || `${state.stream}.${fmt}`;
      const url = URL.createObjectURL(new Blob(chunks, { type: r.headers.get("Content-Type") || "application/octet-stream" }));
      const a = h("a", { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      exportStatus.textContent = t("export.done", { name });
    } catch (err) {
      exportStatus.textContent = "";
      throw err;
    } finally {
      state.exporting = null;
    }
  }

  // -- drawing ------------------------------------------------------------------------------

  function bump() {
    state.rev += 1;
    draw();
  }

  function draw() {
    if (!hall()) return;
    if (hall().stream && hall().stream !== state.stream && !state.loading) {
      load();
      return;
    }
    region(head, JSON.stringify([getLang(), state.stream, state.rev, state.filter, stale(),
      sittings().map((s) => [s.stream, s.status])]), drawHead);
    region(list, JSON.stringify([getLang(), state.stream, state.rev, state.filter]), drawList);
  }

  /** Records arrived since the data was asked for (another clerk, the recorder, the chair). */
  function stale() {
    return !!state.record && !state.loading && (hall().view?.seq || 0) > state.loadedSeq;
  }

  function drawHead() {
    const all = state.record ? speeches(state.record.agenda) : [];
    const count = (f) => all.filter((s) => shows(f, s.status)).length;
    const approved = count("approved");
    const choose = h("select#rv-sitting", { "data-testid": "review-sitting", onchange: (e) => follow(e.target.value) },
      sittings().map((s) => h("option", { value: s.stream, selected: s.stream === state.stream },
        `${getLang() === "km" ? s.title_km : s.title_en} · ${date(s.date)}`)));
    return [
      h("div.review-title",
        h("h2#rv-h", t("review.title")),
        h("div.field.inline", h("label", { for: "rv-sitting" }, t("sitting")), choose),
        action(t("review.reload"), load, { "data-fk": "rv-reload", "data-testid": "review-reload" }, "btn.small.quiet")),
      stale() ? h("p.stale", { role: "status" }, t("review.stale"), " ",
        action(t("review.reload"), load, { "data-fk": "rv-reload2" }, "btn.small")) : null,
      all.length ? h("div.review-progress",
        h("p", { "data-testid": "review-progress" }, h("strong", t(state.record.draft ? "review.draft" : "review.final")), " · ",
          t("review.progress", { n: approved, total: all.length })),
        h("div.progress", { "aria-hidden": "true" }, bar(Math.round((100 * approved) / all.length)))) : null,
      h("div.review-tools",
        h("div.filters", { role: "group", "aria-label": t("review.filter") },
          h("span.label", t("review.filter")),
          FILTERS.map((f) => h("button.btn.small.filter", { type: "button", "aria-pressed": String(state.filter === f),
            "data-fk": `rv-f-${f}`, "data-testid": `filter-${f}`, onclick: () => { state.filter = f; bump(); } },
          t(`review.filter.${f}`), h("span.count", num(count(f)))))),
        h("div.downloads", { role: "group", "aria-label": t("export.title") },
          h("span.label", t("export.title")),
          EXPORTS.map(([fmt, key]) => action(t(key), () => download(fmt, t(key)),
            { "data-fk": `rv-x-${fmt}`, "data-testid": `export-${fmt}`, disabled: !state.record }, "btn.small")),
          exportStatus)),
    ];
  }

  function drawList() {
    if (!state.stream) return h("p.panel.muted", t("sitting.none"));
    if (state.error) {
      const notOpen = state.error.code === "unknown_sitting";
      return h("p.panel", { role: "alert" }, notOpen ? t("review.not.open") : `${t("review.failed")}${t("colon")}${t(`err.${state.error.code}`)}`);
    }
    if (!state.record) return h("p.panel.muted", { role: "status" }, h("span.spinner", { "aria-hidden": "true" }), " ", t("loading"));
    const persons = Object.fromEntries(state.record.persons.map((p) => [p.id, p]));
    const out = state.record.agenda.map((it) => drawItem(it, 0, persons)).filter(Boolean);
    return out.length ? out : h("p.panel.muted", t("review.filter.empty"));
  }

  function drawItem(item, depth, persons) {
    const level = Math.min(3 + depth, 5);
    const entries = item.entries.map((e) => drawEntry(e, level, persons)).filter(Boolean);
    const subs = item.items.map((it) => drawItem(it, depth + 1, persons)).filter(Boolean);
    if (state.filter !== "all" && !entries.length && !subs.length) return null;
    return h(`section.rv-item.depth-${Math.min(depth, 3)}`, { "aria-labelledby": `rv-i-${item.number.replace(/\W/g, "-")}` },
      h(`h${level}.rv-heading`, { id: `rv-i-${item.number.replace(/\W/g, "-")}` },
        item.number && item.number !== "0" ? [h("span.rv-number", digitsOf(item.number)), " "] : null, bi(item.heading)),
      entries, subs);
  }

  function drawEntry(entry, level, persons) {
    if (entry.type === "speech") return shows(state.filter, entry.status) ? speechCard(entry, level + 1, persons) : null;
    if (state.filter !== "all") return null;
    if (entry.type === "note") {
      return h("p.rv-note", { "data-testid": "note" },
        h("span.visually-hidden", `${t("review.note")}${t("colon")}`),
        entry.time ? h("time", { datetime: entry.time }, clock(msOf(entry.time), true)) : null, " ", bi(entry.text));
    }
    return division(entry, persons);
  }

  function division(d, persons) {
    const name = (id) => {
      const p = persons[id];
      return p ? (getLang() === "km" ? p.name_km : p.name_latin) : id;
    };
    return h("div.rv-division", { "data-testid": "division" },
      h("p.rv-division-head", h("strong", t("vote")), " · ", t(`vote.kind.${d.kind.replace("-", "_")}`),
        d.time ? [" · ", h("time", { datetime: d.time }, clock(msOf(d.time), true))] : null),
      h("p.rv-motion", bi(d.motion)),
      h("ul.counts", d.counts.map((c) => h("li", h("span", choiceLabel(c.option)), h("strong", num(c.count))))),
      h("p.small", t("vote.progress", { voted: d.voted, eligible: d.eligible }), " · ",
        t("review.quorum", { required: d.quorum.required, present: d.quorum.present })),
      h(`p.outcome.outcome-${d.outcome}`, resultLabel({ ...d, counts: Object.fromEntries(d.counts.map((c) => [c.option, c.count])) })),
      d.named_list.length ? h("details.rv-named", h("summary", t("vote.named")),
        h("ul.named", d.named_list.map((v) => h("li", h("span", name(v.person_id)), h("strong", choiceLabel(v.choice)))))) : null);
  }

  function speechCard(entry, level, persons) {
    const p = persons[entry.speaker_id];
    const km = getLang() === "km";
    const name = p ? (km ? p.name_km : p.name_latin) : entry.speaker_id;
    const other = p ? (km ? p.name_latin : p.name_km) : "";
    const group = entry.group || p?.group;
    const segs = state.transcript[entry.id] || [];
    const player = segs.length ? playerFor(entry.id, segs, name) : null;
    const hid = `rv-s-${entry.id}`;
    const start = msOf(entry.start);
    const end = msOf(entry.end);
    return h(`article.speech-card.st-${entry.status}`, { "aria-labelledby": hid, "data-turn": entry.id, "data-testid": "speech" },
      h("div.speech-head",
        h("div.who",
          h(`h${Math.min(level, 6)}.speech-name`, { id: hid }, name),
          other ? h("span.speech-other", { lang: km ? "en" : "km" }, other) : null,
          group ? h("span.badge", group) : null),
        h("div.when",
          start ? h("time", { datetime: entry.start }, clock(start, true)) : null,
          end ? ["–", h("time", { datetime: entry.end }, clock(end, true))] : null),
        statusBadge(entry.status)),
      player ? player.el : null,
      segs.length ? segs.map((seg) => segmentBlock(seg, player)) : untranscribed(entry));
  }

  // A turn no recorder transcribed (a room without one): the clerk types or pastes the speech,
  // which becomes the turn's text, marked typed.
  function untranscribed(entry) {
    const key = `${state.stream}/turn:${entry.id}`;
    let editor = editors.get(key)?.el;
    if (!editor) {
      editor = h("textarea.rv-editor", {
        id: `ty-${entry.id}`, "data-testid": "type-editor", maxlength: MAX_TEXT, rows: 4,
        value: drafts()[`turn:${entry.id}`] || "",
      });
      editor.addEventListener("input", () => keepDraft(`turn:${entry.id}`, editor.value || null));
      editors.set(key, { el: editor, version: null });
    }
    return h("div.segment.untranscribed",
      h("p.muted", t("review.no.transcript")),
      h("label.label", { for: `ty-${entry.id}` }, t("review.type.turn")),
      editor,
      h("div.row.rv-actions", action(t("review.type"), () => typeTurn(entry.id, editor),
        { "data-fk": `ty-${entry.id}`, "data-testid": "type-turn" }, "btn.primary")));
  }

  async function typeTurn(turnId, editor) {
    const text = editor.value.normalize("NFC").trim();
    if (!text) throw new HallError({ code: "text_empty" });
    const ack = await hall().command({ type: "transcript.type", turn_id: turnId, text }, { stream: state.stream });
    keepDraft(`turn:${turnId}`, null);
    editors.delete(`${state.stream}/turn:${turnId}`);
    showOk(t("review.typed.done"));
    await load();
    state.loadedSeq = Math.max(state.loadedSeq, Number(ack.seq) || 0);
    bump();
  }

  function segmentBlock(seg, player) {
    const sid = seg.segment_id;
    const latest = seg.versions[seg.versions.length - 1];
    const machine = seg.versions[0];
    const typed = drafts()[sid];
    // The same textarea survives redraws while its version stands: a reload that lands while
    // the clerk types must not swap the element (and the caret) under their fingers.
    const key = `${state.stream}/${sid}`; // segment ids repeat across sittings
    const kept = editors.get(key);
    const editor = kept?.version === latest.version ? kept.el : h("textarea.rv-editor", {
      id: `ed-${sid}`, "data-fk": `ed-${sid}`, "data-testid": "editor", maxlength: MAX_TEXT,
      lang: langOf(typed ?? latest.text), rows: Math.max(3, Math.min(14, Math.ceil((typed ?? latest.text).length / 70))),
      value: typed ?? latest.text });
    if (editor !== kept?.el) {
      editors.set(key, { el: editor, version: latest.version });
      editor.addEventListener("input", () => editor.onEdit?.());
    }
    const unsaved = h("span.unsaved", { "aria-live": "polite" });
    const approve = action(t("review.approve"), () => revise(seg, editor, "approved"),
      { "data-fk": `ap-${sid}`, "data-testid": "approve" }, "btn.approve");
    const paintDirty = () => {
      const dirty = editor.value.normalize("NFC").trim() !== latest.text;
      const done = !dirty && latest.status === "approved";
      unsaved.textContent = dirty ? t("review.unsaved") : "";
      approve.classList.toggle("done", done);
      approve.replaceChildren(...(done ? [checkIcon(), t("seg.status.approved")] : [t("review.approve")]));
    };
    editor.onEdit = () => {
      keepDraft(sid, editor.value === latest.text ? null : editor.value);
      paintDirty();
    };
    paintDirty();
    const start0 = player?.firstStartMs ?? seg.start_ms;
    const toType = !machine.text;
    const words = seg.words.length && player && state.archive !== false
      ? wordButtons(seg, player, start0)
      : toType
        ? h("p.rv-flag", { "data-testid": "flag", role: "note" },
          seg.flag?.reason === "language_not_covered"
            ? t("review.flag", { lang: seg.flag.language || "?" }) : t("review.nothing"))
        : h("p.rv-machine-text", { lang: langOf(machine.text) }, machine.text);
    const history = h("details.rv-history", { open: openHistory.has(sid),
      ontoggle: (e) => (e.target.open ? openHistory.add(sid) : openHistory.delete(sid)) },
    h("summary", t(seg.versions.length === 1 ? "review.history.one" : "review.history", { n: seg.versions.length })),
    h("ol.versions", { "data-testid": "history" }, seg.versions.map((v) => h("li.version",
      h("div.version-head",
        h("strong", t("review.version", { n: v.version })), " ",
        v.version === 0 ? h("span.badge.st-machine", t("review.machine.draft")) : statusBadge(v.status), " ",
        v.typed ? [h("span.badge.st-typed", { "data-testid": "typed" }, t("review.typed")), " "] : null,
        h("time", { datetime: new Date(v.at_ms).toISOString() }, clock(v.at_ms, true)), " ",
        h("span.muted", `${t(v.version === 0 ? "review.by" : "review.revised.by")} `,
          h("bdi", { "data-testid": "version-by" }, v.by || "—"))),
      h("p.version-text", { lang: langOf(v.text) }, v.text)))));
    return h("div.segment", { "data-segment": sid },
      h("div.segment-cols",
        h("div.machine",
          h("p.label", { id: `mw-${sid}` }, t(words.classList.contains("words") ? "review.machine" : "review.machine.plain"),
            h("span.muted", ` · ${seg.engine}${seg.model ? ` / ${seg.model}` : ""}`)),
          words),
        h("div.correction",
          h("label.label", { for: `ed-${sid}` }, t("review.editor")),
          editor,
          h("div.row.rv-actions",
            toType
              ? action(t("review.type"), () => typeText(seg, editor),
                { "data-fk": `sv-${sid}`, "data-testid": "save" }, "btn.primary")
              : action(t("review.save"), () => revise(seg, editor, "corrected"),
                { "data-fk": `sv-${sid}`, "data-testid": "save" }, "btn.primary"),
            approve, unsaved))),
      history);
  }

  function wordButtons(seg, player, start0) {
    const box = h("div.words", { role: "group", "aria-labelledby": `mw-${seg.segment_id}`, "data-testid": "words" });
    seg.words.forEach((w, i) => {
      const at = (w.start_ms - start0) / 1000 + CLIP_LEAD_S;
      const low = w.conf < LOW_CONF;
      box.append(h(`button.word${low ? ".low" : ""}`, { type: "button", tabindex: i === 0 ? "0" : "-1",
        "data-at": at.toFixed(3), lang: langOf(w.w), title: low ? t("review.low") : null,
        onclick: (e) => { roving(box, e.currentTarget); player.play(at); } }, w.w), " ");
    });
    box.addEventListener("keydown", (e) => {
      const words = [...box.querySelectorAll(".word")];
      const i = words.indexOf(document.activeElement);
      if (i < 0) return;
      const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: words.length - 1 }[e.key];
      if (to === undefined || !words[to]) return;
      e.preventDefault();
      roving(box, words[to]);
      words[to].focus();
    });
    return box;
  }

  function roving(box, word) {
    for (const w of box.querySelectorAll(".word[tabindex='0']")) w.tabIndex = -1;
    word.tabIndex = 0;
  }

  /** Four times a second: move the playing turn's slider, and mark the word being heard. */
  function followPlayback() {
    const p = nowPlaying();
    for (const old of list.querySelectorAll(".word.now")) {
      if (!p || !old.closest(`[data-turn]`)?.contains(p.el)) old.classList.remove("now");
    }
    if (!p) return;
    p.paint();
    const card = p.el.closest("[data-turn]");
    if (!card) return;
    const now = p.currentTime;
    let current = null;
    for (const w of card.querySelectorAll(".word")) if (Number(w.dataset.at) <= now) current = w;
    for (const w of card.querySelectorAll(".word.now")) if (w !== current) w.classList.remove("now");
    current?.classList.add("now");
  }
  tick(followPlayback);

  return {
    el,
    draw,
    reload: load,
    /** The tab is left: silence. */
    leave: stopAll,
  };
}

function checkIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true", class: "icon" })) {
    svg.setAttribute(k, String(v));
  }
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M2 8.5l4 4 8-9");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2.2");
  svg.append(path);
  return svg;
}

/** An agenda number ("2.1") in the page's digits. */
function digitsOf(number) {
  return number.split(".").map((n) => (/^\d+$/.test(n) ? num(Number(n)) : n)).join(".");
}
