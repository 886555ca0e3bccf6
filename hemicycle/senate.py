"""The demo Senate: 62 members with Khmer names and their Latin spelling.

The names are composed from common Khmer family and given names; they are
not the real senators. Groups follow the chamber's make-up: elected party
seats, two members appointed by the King and two elected by the National
Assembly.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILY = [
    ("សុខ", "Sok"), ("ជា", "Chea"), ("កែវ", "Keo"), ("ហេង", "Heng"), ("លី", "Ly"),
    ("ទេព", "Tep"), ("យឹម", "Yim"), ("សេង", "Seng"), ("ចាន់", "Chan"), ("គង់", "Kong"),
    ("ប៉ែន", "Pen"), ("ម៉ម", "Mam"), ("ឯក", "Ek"), ("ញ៉ែម", "Nhem"), ("ខៀវ", "Khieu"),
    ("ពេជ្រ", "Pich"), ("ឈឹម", "Chhim"), ("អ៊ុំ", "Um"), ("ស៊ិន", "Sin"), ("ណុប", "Nob"),
    ("ហ៊ួត", "Huot"),
]
GIVEN = [
    ("សុភា", "Sophea"), ("ដារ៉ា", "Dara"), ("វណ្ណា", "Vanna"), ("សុវណ្ណ", "Sovann"),
    ("ចន្ធូ", "Chanthou"), ("រតនា", "Rattana"), ("បុប្ផា", "Bopha"), ("សម្បត្តិ", "Sambath"),
    ("វិចិត្រ", "Vichet"), ("ពិសី", "Pisey"), ("សុខា", "Sokha"), ("ធារី", "Theary"),
    ("រិទ្ធី", "Rithy"), ("មករា", "Makara"), ("សុផល", "Sophal"), ("ច័ន្ទធី", "Chanthy"),
    ("វិសាល", "Visal"), ("សារ៉ន", "Saran"), ("ណារី", "Nary"), ("បញ្ញា", "Panha"),
    ("ស្រីមុំ", "Sreymom"), ("គឹមហុង", "Kimhong"), ("សុធា", "Sotheara"),
]
GROUPS = (
    [("CPP", 55), ("KWP", 3), ("APPOINTED", 2), ("NA-ELECTED", 2)]
)


@dataclass(frozen=True)
class Senator:
    member_id: str
    name_km: str
    name_latin: str
    group: str
    pin: str
    seat: str


def senators(count: int = 62) -> list[Senator]:
    """A deterministic roster: the same names and PINs on every run."""
    groups = [g for g, n in GROUPS for _ in range(n)]
    out = []
    for i in range(count):
        fam_km, fam_la = FAMILY[i % len(FAMILY)]
        giv_km, giv_la = GIVEN[(i * 7) % len(GIVEN)]
        out.append(
            Senator(
                member_id=f"m{i + 1:03d}",
                name_km=f"{fam_km} {giv_km}",
                name_latin=f"{fam_la} {giv_la}",
                group=groups[i % len(groups)],
                pin=f"{(i * 7919 + 1234) % 10000:04d}",
                seat=f"S{i + 1:03d}",
            )
        )
    return out


PLENARY_AGENDA = [
    ("i1", None, "ការអនុម័តរបៀបវារៈ", "Adoption of the agenda"),
    ("i2", None, "សេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុសម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧",
     "Draft Law on the Financial Management for 2027"),
    ("i2.1", "i2", "ការពិភាក្សាទូទៅ", "General debate"),
    ("i2.2", "i2", "ការបោះឆ្នោតលើសេចក្តីព្រាងច្បាប់ទាំងមូល", "Vote on the draft law as a whole"),
    ("i3", None, "សេចក្តីព្រាងច្បាប់ស្តីពីពាណិជ្ជកម្មអេឡិចត្រូនិក",
     "Draft Law on Electronic Commerce"),
    ("i4", None, "សេចក្តីព្រាងច្បាប់ស្តីពីការការពារទិន្នន័យផ្ទាល់ខ្លួន",
     "Draft Law on Personal Data Protection"),
    ("i5", None, "បញ្ហាផ្សេងៗ", "Any other business"),
]

COMMISSION_AGENDA = [
    ("c1", None, "ការពិនិត្យសេចក្តីព្រាងច្បាប់ស្តីពីពាណិជ្ជកម្មអេឡិចត្រូនិក",
     "Examination of the Draft Law on Electronic Commerce"),
    ("c2", None, "សវនាការរដ្ឋមន្ត្រី", "Hearing of the Minister"),
]

# What simulated members say: the demo has no microphones, so the simulator
# stands in for the recorder with these texts (engine "scripted").
SPEECHES = [
    "សូមគោរពឯកឧត្តមប្រធាន។ ខ្ញុំសូមគាំទ្រសេចក្តីព្រាងច្បាប់នេះ ព្រោះវាជួយពង្រឹងការគ្រប់គ្រងហិរញ្ញវត្ថុសាធារណៈ។",
    "Mr President, the committee studied the draft law with care, and we ask the Senate to adopt it.",
    "ខ្ញុំមានការព្រួយបារម្ភអំពីមាត្រា ១២ ដែលមិនទាន់ច្បាស់លាស់អំពីការត្រួតពិនិត្យថវិកាថ្នាក់ក្រោមជាតិ។",
    "On a point of order: the amendment was circulated only this morning, in Khmer and in English.",
    "យើងត្រូវធានាថាប្រព័ន្ធពាណិជ្ជកម្មអេឡិចត្រូនិកការពារទិន្នន័យផ្ទាល់ខ្លួនរបស់ប្រជាពលរដ្ឋ។",
    "I thank the Minister for the answers and I will vote in favour of the text as amended.",
    "សូមអរគុណឯកឧត្តមប្រធាន។ គណៈកម្មការទី៩ បានពិនិត្យ និងឯកភាពលើខ្លឹមសារ e-commerce នេះ។",
    "The Senate has a duty to review every law with care; paperless sittings make that faster.",
]
