"""Sitting records for the Hansard tests: ``sample()``, small and
hand-written, with Khmer, English and mixed speeches and two divisions
(a roll-call with its named list, a secret ballot); and ``long_sitting()``,
a generated three-hour plenary for the size test."""

from __future__ import annotations

import datetime as dt
import random

from hansard.record import (
    AgendaItem,
    Attendance,
    Bilingual,
    Division,
    DivisionKind,
    Entry,
    NamedVote,
    OptionCount,
    Outcome,
    Person,
    ProceduralNote,
    Quorum,
    SittingHeader,
    SittingKind,
    SittingRecord,
    Speech,
    SpeechStatus,
    Verification,
)

ICT = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 11, 29)
SENATE = Bilingual("ព្រឹទ្ធសភានៃព្រះរាជាណាចក្រកម្ពុជា", "Senate of the Kingdom of Cambodia")
PLACE = Bilingual("សាលប្រជុំព្រឹទ្ធសភា ភ្នំពេញ", "Senate plenary hall, Phnom Penh")


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, tzinfo=ICT)


# Sentences the tests look for in the PDF and the XML.
KM_OPENING = (
    "សូមគោរពឯកឧត្តម លោកជំទាវ សមាជិកព្រឹទ្ធសភាទាំងអស់។ ថ្ងៃនេះ "
    "យើងជួបប្រជុំដើម្បីពិនិត្យ និងផ្តល់យោបល់លើសេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុ"
    "សម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧។"
)
KM_MINISTER = (
    "ខ្ញុំសូមថ្លែងអំណរគុណចំពោះព្រឹទ្ធសភា ដែលបានផ្តល់ឱកាសឱ្យរាជរដ្ឋាភិបាលបង្ហាញអំពី"
    "គោលនយោបាយថវិកាជាតិ។ ចំណូលសរុបត្រូវបានប៉ាន់ប្រមាណថានឹងកើនឡើងប្រមាណ ៨ ភាគរយ "
    "បើធៀបនឹងឆ្នាំមុន។"
)
KM_MINISTER_2 = "ការវិនិយោគលើវិស័យអប់រំ សុខាភិបាល និងហេដ្ឋារចនាសម្ព័ន្ធជនបទ នៅតែជាអាទិភាពចម្បងរបស់រាជរដ្ឋាភិបាល។"
MIXED = (
    "ខ្ញុំគាំទ្រសេចក្តីព្រាងច្បាប់នេះ ប៉ុន្តែសូមឱ្យក្រសួងពន្យល់បន្ថែមអំពី "
    "Digital Government Policy 2022-2035 និងកម្មវិធី e-Government ដែលមានថវិកាជាង ២០ លានដុល្លារ។"
)
EN_REPORT = (
    "Mr President, on behalf of the Commission on Economy, Finance, Banking and Audit, "
    "I report that the Commission examined the draft law in three meetings and "
    "recommends its adoption without amendment."
)
KM_DRAFT = "សូមអរគុណឯកឧត្តមប្រធាន។ ខ្ញុំមានសំណួរមួយអំពីការបែងចែកថវិកាសម្រាប់ខេត្តនានា ជាពិសេសខេត្តដែលរងផលប៉ះពាល់ពីគ្រោះទឹកជំនន់។"

PERSONS = (
    Person("sen-01", "សុខ វណ្ណា", "Sok Vanna", "CPP", Bilingual("ប្រធានព្រឹទ្ធសភា", "President of the Senate")),
    Person("sen-02", "ជា សុភាព", "Chea Sopheap", "CPP"),
    Person("sen-03", "ហេង ចាន់ធី", "Heng Chanthy", "CPP"),
    Person("sen-04", "លី សុខា", "Ly Sokha", "FUNCINPEC"),
    Person("sen-05", "ម៉ម បញ្ញា", "Mom Panha", "CPP"),
    Person("sen-06", "គឹម ស្រីពៅ", "Kim Sreypov", "KWP"),
    Person("sen-07", "ញឹម វិចិត្រ", "Nhim Vichet", "CPP"),
    Person("sen-08", "ពេជ្រ ចរិយា", "Pich Chariya", "CPP"),
    Person("sen-09", "អ៊ុំ សារ៉ាត", "Um Sarath", "FUNCINPEC"),
    Person("sen-10", "តាំង គឹមហួរ", "Taing Kimhour", "CPP"),
    Person("sen-11", "ស្រី រតនា", "Srey Rothana", "KWP"),
    Person("sen-12", "ឈឹម ណារី", "Chhim Neary", "CPP"),
    Person(
        "gov-mef",
        "អ៊ុក រ៉ាវី",
        "Ouk Ravy",
        "",
        Bilingual("រដ្ឋមន្ត្រីក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ", "Minister of Economy and Finance"),
    ),
)
MEMBERS = [p.id for p in PERSONS if p.id.startswith("sen-")]

ROLL_CALL_CHOICES = {
    "sen-01": "yes",
    "sen-02": "yes",
    "sen-03": "yes",
    "sen-04": "no",
    "sen-05": "yes",
    "sen-06": "abstain",
    "sen-07": "yes",
    "sen-08": "yes",
    "sen-09": "yes",
    "sen-10": "yes",
    "sen-12": "yes",
}


def sample(draft: bool = True, sealed: bool = True) -> SittingRecord:
    status_draft = SpeechStatus.DRAFT if draft else SpeechStatus.APPROVED
    status_corr = SpeechStatus.CORRECTED if draft else SpeechStatus.APPROVED
    approved = SpeechStatus.APPROVED
    roll_call = Division(
        id="vote-1",
        motion=Bilingual(
            "អនុម័តសេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុសម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧ ទាំងស្រុង",
            "That the Draft Law on Finance for Management Year 2027 be adopted as a whole",
        ),
        kind=DivisionKind.ROLL_CALL,
        time=at(11, 2),
        counts=(OptionCount("yes", 9), OptionCount("no", 1), OptionCount("abstain", 1)),
        eligible=12,
        voted=11,
        quorum=Quorum(required=9, present=11, met=True),
        majority_rule="Absolute majority",
        outcome=Outcome.ADOPTED,
        named_list=tuple(NamedVote(pid, c) for pid, c in ROLL_CALL_CHOICES.items()),
    )
    secret = Division(
        id="vote-2",
        motion=Bilingual(
            "ជ្រើសតាំង លោកជំទាវ គឹម ស្រីពៅ ជាសមាជិកគណៈកម្មការសិទ្ធិមនុស្ស",
            "That Kim Sreypov be elected a member of the Commission on Human Rights",
        ),
        kind=DivisionKind.SECRET,
        time=at(11, 40),
        counts=(OptionCount("yes", 8), OptionCount("no", 2), OptionCount("abstain", 1)),
        eligible=12,
        voted=11,
        quorum=Quorum(required=9, present=11, met=True),
        majority_rule="Simple majority",
        outcome=Outcome.ADOPTED,
    )
    agenda = (
        AgendaItem(
            "1",
            Bilingual("ការបើកសម័យប្រជុំ និងការអនុម័តរបៀបវារៈ", "Opening and adoption of the agenda"),
            entries=(
                ProceduralNote(at(9, 0), Bilingual("សម័យប្រជុំត្រូវបានបើក", "The sitting was opened")),
                Speech("turn-1", "sen-01", at(9, 1), at(9, 4), KM_OPENING, approved),
                ProceduralNote(
                    at(9, 5),
                    Bilingual("របៀបវារៈត្រូវបានអនុម័តដោយគ្មានការជំទាស់", "The agenda was agreed to"),
                ),
            ),
        ),
        AgendaItem(
            "2",
            Bilingual(
                "សេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុសម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧",
                "Draft Law on Finance for Management Year 2027",
            ),
            entries=(ProceduralNote(at(9, 6), Bilingual("ចំណុចទី២ ត្រូវបានលើកមកពិភាក្សា", "Item 2 taken up")),),
            items=(
                AgendaItem(
                    "2.1",
                    Bilingual("របាយការណ៍របស់គណៈកម្មការ", "Report of the Commission"),
                    entries=(Speech("turn-2", "sen-02", at(9, 7), at(9, 15), EN_REPORT, approved),),
                ),
                AgendaItem(
                    "2.2",
                    Bilingual("ការពិភាក្សាទូទៅ", "General debate"),
                    entries=(
                        Speech(
                            "turn-3",
                            "gov-mef",
                            at(9, 16),
                            at(9, 40),
                            f"{KM_MINISTER}\n\n{KM_MINISTER_2}",
                            status_corr,
                        ),
                        Speech("turn-4", "sen-06", at(9, 41), at(9, 50), MIXED, approved),
                        Speech("turn-5", "sen-09", at(9, 51), at(10, 0), KM_DRAFT, status_draft),
                    ),
                ),
                AgendaItem(
                    "2.3",
                    Bilingual("ការបោះឆ្នោតលើសេចក្តីព្រាងច្បាប់ទាំងស្រុង", "Vote on the draft law"),
                    entries=(
                        roll_call,
                        ProceduralNote(
                            at(11, 3),
                            Bilingual(
                                "លទ្ធផលនៃការបោះឆ្នោត៖ សេចក្តីព្រាងច្បាប់ត្រូវបានអនុម័ត",
                                "Vote result: the draft law was adopted",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        AgendaItem(
            "3",
            Bilingual("ការជ្រើសតាំងសមាជិកគណៈកម្មការ", "Election to the Commission on Human Rights"),
            entries=(
                secret,
                ProceduralNote(at(11, 41), Bilingual("លទ្ធផល៖ បានជ្រើសតាំង", "Vote result: elected")),
                ProceduralNote(at(11, 45), Bilingual("សម័យប្រជុំត្រូវបានបិទ", "The sitting was closed")),
            ),
        ),
    )
    return SittingRecord(
        header=SittingHeader(
            body=SENATE,
            kind=SittingKind.PLENARY,
            number=5,
            date=DAY,
            place=PLACE,
            presiding_officer_id="sen-01",
            opened_at=at(9, 0),
            closed_at=at(11, 45),
            session=Bilingual("នីតិកាលទី៥ សម័យប្រជុំលើកទី៧", "Fifth legislature, seventh session"),
        ),
        persons=PERSONS,
        attendance=Attendance(
            present=tuple(m for m in MEMBERS if m not in ("sen-11", "sen-12")),
            remote=("sen-12",),
            absent=("sen-11",),
        ),
        agenda=agenda,
        verification=Verification(
            log_head_hash="9f2c" * 16,
            seal_signature="5a17e0c3" * 16,
            server_public_key="d75a9801" * 8,
            log_head_seq=1234,
        )
        if sealed
        else None,
        draft=draft,
    )


# ------------------------------------------------------------ a long sitting

_KM_WORDS = (
    "ព្រឹទ្ធសភា រដ្ឋសភា ច្បាប់ សេចក្តីព្រាង ថវិកា ជាតិ ការអភិវឌ្ឍ សេដ្ឋកិច្ច សង្គម ប្រជាជន "
    "ពលរដ្ឋ ខេត្ត ក្រុង ស្រុក ឃុំ សង្កាត់ ភូមិ អប់រំ សុខាភិបាល កសិកម្ម ផ្លូវ ស្ពាន ទឹក "
    "អគ្គិសនី ការងារ យុវជន ស្ត្រី កុមារ ចាស់ជរា ជនពិការ គោលនយោបាយ រាជរដ្ឋាភិបាល ក្រសួង "
    "រដ្ឋមន្ត្រី សមាជិក គណៈកម្មការ ប្រធាន អនុប្រធាន កិច្ចប្រជុំ របៀបវារៈ សំណើ វិសោធនកម្ម "
    "មាត្រា ជំពូក អនុម័ត ពិនិត្យ ពិភាក្សា គាំទ្រ ជំទាស់ សំណួរ ចម្លើយ របាយការណ៍ ឆ្នាំ ខែ "
    "ចំណូល ចំណាយ ពន្ធ វិនិយោគ ឯកជន សាធារណៈ សេវា ឌីជីថល បច្ចេកវិទ្យា ព័ត៌មាន តម្លាភាព "
    "គណនេយ្យភាព ប្រសិទ្ធភាព ការគ្រប់គ្រង ធនធាន មនុស្ស បរិស្ថាន ព្រៃឈើ ទន្លេ សមុទ្រ ទេសចរណ៍ "
    "វប្បធម៌ ប្រពៃណី សន្តិភាព ស្ថិរភាព សុវត្ថិភាព យុត្តិធម៌ សិទ្ធិ សេរីភាព កាតព្វកិច្ច អាទិភាព "
    "គម្រោង កម្មវិធី យុទ្ធសាស្ត្រ ផែនការ គោលដៅ លទ្ធផល វឌ្ឍនភាព បញ្ហា ដំណោះស្រាយ "
    "កិច្ចសហប្រតិបត្តិការ អន្តរជាតិ តំបន់ ពាណិជ្ជកម្ម នាំចេញ នាំចូល ផលិតកម្ម ឧស្សាហកម្ម "
    "សហគ្រាស ឥណទាន ធនាគារ ហិរញ្ញវត្ថុ ទីផ្សារ តម្លៃ ប្រាក់ខែ មន្ត្រី រាជការ កំណែទម្រង់ "
    "រដ្ឋបាល មូលដ្ឋាន និង នៃ ដែល បាន នឹង ត្រូវ សម្រាប់ ដើម្បី ក្នុង លើ ពី ជាមួយ ទាំងអស់ "
    "ច្រើន បន្ថែម ថ្មី សំខាន់ ពិសេស ផងដែរ"
).split()
_EN_WORDS = (
    "the senate government budget law draft commission province district commune "
    "education health agriculture roads bridges water electricity employment youth women "
    "children elderly policy ministry member president report year revenue expenditure tax "
    "investment private public service digital technology information transparency "
    "accountability efficiency management resources environment forest river tourism culture "
    "peace stability security justice rights freedom priority project programme strategy plan "
    "target result progress problem solution cooperation international regional trade export "
    "import production industry enterprise credit bank finance market price salary reform "
    "administration and of that has will must for to in on from with all many more new "
    "important especially also"
).split()


def _km_sentence(rng: random.Random, words: list[int]) -> str:
    n = rng.randint(8, 18)
    words[0] += n
    phrases: list[str] = []
    cur: list[str] = []
    for _ in range(n):
        cur.append(rng.choice(_KM_WORDS))
        if len(cur) >= rng.randint(3, 7):
            phrases.append("".join(cur))
            cur = []
    if cur:
        phrases.append("".join(cur))
    return " ".join(phrases) + "។"


def _en_sentence(rng: random.Random, words: list[int]) -> str:
    n = rng.randint(10, 24)
    words[0] += n
    text = " ".join(rng.choice(_EN_WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def long_sitting(
    speeches: int = 200, words: int = 30_000, votes: int = 20, members: int = 62, seed: int = 7
) -> tuple[SittingRecord, int]:
    """A three-hour plenary: returns the record and its word count."""
    rng = random.Random(seed)
    persons = [
        Person(
            f"m{i:03d}",
            f"{rng.choice(_KM_WORDS)} {rng.choice(_KM_WORDS)}",
            f"Member {i:03d}",
            rng.choice(["CPP", "FUNCINPEC", "KWP"]),
        )
        for i in range(1, members + 1)
    ]
    ids = [p.id for p in persons]
    per_speech = words // speeches
    counted = [0]
    t = at(8, 0)
    items: list[AgendaItem] = []
    per_item = speeches // votes
    n_speech = 0
    for v in range(votes):
        entries: list[Entry] = [ProceduralNote(t, Bilingual(f"ចំណុចទី{v + 1} ត្រូវបានលើកមកពិភាក្សា", f"Item {v + 1}"))]
        for _ in range(per_item):
            n_speech += 1
            khmer = rng.random() < 0.7
            target = counted[0] + per_speech
            sentences: list[str] = []
            while counted[0] < target:
                sentences.append(_km_sentence(rng, counted) if khmer else _en_sentence(rng, counted))
            paras = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
            start = t
            t += dt.timedelta(seconds=50)
            entries.append(
                Speech(
                    f"t{n_speech}",
                    rng.choice(ids),
                    start,
                    t,
                    "\n\n".join(paras),
                    rng.choice(list(SpeechStatus)),
                )
            )
        t += dt.timedelta(seconds=10)
        voters = [i for i in ids if rng.random() < 0.9]
        secret = v % 2 == 1
        named = tuple(NamedVote(i, rng.choice(["yes", "yes", "no", "abstain"])) for i in voters)
        counts = tuple(OptionCount(o, sum(1 for n in named if n.choice == o)) for o in ("yes", "no", "abstain"))
        yes = counts[0].count
        entries.append(
            Division(
                f"v{v + 1}",
                Bilingual(f"សំណើទី{v + 1}", f"Motion {v + 1}"),
                DivisionKind.SECRET if secret else DivisionKind.ROLL_CALL,
                t,
                counts,
                members,
                len(voters),
                Quorum(44, len(voters), len(voters) >= 44),
                "Absolute majority",
                Outcome.ADOPTED if yes > members // 2 else Outcome.REJECTED,
                () if secret else named,
            )
        )
        items.append(AgendaItem(str(v + 1), Bilingual(f"ចំណុចរបៀបវារៈទី{v + 1}", f"Agenda item {v + 1}"), tuple(entries)))
    record = SittingRecord(
        header=SittingHeader(SENATE, SittingKind.PLENARY, 6, DAY, PLACE, ids[0], at(8, 0), t),
        persons=tuple(persons),
        attendance=Attendance(present=tuple(ids[:-3]), remote=(ids[-3],), absent=tuple(ids[-2:])),
        agenda=tuple(items),
        verification=Verification("ab" * 32, "cd" * 64, "ef" * 32),
        draft=True,
    )
    return record, counted[0]
