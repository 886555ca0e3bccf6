"""Turn a sitting record into the flowables of its Hansard, in reading order.

Title page, contents, attendance, then each agenda item with its speeches,
procedural notes and divisions, and the verification block. Styles live
here as plain ``TextStyle`` values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus import CondPageBreak, Flowable, NextPageTemplate, PageBreak, Spacer, Table
from reportlab.platypus.tables import TableStyle

from hansard._flowables import TextBlock, Tick, TocLine, Typesetter
from hansard._labels import (
    L,
    choice_label,
    date_en,
    date_km,
    division_kind_label,
    khmer_digits,
    kind_label,
    result_label,
    status_label,
    time_hm,
    zone_label,
)
from hansard._layout import Align, Run
from hansard._model import (
    AgendaItem,
    Bilingual,
    Division,
    DivisionKind,
    Outcome,
    Person,
    ProceduralNote,
    SittingRecord,
    Speech,
    SpeechStatus,
)
from hansard._shaping import TextStyle

__all__ = ["STYLE", "Story", "build_story"]

_INK = (0.08, 0.08, 0.1)
_GREY = (0.38, 0.38, 0.42)
_RED = (0.72, 0.1, 0.1)
_AMBER = (0.62, 0.38, 0.0)
_GREEN = (0.1, 0.45, 0.2)
_NAVY = (0.1, 0.18, 0.4)


@dataclass(frozen=True)
class _Styles:
    body: TextStyle = TextStyle(size=10.5, color=_INK)
    speaker: TextStyle = TextStyle(size=10.5, bold=True, color=_INK)
    role: TextStyle = TextStyle(size=10.5, color=_GREY)
    note: TextStyle = TextStyle(size=10, italic=True, color=(0.2, 0.2, 0.24))
    note_en: TextStyle = TextStyle(size=9.5, italic=True, color=_GREY)
    margin: TextStyle = TextStyle(size=8.5, color=_GREY)
    h1: TextStyle = TextStyle(size=13.5, bold=True, color=_NAVY)
    h1_en: TextStyle = TextStyle(size=11, bold=True, color=_NAVY)
    h2: TextStyle = TextStyle(size=12, bold=True, color=_NAVY)
    h2_en: TextStyle = TextStyle(size=10.5, bold=True, color=_NAVY)
    label: TextStyle = TextStyle(size=9, color=_GREY)
    value: TextStyle = TextStyle(size=9.5, color=_INK)
    value_bold: TextStyle = TextStyle(size=9.5, bold=True, color=_INK)
    small: TextStyle = TextStyle(size=8.5, color=_INK)
    mono: TextStyle = TextStyle(size=8, color=_INK)
    toc: TextStyle = TextStyle(size=10, color=_INK)
    toc_en: TextStyle = TextStyle(size=9, color=_GREY)
    title_km: TextStyle = TextStyle(size=20, color=_NAVY, display=True)
    title_en: TextStyle = TextStyle(size=15, bold=True, color=_NAVY)
    head_km: TextStyle = TextStyle(size=12, color=_INK, display=True)
    head_en: TextStyle = TextStyle(size=9.5, color=_GREY)
    big: TextStyle = TextStyle(size=13, bold=True, color=_INK)
    draft: TextStyle = TextStyle(size=11, bold=True, color=_RED)
    draft_small: TextStyle = TextStyle(size=7.5, bold=True, color=_RED)
    draft_tag: TextStyle = TextStyle(size=8.5, bold=True, color=_RED)
    corrected_tag: TextStyle = TextStyle(size=8.5, bold=True, color=_AMBER)


STYLE = _Styles()

_OUTCOME_COLOUR = {
    Outcome.ADOPTED: _GREEN,
    Outcome.REJECTED: _RED,
    Outcome.TIE: _AMBER,
    Outcome.NO_QUORUM: _AMBER,
    Outcome.ELECTED: _GREEN,
    Outcome.NOT_ELECTED: _RED,
}


def item_key(item: AgendaItem) -> str:
    return f"item-{item.number}"


def division_key(division: Division) -> str:
    return f"div-{division.id}"


@dataclass
class Story:
    flowables: list[Flowable]
    toc_keys: list[str]  # every key a contents line points at
    units: int  # progress ticks the story will report


def _bi_runs(b: Bilingual, km: TextStyle, en: TextStyle, sep: str = " — ") -> list[Run]:
    runs = [Run(b.km, km)] if b.km else []
    if b.en and b.en != b.km:
        runs += [Run(sep, en), Run(b.en, en)] if runs else [Run(b.en, en)]
    return runs


class _Builder:
    def __init__(self, record: SittingRecord, ts: Typesetter, tick: Callable[[], None], frame_width: float) -> None:
        self.frame_width = frame_width
        self.r = record
        self.ts = ts
        self.tick = tick
        self.persons = {p.id: p for p in record.persons}
        self.division_no = {d.id: n for n, d in enumerate(record.divisions(), start=1)}
        self.out: list[Flowable] = []
        self.toc_keys: list[str] = []
        self.units = 0

    # -- helpers

    def block(self, runs: list[Run], **kw: Any) -> TextBlock:
        tb = TextBlock(runs, self.ts, **kw)
        self.out.append(tb)
        return tb

    def centred(self, runs: list[Run], space_before: float = 0.0) -> None:
        self.block(runs, align=Align.CENTER, space_before=space_before)

    def done(self) -> None:
        self.out.append(Tick(self.tick))
        self.units += 1

    def heading(self, key: str, title: Bilingual, level: int, number: str = "", need: float = 90) -> None:
        km, en = (STYLE.h1, STYLE.h1_en) if level == 0 else (STYLE.h2, STYLE.h2_en)
        prefix = f"{number}. " if number else ""
        outline = f"{prefix}{title.km or title.en}"

        def mark(canv: Any) -> None:
            canv.bookmarkHorizontal(key, 0, km.size * 2)
            canv.addOutlineEntry(outline, key, level=level, closed=False)
            self.ts.pages[key] = canv.getPageNumber()

        self.out.append(CondPageBreak(need))  # never strand a heading at a page foot
        runs = [Run(prefix, km), Run(title.km, km)] if title.km else [Run(prefix + title.en, en)]
        self.block(
            runs,
            space_before=16 if level == 0 else 10,
            keep_with_next=True,
            on_draw=mark,
        )
        if title.km and title.en:
            self.block([Run(title.en, en)], space_after=6, keep_with_next=True)

    # -- parts

    def title_page(self) -> None:
        h = self.r.header
        self.centred([Run(L.MOTTO_KINGDOM.km, STYLE.head_km)])
        self.centred([Run(L.MOTTO.km, STYLE.head_km)])
        self.centred([Run(f"{L.MOTTO_KINGDOM.en} · {L.MOTTO.en}", STYLE.head_en)])
        self.out.append(Spacer(1, 60))
        self.centred([Run(h.body.km, STYLE.title_km)])
        self.centred([Run(h.body.en, STYLE.title_en)], space_before=2)
        if h.organ:
            self.centred(_bi_runs(h.organ, STYLE.big, STYLE.big), space_before=10)
        self.out.append(Spacer(1, 36))
        self.centred([Run(L.TITLE.km, STYLE.title_km)])
        self.centred([Run(L.TITLE.en, STYLE.title_en)], space_before=2)
        self.out.append(Spacer(1, 26))
        kind = kind_label(h.kind)
        self.centred([Run(f"{kind.km}{L.SITTING_NO.km}{khmer_digits(str(h.number))}", STYLE.big)])
        self.centred([Run(f"{kind.en} {L.SITTING_NO.en} {h.number}", STYLE.big)])
        if h.session:
            self.centred(_bi_runs(h.session, STYLE.body, STYLE.body), space_before=4)
        self.centred([Run(date_km(h.date), STYLE.body)], space_before=14)
        self.centred([Run(date_en(h.date), STYLE.body)])
        self.centred(_bi_runs(h.place, STYLE.body, STYLE.body), space_before=4)
        self.out.append(Spacer(1, 30))
        chair = self.persons[h.presiding_officer_id]
        rows: list[tuple[Bilingual, list[Run]]] = [
            (L.PRESIDING, self.name_runs(chair, STYLE.value_bold, STYLE.value)),
            (L.OPENED, [Run(time_hm(h.opened_at), STYLE.value)]),
            *([(L.TIMES, [Run(zone_label(h.time_zone, h.opened_at), STYLE.value)])] if h.time_zone else []),
            (
                L.CLOSED,
                [Run(time_hm(h.closed_at), STYLE.value)]
                if h.closed_at
                else _bi_runs(L.NOT_CLOSED, STYLE.value, STYLE.value),
            ),
            (L.PRESENT, [Run(str(len(self.r.attendance.present)), STYLE.value)]),
            (L.REMOTE, [Run(str(len(self.r.attendance.remote)), STYLE.value)]),
            (L.ABSENT, [Run(str(len(self.r.attendance.absent)), STYLE.value)]),
        ]
        self.out.append(self.key_values(rows, width=330))
        if self.r.draft:
            self.out.append(Spacer(1, 26))
            self.centred(_bi_runs(L.DRAFT, STYLE.draft, STYLE.draft))
            pending = self.r.pending_approval
            self.centred(
                [
                    Run(f"{khmer_digits(str(pending))} {L.PENDING.km} · ", STYLE.small),
                    Run(f"{pending} {L.PENDING.en}", STYLE.small),
                ],
                space_before=2,
            )
            self.block(
                [Run(L.DRAFT_DETAIL.km + " ", STYLE.small), Run(L.DRAFT_DETAIL.en, STYLE.small)],
                align=Align.CENTER,
                space_before=4,
            )
        self.out.append(NextPageTemplate("body"))
        self.out.append(PageBreak())

    def contents(self) -> None:
        self.block(_bi_runs(L.CONTENTS, STYLE.h1, STYLE.h1_en), space_after=8)
        entries: list[tuple[str, list[Run], float]] = [
            ("attendance", _bi_runs(L.ATTENDANCE, STYLE.toc, STYLE.toc_en), 0.0)
        ]
        for depth, item in self.r.walk():
            runs = [
                Run(f"{item.number}. ", STYLE.toc),
                *_bi_runs(item.heading, STYLE.toc, STYLE.toc_en),
            ]
            entries.append((item_key(item), runs, 14.0 * depth))
            for d in (e for e in item.entries if isinstance(e, Division)):
                label = division_kind_label(d.kind)
                no = self.division_no[d.id]
                runs = [
                    Run(f"{L.DIVISION.en} {L.SITTING_NO.en} {no}: ", STYLE.toc_en),
                    Run(d.motion.km or d.motion.en, STYLE.toc_en),
                    Run(f" ({label.en}, {result_label(d).en})", STYLE.toc_en),
                ]
                entries.append((division_key(d), runs, 14.0 * (depth + 1)))
        entries.append(("verification", _bi_runs(L.VERIFICATION, STYLE.toc, STYLE.toc_en), 0.0))
        for key, runs, indent in entries:
            self.out.append(TocLine(runs, key, self.ts, indent))
            self.toc_keys.append(key)
        self.out.append(PageBreak())

    def attendance(self) -> None:
        self.heading("attendance", L.ATTENDANCE, 0)
        a = self.r.attendance
        guests = ((L.GUESTS, a.guests),) if a.guests else ()
        for label, ids in ((L.PRESENT, a.present), (L.REMOTE, a.remote), (L.ABSENT, a.absent), *guests):
            runs = _bi_runs(label, STYLE.h2, STYLE.h2_en)
            runs.append(Run(f" ({len(ids)})", STYLE.h2_en))
            self.block(runs, space_before=8, space_after=3, keep_with_next=True)
            if ids:
                self.out.append(self.name_columns([self.persons[i] for i in ids]))
        self.done()

    def item(self, item: AgendaItem, depth: int) -> None:
        opens_with_division = bool(item.entries) and isinstance(item.entries[0], Division)
        need = 250.0 if opens_with_division else 90.0
        self.heading(item_key(item), item.heading, min(depth, 1), item.number, need)
        for e in item.in_order():
            if isinstance(e, AgendaItem):
                self.item(e, depth + 1)
                continue
            if isinstance(e, Speech):
                self.speech(e)
            elif isinstance(e, ProceduralNote):
                self.note(e)
            else:
                self.division(e, min(depth, 1) + 1)
            self.done()

    def name_runs(self, p: Person, bold: TextStyle, plain: TextStyle) -> list[Run]:
        runs = []
        if p.name_km:
            runs.append(Run(p.name_km, bold))
        if p.name_latin:
            runs.append(Run(f" ({p.name_latin})" if runs else p.name_latin, bold))
        if p.group:
            runs.append(Run(f" {p.group}", plain))
        return runs

    def speech(self, s: Speech) -> None:
        p = self.persons[s.speaker_id]
        runs = [Run(f"{L.POINT_OF_ORDER.km} / {L.POINT_OF_ORDER.en} — ", STYLE.role)] if s.point_of_order else []
        runs += [Run(p.name_km, STYLE.speaker)] if p.name_km else []
        if p.name_latin:
            runs.append(Run(f" ({p.name_latin})" if runs else p.name_latin, STYLE.speaker))
        group = s.group if s.group is not None else p.group
        role = s.role or p.role
        if group:
            runs.append(Run(f", {group}", STYLE.role))
        if role:
            runs.append(Run(", ", STYLE.role))
            runs += _bi_runs(role, STYLE.role, STYLE.role, sep=" / ")
        if s.status is not SpeechStatus.APPROVED:
            # inline, not in the margin: a margin label would land inside the
            # speech's text when the page is read or copied
            tag = STYLE.draft_tag if s.status is SpeechStatus.DRAFT else STYLE.corrected_tag
            runs.append(Run(f" [{status_label(s.status).en.upper()}]", tag))
        runs.append(Run(": ", STYLE.speaker))
        margin = [Run(time_hm(s.start), STYLE.margin)]
        paragraphs = s.paragraphs or ("",)
        first, rest = paragraphs[0], paragraphs[1:]
        self.block(
            [*runs, Run(first, STYLE.body)],
            align=Align.JUSTIFY,
            space_before=7,
            margin=margin,
        )
        for para in rest:
            self.block([Run(para, STYLE.body)], align=Align.JUSTIFY, first_indent=16, space_before=3)

    def note(self, n: ProceduralNote) -> None:
        margin = [Run(time_hm(n.time), STYLE.margin)]
        if n.text.km:
            self.block(
                [Run(n.text.km, STYLE.note)],
                indent=24,
                space_before=7,
                margin=margin,
                keep_with_next=bool(n.text.en),
            )
            margin = []
        if n.text.en:
            self.block(
                [Run(n.text.en, STYLE.note_en)],
                indent=24,
                space_before=0 if n.text.km else 7,
                margin=margin,
            )

    def division(self, d: Division, level: int) -> None:
        kind = division_kind_label(d.kind)
        key = division_key(d)

        def mark(canv: Any) -> None:
            canv.bookmarkHorizontal(key, 0, STYLE.h2.size * 2)
            title = f"{L.DIVISION.en} {L.SITTING_NO.en} {self.division_no[d.id]}"
            canv.addOutlineEntry(title, key, level)
            self.ts.pages[key] = canv.getPageNumber()

        self.out.append(CondPageBreak(160))
        no = self.division_no[d.id]
        self.block(
            [Run(f"{L.DIVISION.km}{L.SITTING_NO.km}{khmer_digits(str(no))} — {kind.km}", STYLE.h2)],
            space_before=12,
            keep_with_next=True,
            margin=[Run(time_hm(d.time), STYLE.margin)],
            on_draw=mark,
        )
        self.block(
            [Run(f"{L.DIVISION.en} {L.SITTING_NO.en} {no} — {kind.en}", STYLE.h2_en)],
            keep_with_next=True,
        )
        motion = [Run(f"{L.MOTION.km} / {L.MOTION.en}: ", STYLE.value_bold)]
        motion += _bi_runs(d.motion, STYLE.body, STYLE.body)
        self.block(motion, space_before=4, space_after=4, keep_with_next=True)
        colour = _OUTCOME_COLOUR[d.outcome]
        rows: list[tuple[Bilingual, list[Run]]] = [
            (choice_label(c.option), [Run(str(c.count), STYLE.value_bold)]) for c in d.counts
        ]
        q = d.quorum
        met = L.QUORUM_MET if q.met else L.QUORUM_NOT_MET
        rows += [
            (L.ELIGIBLE, [Run(str(d.eligible), STYLE.value)]),
            (L.VOTED, [Run(str(d.voted), STYLE.value)]),
            (
                L.QUORUM,
                [
                    Run(f"{q.present} {L.PRESENT.en.lower()}, {q.required} {L.REQUIRED.en} — ", STYLE.value),
                    *_bi_runs(met, STYLE.value, STYLE.value, sep=" / "),
                ],
            ),
            (L.MAJORITY, [Run(d.majority_rule, STYLE.value)]),
            (
                L.RESULT,
                _bi_runs(
                    result_label(d),
                    STYLE.value_bold.with_(color=colour, size=11),
                    STYLE.value_bold.with_(color=colour, size=11),
                    sep=" / ",
                ),
            ),
        ]
        self.out.append(self.key_values(rows, width=340))
        if d.kind is DivisionKind.SECRET:
            self.block(_bi_runs(L.SECRET_NOTE, STYLE.note_en, STYLE.note_en, " "), space_before=4)
            return
        if not d.named_list:
            return
        # a long list may split across pages, so its headings are held to
        # it by a conditional page break, not kept with the whole table
        self.out.append(CondPageBreak(70))
        self.block(
            _bi_runs(L.NAMED_LIST, STYLE.value_bold, STYLE.value_bold, " / "),
            space_before=8,
        )
        for c in d.counts:
            voters = [self.persons[v.person_id] for v in d.named_list if v.choice == c.option]
            if not voters:
                continue
            label = choice_label(c.option)
            self.out.append(CondPageBreak(48))
            self.block(
                [
                    *_bi_runs(label, STYLE.value_bold, STYLE.value_bold, " / "),
                    Run(f" ({len(voters)})", STYLE.value),
                ],
                space_before=5,
                space_after=1,
            )
            self.out.append(self.name_columns(voters))

    def verification(self) -> None:
        self.out.append(CondPageBreak(200))
        self.heading("verification", L.VERIFICATION, 0)
        v = self.r.verification
        if v is None:
            self.block(_bi_runs(L.NOT_SEALED, STYLE.body, STYLE.body, " "))
            self.done()
            return
        self.block([Run(L.VERIFY_NOTE.km, STYLE.body)], align=Align.JUSTIFY, space_after=2)
        self.block([Run(L.VERIFY_NOTE.en, STYLE.body)], align=Align.JUSTIFY, space_after=8)
        rows: list[tuple[Bilingual, list[Run]]] = [
            (L.ALGORITHM, [Run(v.algorithm, STYLE.mono)]),
            (L.LOG_HEAD, [Run(v.log_head_hash, STYLE.mono)]),
        ]
        if v.log_head_seq is not None:
            rows.append((L.LOG_SEQ, [Run(str(v.log_head_seq), STYLE.mono)]))
        rows += [
            (L.SIGNATURE, [Run(v.seal_signature, STYLE.mono)]),
            (L.SERVER_KEY, [Run(v.server_public_key, STYLE.mono)]),
        ]
        self.out.append(self.key_values(rows, width=None, label_w=118.0))
        self.done()

    # -- tables

    def key_values(self, rows: list[tuple[Bilingual, list[Run]]], width: float | None, label_w: float = 150.0) -> Table:
        data = [
            [
                TextBlock(_bi_runs(label, STYLE.label, STYLE.label, " / "), self.ts),
                TextBlock(value, self.ts),
            ]
            for label, value in rows
        ]
        total = width or self.frame_width
        table = Table(
            data,
            colWidths=[label_w, total - label_w],
            hAlign="CENTER" if width else "LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.ts.fonts.text.name),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, Color(0.8, 0.8, 0.82)),
                ]
            )
        )
        return table

    def name_columns(self, persons: list[Person]) -> Table:
        cols = 3
        cells: list[Any] = []
        for p in persons:
            runs = self.name_runs(p, STYLE.small, STYLE.small.with_(color=_GREY))
            cells.append(TextBlock(runs, self.ts))
        while len(cells) % cols:
            cells.append("")
        data = [cells[i : i + cols] for i in range(0, len(cells), cols)]
        table = Table(data, colWidths=[self.frame_width / cols] * cols, hAlign="LEFT")
        shade = Color(0.95, 0.95, 0.96)
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.ts.fonts.text.name),  # no stray Helvetica
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]
        commands += [("BACKGROUND", (0, r), (-1, r), shade) for r in range(0, len(data), 2)]
        table.setStyle(TableStyle(commands))
        return table

    def run(self) -> Story:
        self.title_page()
        self.contents()
        self.done()  # front matter
        self.attendance()
        for item in self.r.agenda:
            self.item(item, 0)
        self.verification()
        return Story(self.out, self.toc_keys, self.units)


def build_story(record: SittingRecord, ts: Typesetter, tick: Callable[[], None], frame_width: float) -> Story:
    return _Builder(record, ts, tick, frame_width).run()
