"""The fixed words of a Hansard in Khmer and English, and Khmer dates.

Labels follow the usage of the Cambodian chambers' published minutes
(កំណត់ហេតុ, កូរ៉ុម, គាំទ្រ / មិនគាំទ្រ / អនុប្បវាទ).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from hansard._model import Bilingual, Division, DivisionKind, Outcome, SittingKind, SpeechStatus

__all__ = [
    "L",
    "choice_label",
    "date_en",
    "date_km",
    "division_kind_label",
    "khmer_digits",
    "kind_label",
    "outcome_label",
    "result_label",
    "status_label",
    "time_hm",
    "zone_label",
]

_KM_DIGITS: Final = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_KM_MONTHS: Final = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
_KM_WEEKDAYS: Final = ("ចន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍", "អាទិត្យ")


class L:
    """Fixed labels; each is Bilingual(km, en)."""

    MOTTO_KINGDOM = Bilingual("ព្រះរាជាណាចក្រកម្ពុជា", "Kingdom of Cambodia")
    MOTTO = Bilingual("ជាតិ សាសនា ព្រះមហាក្សត្រ", "Nation Religion King")
    TITLE = Bilingual("កំណត់ហេតុនៃកិច្ចប្រជុំ", "Official Record of Proceedings")
    CONTENTS = Bilingual("មាតិកា", "Contents")
    ATTENDANCE = Bilingual("វត្តមានសមាជិក", "Attendance")
    PRESENT = Bilingual("វត្តមាន", "Present")
    REMOTE = Bilingual("ចូលរួមពីចម្ងាយ", "Taking part remotely")
    ABSENT = Bilingual("អវត្តមាន", "Absent")
    GUESTS = Bilingual("ភ្ញៀវកិត្តិយស", "Guests")
    GUEST = Bilingual("ភ្ញៀវកិត្តិយស", "Guest")
    PRESIDING = Bilingual("ដឹកនាំដោយ", "Presiding")
    PLACE = Bilingual("ទីកន្លែង", "Place")
    OPENED = Bilingual("បើកនៅម៉ោង", "Opened at")
    TIMES = Bilingual("ម៉ោង", "Times")
    POINT_OF_ORDER = Bilingual("បញ្ហាបទបញ្ជា", "Point of order")
    CLOSED = Bilingual("បិទនៅម៉ោង", "Closed at")
    NOT_CLOSED = Bilingual("មិនទាន់បិទ", "not yet closed")
    DRAFT = Bilingual("សេចក្តីព្រាង — មិនទាន់អនុម័ត", "DRAFT — not yet approved")
    DRAFT_DETAIL = Bilingual(
        "កំណត់ហេតុនេះមិនទាន់ត្រូវបានអនុម័តទេ។",
        "This record has not yet been approved. Speeches marked in the margin "
        "are machine drafts or clerk corrections awaiting approval.",
    )
    PENDING = Bilingual("សុន្ទរកថាមិនទាន់អនុម័ត", "speeches not yet approved")
    DIVISION = Bilingual("ការបោះឆ្នោត", "Division")
    MOTION = Bilingual("សំណើ", "Motion")
    ELIGIBLE = Bilingual("មានសិទ្ធិបោះឆ្នោត", "Eligible")
    VOTED = Bilingual("បានបោះឆ្នោត", "Voted")
    QUORUM = Bilingual("កូរ៉ុម", "Quorum")
    QUORUM_MET = Bilingual("គ្រប់កូរ៉ុម", "met")
    QUORUM_NOT_MET = Bilingual("មិនគ្រប់កូរ៉ុម", "not met")
    REQUIRED = Bilingual("ត្រូវការ", "required")
    MAJORITY = Bilingual("មតិភាគច្រើន", "Majority")
    RESULT = Bilingual("លទ្ធផល", "Result")
    NAMED_LIST = Bilingual("បញ្ជីឈ្មោះអ្នកបោះឆ្នោត", "Named list")
    SECRET_NOTE = Bilingual(
        "ការបោះឆ្នោតសម្ងាត់ — គ្មានបញ្ជីឈ្មោះ។",
        "Secret ballot — no names are recorded.",
    )
    VERIFICATION = Bilingual("ការផ្ទៀងផ្ទាត់", "Verification")
    VERIFY_NOTE = Bilingual(
        "កំណត់ហេតុនេះត្រូវបានបិទត្រាដោយខ្សែសង្វាក់ហាស់នៃព្រឹត្តិការណ៍នៃកិច្ចប្រជុំ។",
        "This record is sealed to the hash chain of the sitting's event log. "
        "Anyone can re-check the chain, the ballots and the tallies offline "
        "with `hemicycle verify`.",
    )
    NOT_SEALED = Bilingual(
        "មិនទាន់បិទត្រា។",
        "Not yet sealed: the seal is added when the sitting's log is closed.",
    )
    LOG_HEAD = Bilingual("ហាស់ចុងក្រោយនៃកំណត់ត្រា", "Log head hash")
    LOG_SEQ = Bilingual("លេខលំដាប់", "Log head sequence")
    SIGNATURE = Bilingual("ហត្ថលេខាបិទត្រា", "Seal signature")
    SERVER_KEY = Bilingual("សោសាធារណៈរបស់ម៉ាស៊ីនមេ", "Server public key")
    ALGORITHM = Bilingual("ក្បួនដោះស្រាយ", "Algorithm")
    PAGE = Bilingual("ទំព័រ", "Page")
    SITTING_NO = Bilingual("លើកទី", "No.")


def khmer_digits(text: str) -> str:
    return text.translate(_KM_DIGITS)


def date_km(d: dt.date) -> str:
    return khmer_digits(f"ថ្ងៃ{_KM_WEEKDAYS[d.weekday()]} ទី{d.day} ខែ{_KM_MONTHS[d.month - 1]} ឆ្នាំ{d.year}")


def date_en(d: dt.date) -> str:
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


def zone_label(zone: str, at: dt.datetime) -> str:
    """The hall's zone, said once: "Asia/Phnom_Penh (UTC+07:00)"."""
    offset = at.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{zone} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


def time_hm(t: dt.datetime) -> str:
    return t.strftime("%H:%M")


def kind_label(kind: SittingKind) -> Bilingual:
    return {
        SittingKind.PLENARY: Bilingual("កិច្ចប្រជុំពេញអង្គ", "Plenary sitting"),
        SittingKind.STANDING_COMMITTEE: Bilingual("កិច្ចប្រជុំគណៈកម្មាធិការអចិន្ត្រៃយ៍", "Standing Committee meeting"),
        SittingKind.COMMISSION: Bilingual("កិច្ចប្រជុំគណៈកម្មការ", "Commission meeting"),
    }[kind]


def division_kind_label(kind: DivisionKind) -> Bilingual:
    return {
        DivisionKind.ROLL_CALL: Bilingual("ដោយចំហ និងកត់ឈ្មោះ", "Roll-call vote"),
        DivisionKind.SECRET: Bilingual("ជាសម្ងាត់", "Secret ballot"),
    }[kind]


def outcome_label(outcome: Outcome) -> Bilingual:
    return {
        Outcome.ADOPTED: Bilingual("អនុម័ត", "Adopted"),
        Outcome.REJECTED: Bilingual("មិនអនុម័ត", "Rejected"),
        Outcome.TIE: Bilingual("សំឡេងស្មើគ្នា", "Tie"),
        Outcome.NO_QUORUM: Bilingual("មិនគ្រប់កូរ៉ុម", "No quorum"),
        Outcome.ELECTED: Bilingual("ជាប់ឆ្នោត", "Elected"),
        Outcome.NOT_ELECTED: Bilingual("គ្មានបេក្ខជនជាប់ឆ្នោត", "No candidate elected"),
    }[outcome]


def result_label(d: Division) -> Bilingual:
    """The result in full: the outcome, and for an election whom it elected with how many votes."""
    outcome = outcome_label(d.outcome)
    if d.elected is None:
        return outcome
    n = d.count(d.elected)
    return Bilingual(f"{outcome.km}៖ {d.elected} ({n} សំឡេង)", f"{outcome.en}: {d.elected} ({n} votes)")


def status_label(status: SpeechStatus) -> Bilingual:
    return {
        SpeechStatus.DRAFT: Bilingual("សេចក្តីព្រាង", "draft"),
        SpeechStatus.CORRECTED: Bilingual("បានកែ", "corrected"),
        SpeechStatus.APPROVED: Bilingual("បានអនុម័ត", "approved"),
    }[status]


_CHOICES: Final = {
    "yes": Bilingual("គាំទ្រ", "Yes"),
    "for": Bilingual("គាំទ្រ", "For"),
    "no": Bilingual("មិនគាំទ្រ", "No"),
    "against": Bilingual("មិនគាំទ្រ", "Against"),
    "abstain": Bilingual("អនុប្បវាទ", "Abstain"),
    "abstention": Bilingual("អនុប្បវាទ", "Abstain"),
}


def choice_label(option: str) -> Bilingual:
    """Known ballot options get both languages; others print as given."""
    return _CHOICES.get(option.lower(), Bilingual(option, option))
