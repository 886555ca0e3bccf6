"""The sitting record as an Akoma Ntoso 3.0 ``debate`` document.

``build_akn(record)`` returns UTF-8 XML that validates against the OASIS
LegalDocML schema (``standards/akoma-ntoso-3.0``, kept in the repository). The mapping:

- FRBR work / expression / manifestation URIs
  ``/akn/kh/debate/senate/2026-11-29/5``, ``…/khm@``, ``…/khm@/!main.xml``;
- every person is a ``TLCPerson`` (eId = person id), every role a
  ``TLCRole``, every group a ``TLCOrganization``;
- ``preface``: body, title, number, date, place, presiding officer, status;
- ``debateBody``: ``rollCall`` with the attendance, then one
  ``debateSection`` per agenda item (nested for sub-items) holding
  ``speech`` (``by``, ``as``, ``startTime``, ``endTime``, ``from``),
  ``narrative`` for procedural notes, and each division as a
  ``debateSection name="division"`` with its counts and, for a roll-call,
  the named lists as ``vote`` elements whose ``choice`` points at the count;
  ``adjournment`` for the closing time;
- ``meta/analysis/parliamentary``: per division a ``quorumVerification``
  and a ``voting`` with ``quorum``/``count`` values and ``@outcome``;
- ``meta/proprietary``: the verification block (log head hash, seal
  signature, server key) and who revised each speech's text (``revisions``,
  the accounts of the version history) in the Hemicycle namespace.

Speech status (draft / corrected / approved) is carried in ``@class``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from hansard._labels import (
    L,
    choice_label,
    date_en,
    date_km,
    division_kind_label,
    kind_label,
    outcome_label,
    result_label,
    time_hm,
)
from hansard._model import (
    AgendaItem,
    Bilingual,
    Division,
    DivisionKind,
    Person,
    ProceduralNote,
    SittingKind,
    SittingRecord,
    Speech,
)

__all__ = ["AKN_NS", "HEMICYCLE_NS", "build_akn", "work_uri"]

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
HEMICYCLE_NS = "urn:hemicycle:hansard:1"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_A = f"{{{AKN_NS}}}"
GUEST_ROLE = "role-guest"  # the TLCRole of a guest heard by the body (not a member)


def _slug(text: str) -> str:
    """An eId-safe token; Khmer letters and signs are kept, so Khmer-only
    options and roles stay distinct."""
    return re.sub(r"[^\w\u1780-\u17ff]+", "-", text.lower()).strip("-_") or "x"


# What XML 1.0 cannot carry (section 2.2): C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text safe for XML 1.0: the protocol refuses such characters at the edge; a record made
    before it did still exports, each one shown as U+FFFD instead of failing the whole sitting."""
    return _NOT_XML.sub("\ufffd", text)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _A + tag, {k.rstrip("_"): _xml(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _xml(text)
    return el


def _append_text(el: etree._Element, text: str) -> None:
    """Append text after el's last child (or inside el if it has none)."""
    if len(el):
        last = el[-1]
        last.tail = (last.tail or "") + _xml(text)
    else:
        el.text = (el.text or "") + _xml(text)


def work_uri(record: SittingRecord, country: str = "kh", actor: str = "senate") -> str:
    h = record.header
    body = actor if h.kind is SittingKind.PLENARY else f"{actor}-{h.kind.value.replace('_', '-')}"
    return f"/akn/{country}/debate/{body}/{h.date.isoformat()}/{h.number}"


class _Builder:
    def __init__(self, record: SittingRecord, country: str, actor: str) -> None:
        self.r = record
        self.country = country
        self.actor = actor
        self.persons = {p.id: p for p in record.persons}
        self.roles: dict[str, Bilingual] = {}
        self.groups: dict[str, str] = {}
        self.concepts: dict[str, str] = {}  # eId -> showAs
        for p in record.persons:
            self._role(p.role)
            self._group(p.group)
        for s in record.speeches():
            self._role(s.role)
            self._group(s.group)
        self.division_no = {d.id: n for n, d in enumerate(record.divisions(), start=1)}
        self.division_section: dict[str, str] = {}  # division id -> body eId
        self.division_parent: dict[str, str] = {}  # division id -> agenda item eId
        self.speech_n = 0

    # -- references

    def _role(self, role: Bilingual | None) -> str | None:
        if role is None or not (role.en or role.km):
            return None
        key = f"role-{_slug(role.en or role.km)}"
        self.roles.setdefault(key, role)
        return key

    def _group(self, group: str | None) -> str | None:
        if not group:
            return None
        key = f"org-{_slug(group)}"
        self.groups.setdefault(key, group)
        return key

    def _concept(self, name: str, show: str) -> str:
        eid = f"concept-{name}"
        self.concepts.setdefault(eid, show)
        return eid

    # -- document

    def build(self) -> bytes:
        root = etree.Element(_A + "akomaNtoso", nsmap={None: AKN_NS, "hz": HEMICYCLE_NS})
        debate = _el(root, "debate", name="hansard")
        meta = _el(debate, "meta")
        self.preface(debate)
        body = _el(debate, "debateBody")
        self.roll_call(body)
        for n, item in enumerate(self.r.agenda, start=1):
            self.item(body, item, f"dbsect_{n}")
        self.adjournment(body)
        self.conclusions(debate)
        self.meta(meta)  # last: it lists what the body referred to
        eids = root.xpath("//@eId")
        if len(eids) != len(set(eids)):
            clash = sorted({e for e in eids if eids.count(e) > 1})
            raise ValueError(f"person ids clash with generated Akoma Ntoso eIds: {clash}")
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))

    def meta(self, meta: etree._Element) -> None:
        h = self.r.header
        work = work_uri(self.r, self.country, self.actor)
        expr = f"{work}/khm@"
        day = h.date.isoformat()
        ident = _el(meta, "identification", source="#org-body")
        w = _el(ident, "FRBRWork")
        _el(w, "FRBRthis", value=f"{work}/!main")
        _el(w, "FRBRuri", value=work)
        _el(w, "FRBRdate", date=day, name="sitting")
        _el(w, "FRBRauthor", href="#org-body", as_="#akn-author")
        _el(w, "FRBRcountry", value=self.country)
        _el(w, "FRBRsubtype", value=h.kind.value)
        _el(w, "FRBRnumber", value=str(h.number))
        _el(w, "FRBRname", value=f"{kind_label(h.kind).en} {h.number}")
        e = _el(ident, "FRBRExpression")
        _el(e, "FRBRthis", value=f"{expr}/!main")
        _el(e, "FRBRuri", value=expr)
        _el(e, "FRBRdate", date=day, name="draft" if self.r.draft else "approval")
        _el(e, "FRBRauthor", href="#org-body", as_="#akn-editor")
        _el(e, "FRBRlanguage", language="khm")
        _el(e, "FRBRlanguage", language="eng")
        m = _el(ident, "FRBRManifestation")
        _el(m, "FRBRthis", value=f"{expr}/!main.xml")
        _el(m, "FRBRuri", value=f"{expr}.akn")
        _el(m, "FRBRdate", date=day, name="generation")
        _el(m, "FRBRauthor", href="#org-body", as_="#akn-editor")
        _el(m, "FRBRformat", value="application/akn+xml")

        divisions = list(self.r.divisions())
        if divisions:
            analysis = _el(meta, "analysis", source="#org-body")
            parl = _el(analysis, "parliamentary")
            for d in divisions:
                self.analysis(parl, d)

        refs = _el(meta, "references", source="#org-body")
        _el(
            refs,
            "TLCOrganization",
            eId="org-body",
            href=f"/ontology/organization/{self.country}/{self.actor}",
            showAs=h.body.en or h.body.km,
        )
        for key, group in self.groups.items():
            _el(refs, "TLCOrganization", eId=key, href=f"/ontology/organization/{self.country}/{key}", showAs=group)
        for p in self.r.persons:
            _el(
                refs,
                "TLCPerson",
                eId=p.id,
                href=f"/ontology/person/{self.country}/{self.actor}/{p.id}",
                showAs=_name(p),
            )
        _el(refs, "TLCRole", eId="akn-author", href="/ontology/role/akn/author", showAs="Author")
        _el(refs, "TLCRole", eId="akn-editor", href="/ontology/role/akn/editor", showAs="Editor")
        _el(refs, "TLCRole", eId="akn-presiding", href="/ontology/role/akn/presidingOfficer", showAs=L.PRESIDING.en)
        if self.r.attendance.guests:
            _el(refs, "TLCRole", eId=GUEST_ROLE, href=f"/ontology/role/{self.country}/guest",
                showAs=_both(L.GUEST, " / "))
        for key, role in self.roles.items():
            _el(refs, "TLCRole", eId=key, href=f"/ontology/role/{self.country}/{key}", showAs=_both(role, " / "))
        for key, show in self.concepts.items():
            _el(refs, "TLCConcept", eId=key, href=f"/ontology/concept/hemicycle/{key}", showAs=show)

        prop = _el(meta, "proprietary", source="#org-body")
        hz = etree.SubElement(prop, f"{{{HEMICYCLE_NS}}}record", draft=str(self.r.draft).lower())
        v = self.r.verification
        if v is not None:
            ver = etree.SubElement(hz, f"{{{HEMICYCLE_NS}}}verification", algorithm=v.algorithm)
            etree.SubElement(ver, f"{{{HEMICYCLE_NS}}}logHeadHash").text = v.log_head_hash
            if v.log_head_seq is not None:
                etree.SubElement(ver, f"{{{HEMICYCLE_NS}}}logHeadSeq").text = str(v.log_head_seq)
            etree.SubElement(ver, f"{{{HEMICYCLE_NS}}}sealSignature").text = v.seal_signature
            etree.SubElement(ver, f"{{{HEMICYCLE_NS}}}serverPublicKey").text = v.server_public_key
        revised = [sp for sp in self.r.speeches() if sp.revised_by]
        if revised:
            revisions = etree.SubElement(hz, f"{{{HEMICYCLE_NS}}}revisions")
            for sp in revised:
                speech = etree.SubElement(revisions, f"{{{HEMICYCLE_NS}}}speech", id=sp.id)
                for author in sp.revised_by:
                    etree.SubElement(speech, f"{{{HEMICYCLE_NS}}}revisedBy").text = author

    def analysis(self, parl: etree._Element, d: Division) -> None:
        n = self.division_no[d.id]
        section = self.division_section[d.id]
        q = d.quorum
        qv = _el(
            parl,
            "quorumVerification",
            eId=f"quorumVerification_{n}",
            href=f"#{section}",
            outcome="#"
            + self._concept(
                "quorumMet" if q.met else "quorumNotMet",
                "Quorum met" if q.met else "Quorum not met",
            ),
        )
        _el(
            qv,
            "quorum",
            eId=f"quorumVerification_{n}__quorum_1",
            value=str(q.required),
            refersTo="#" + self._concept("quorum", "Quorum"),
        )
        _el(
            qv,
            "count",
            eId=f"quorumVerification_{n}__count_1",
            value=str(q.present),
            refersTo="#" + self._concept("present", "Members present"),
        )
        outcome = outcome_label(d.outcome)
        voting = _el(
            parl,
            "voting",
            eId=f"voting_{n}",
            href=f"#{section}",
            refersTo=f"#{self.division_parent[d.id]}",
            outcome="#" + self._concept(d.outcome.value, outcome.en),
        )
        _el(
            voting,
            "quorum",
            eId=f"voting_{n}__quorum_1",
            value=str(q.required),
            refersTo="#" + self._concept("quorum", "Quorum"),
        )
        for c in d.counts:
            _el(
                voting,
                "count",
                eId=self.count_id(d, c.option),
                value=str(c.count),
                refersTo="#" + self._option(c.option),
            )
        _el(
            voting,
            "count",
            eId=f"voting_{n}__count_voted",
            value=str(d.voted),
            refersTo="#" + self._concept("voted", "Votes cast"),
        )
        _el(
            voting,
            "count",
            eId=f"voting_{n}__count_eligible",
            value=str(d.eligible),
            refersTo="#" + self._concept("eligible", "Members eligible to vote"),
        )

    def count_id(self, d: Division, option: str) -> str:
        return f"voting_{self.division_no[d.id]}__count_{_slug(option)}"

    def _option(self, option: str) -> str:
        return self._concept(f"option-{_slug(option)}", _both(choice_label(option), " / "))

    def preface(self, debate: etree._Element) -> None:
        h = self.r.header
        pre = _el(debate, "preface")
        p = _el(pre, "p", class_="body")
        _el(p, "docProponent", h.body.km, refersTo="#org-body").tail = " / "
        _el(p, "docProponent", h.body.en, refersTo="#org-body")
        p = _el(pre, "p", class_="title")
        _el(p, "docTitle", f"{L.TITLE.km} / {L.TITLE.en}")
        kind = kind_label(h.kind)
        p = _el(pre, "p", class_="sitting")
        p.text = _xml(f"{kind.km} / {kind.en} ")
        _el(p, "docNumber", str(h.number))
        if h.organ:
            _el(pre, "p", _both(h.organ, " / "), class_="organ")
        if h.session:
            _el(pre, "p", _both(h.session, " / "), class_="session")
        p = _el(pre, "p", class_="date")
        _el(p, "docDate", f"{date_km(h.date)} / {date_en(h.date)}", date=h.date.isoformat())
        p = _el(pre, "p", class_="place")
        _el(p, "location", _both(h.place, " / "), refersTo="#" + self._concept("place", h.place.en))
        p = _el(pre, "p", f"{L.PRESIDING.km} / {L.PRESIDING.en}: ", class_="presiding")
        chair = self.persons[h.presiding_officer_id]
        _el(p, "person", _name(chair), refersTo=f"#{chair.id}", as_="#akn-presiding")
        p = _el(pre, "p", class_="status")
        _el(p, "docStatus", _both(L.DRAFT, " / ") if self.r.draft else "approved")

    def roll_call(self, body: etree._Element) -> None:
        a = self.r.attendance
        rc = _el(body, "rollCall", eId="rollCall_1")
        _el(rc, "heading", _both(L.ATTENDANCE, " / "))
        for name, label, ids in (
            ("present", L.PRESENT, a.present),
            ("remote", L.REMOTE, a.remote),
            ("absent", L.ABSENT, a.absent),
            *((("guests", L.GUESTS, a.guests),) if a.guests else ()),
        ):
            sec = _el(rc, "debateSection", eId=f"rollCall_1__dbsect_{name}", name=name)
            _el(sec, "heading", f"{_both(label, ' / ')} ({len(ids)})")
            p = _el(sec, "p")
            self.person_list(p, (self.persons[i] for i in ids), f"rollCall_1__{name}",
                             GUEST_ROLE if name == "guests" else None)

    def person_list(self, p: etree._Element, persons: Iterable[Person], prefix: str, role: str | None = None) -> None:
        """Names, comma-separated; ``role`` (an eId of a TLCRole) says in what capacity they were there."""
        for n, person in enumerate(persons, start=1):
            if n > 1:
                _append_text(p, ", ")
            attrs = {"as_": f"#{role}"} if role else {}
            _el(p, "person", _name(person), eId=f"{prefix}__person_{n}", refersTo=f"#{person.id}", **attrs)

    def item(self, parent: etree._Element, item: AgendaItem, eid: str) -> None:
        sec = _el(parent, "debateSection", eId=eid, name="agendaItem")
        _el(sec, "num", item.number)
        _el(sec, "heading", _both(item.heading, " / "))
        subs = 0
        for e in item.in_order():
            if isinstance(e, AgendaItem):
                subs += 1
                self.item(sec, e, f"{eid}__dbsect_{subs}")
            elif isinstance(e, Speech):
                self.speech(sec, e)
            elif isinstance(e, ProceduralNote):
                self.note(sec, e)
            else:
                self.division(sec, e, eid)

    def speech(self, sec: etree._Element, s: Speech) -> None:
        self.speech_n += 1
        p = self.persons[s.speaker_id]
        attrs = {
            "eId": f"speech_{self.speech_n}",
            "by": f"#{p.id}",
            "startTime": s.start.isoformat(),
            "endTime": s.end.isoformat(),
            "class": s.status.value,
        }
        role = self._role(s.role or p.role)
        if role:
            attrs["as"] = f"#{role}"
        if s.point_of_order:
            sec = _el(sec, "pointOfOrder", eId=f"pointOfOrder_{self.speech_n}")
            _el(sec, "heading", _both(L.POINT_OF_ORDER, " / "))
        sp = _el(sec, "speech", **attrs)
        group = s.group if s.group is not None else p.group
        label = _name(p) + (f", {group}" if group else "")
        if s.role or p.role:
            label += ", " + _both(s.role or p.role or Bilingual("", ""), " / ")
        _el(sp, "from", label)
        for para in s.paragraphs or ("",):
            _el(sp, "p", para)

    def note(self, sec: etree._Element, n: ProceduralNote) -> None:
        for lang, text in (("km", n.text.km), ("en", n.text.en)):
            if not text:
                continue
            nar = _el(sec, "narrative")
            nar.set(_XML_LANG, lang)
            _el(nar, "recordedTime", time_hm(n.time), time=n.time.isoformat()).tail = _xml(" " + text)

    def division(self, sec: etree._Element, d: Division, item_eid: str) -> None:
        n = self.division_no[d.id]
        eid = f"{item_eid}__dbsect_division_{n}"
        self.division_section[d.id] = eid
        self.division_parent[d.id] = item_eid
        kind = division_kind_label(d.kind)
        div = _el(sec, "debateSection", eId=eid, name="division")
        _el(div, "num", str(n))
        _el(div, "heading", f"{L.DIVISION.en} {n} — {kind.en} / {L.DIVISION.km} — {kind.km}")
        p = _el(div, "p", f"{L.MOTION.en}: ", class_="motion")
        _el(p, "recordedTime", time_hm(d.time), time=d.time.isoformat()).tail = _xml(" " + _both(d.motion, " / "))
        summary = _el(div, "p", class_="counts")
        for i, c in enumerate(d.counts):
            if i:
                _append_text(summary, "; ")
            _append_text(summary, f"{_both(choice_label(c.option), ' / ')}: ")
            _el(
                summary,
                "quantity",
                str(c.count),
                eId=f"{eid}__qty_{_slug(c.option)}",
                normalized=str(c.count),
                refersTo="#" + self._option(c.option),
            )
        q = d.quorum
        _el(
            div,
            "p",
            f"{L.ELIGIBLE.en}: {d.eligible}; {L.VOTED.en}: {d.voted}; "
            f"{L.QUORUM.en}: {q.present} / {q.required} "
            f"({(L.QUORUM_MET if q.met else L.QUORUM_NOT_MET).en}); "
            f"{L.MAJORITY.en}: {d.majority_rule}",
            class_="tally",
        )
        p = _el(div, "p", f"{L.RESULT.en}: ", class_="result")
        outcome = outcome_label(d.outcome)
        _el(p, "outcome", _both(result_label(d), " / "), refersTo="#" + self._concept(d.outcome.value, outcome.en))
        if d.kind is DivisionKind.SECRET:
            _el(div, "p", _both(L.SECRET_NOTE, " "), class_="secret")
            return
        for c in d.counts:
            voters = [self.persons[v.person_id] for v in d.named_list if v.choice == c.option]
            if not voters:
                continue
            slug = _slug(c.option)
            lst = _el(div, "debateSection", eId=f"{eid}__dbsect_{slug}", name=c.option)
            _el(lst, "heading", f"{_both(choice_label(c.option), ' / ')} ({len(voters)})")
            p = _el(lst, "p")
            for i, person in enumerate(voters, start=1):
                if i > 1:
                    _append_text(p, ", ")
                _el(
                    p,
                    "vote",
                    _name(person),
                    eId=f"{eid}__dbsect_{slug}__vote_{i}",
                    by=f"#{person.id}",
                    choice=f"#{self.count_id(d, c.option)}",
                )

    def adjournment(self, body: etree._Element) -> None:
        closed = self.r.header.closed_at
        if closed is None:
            return
        adj = _el(body, "adjournment", eId="adjournment_1")
        p = _el(adj, "p", f"{L.CLOSED.km} / {L.CLOSED.en} ")
        _el(p, "recordedTime", time_hm(closed), time=closed.isoformat(), type="endEvent")

    def conclusions(self, debate: etree._Element) -> None:
        v = self.r.verification
        con = _el(debate, "conclusions")
        if v is None:
            _el(con, "p", _both(L.NOT_SEALED, " "), class_="verification")
            return
        _el(con, "p", L.VERIFY_NOTE.en, class_="verification")
        _el(con, "p", f"{L.LOG_HEAD.en}: {v.log_head_hash}", class_="logHeadHash")
        _el(con, "p", f"{L.SIGNATURE.en} ({v.algorithm}): {v.seal_signature}", class_="seal")
        _el(con, "p", f"{L.SERVER_KEY.en}: {v.server_public_key}", class_="serverKey")


def _name(p: Person) -> str:
    if p.name_km and p.name_latin:
        return f"{p.name_km} ({p.name_latin})"
    return p.name_km or p.name_latin


def _both(b: Bilingual, sep: str) -> str:
    if b.km and b.en and b.km != b.en:
        return f"{b.km}{sep}{b.en}"
    return b.km or b.en


def build_akn(record: SittingRecord, *, country: str = "kh", actor: str = "senate") -> bytes:
    """Akoma Ntoso 3.0 debate XML for ``record``, UTF-8 encoded."""
    return _Builder(record, country, actor).build()
