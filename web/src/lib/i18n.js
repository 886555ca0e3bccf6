// Every string the apps show, in Khmer and English; numbers, dates and times in the chosen language.
// Chromium builds without Khmer locale data in ICU, so Khmer digits, months and weekdays are done here.

const KEY = "hemicycle.lang";
const listeners = new Set();
let lang = localStorage.getItem(KEY) === "en" ? "en" : "km";

export const STRINGS = {
  // chrome
  "app.seat": ["កៅអីសមាជិក", "Member's seat"],
  "app.remote": ["សមាជិកពីចម្ងាយ", "Remote member"],
  "app.chair": ["តុប្រធានអង្គប្រជុំ", "Presiding console"],
  "app.display": ["អេក្រង់សាលប្រជុំ", "Hall display"],
  "app.clerk": ["លេខាធិការដ្ឋាន", "Clerk's workstation"],
  "lang.switch": ["English", "ខ្មែរ"],
  "lang.switch.label": ["Switch to English", "ប្តូរទៅភាសាខ្មែរ"],
  "large.text": ["អក្សរធំ", "Large text"],
  "conn.online": ["បានភ្ជាប់", "Connected"],
  "conn.connecting": ["កំពុងភ្ជាប់…", "Connecting…"],
  "conn.offline": ["ដាច់ការតភ្ជាប់ — កំពុងព្យាយាមឡើងវិញ", "Offline — reconnecting"],
  "conn.idle": ["មិនទាន់ភ្ជាប់", "Not connected yet"],
  "conn.refused": ["ឧបករណ៍មិនត្រូវបានទទួលស្គាល់", "Device not recognised"],
  "conn.label": ["ស្ថានភាពការតភ្ជាប់", "Connection"],
  "colon": ["៖ ", ": "],
  "close": ["បិទ", "Close"],
  "cancel": ["បោះបង់", "Cancel"],
  "loading": ["កំពុងផ្ទុក…", "Loading…"],
  "none": ["គ្មាន", "None"],
  "sending": ["កំពុងផ្ញើ…", "Sending…"],
  "waiting.connection": ["កំពុងរង់ចាំការតភ្ជាប់ ដើម្បីផ្ញើ…", "Waiting for the connection to send…"],
  "notice": ["សេចក្តីជូនដំណឹង", "Notice"],
  "toast.close": ["បិទសារ", "Dismiss"],
  "no.secure": [
    "ទំព័រនេះត្រូវការការតភ្ជាប់សុវត្ថិភាព (HTTPS ឬ localhost) ដើម្បីបង្កើតកូនសោឧបករណ៍។",
    "This page needs a secure connection (HTTPS or localhost) to make the device key.",
  ],
  "no.ed25519": [
    "កម្មវិធីរុករកនេះមិនគាំទ្រហត្ថលេខា Ed25519 ទេ។",
    "This browser cannot make Ed25519 signatures.",
  ],

  // pairing
  "pair.title": ["ផ្គូផ្គងឧបករណ៍នេះ", "Pair this device"],
  "pair.code": ["លេខកូដផ្គូផ្គង", "Pairing code"],
  "pair.give": [
    "សូមប្រាប់លេខកូដនេះទៅលេខាធិការ។ លេខាធិការនឹងចុះបញ្ជីឧបករណ៍នេះ។",
    "Give this code to the clerk, who will enrol this device.",
  ],
  "pair.waiting": ["កំពុងរង់ចាំការចុះបញ្ជី…", "Waiting for enrolment…"],
  "pair.making": ["កំពុងបង្កើតកូនសោឧបករណ៍…", "Making the device key…"],
  "pair.key.note": [
    "កូនសោឯកជនរបស់ឧបករណ៍នេះ មិនចេញពីឧបករណ៍នេះឡើយ។",
    "This device's private key never leaves it.",
  ],
  "pair.again": ["ផ្គូផ្គងម្តងទៀត", "Pair again"],
  "pair.refused": [
    "ម៉ាស៊ីនមេមិនទទួលស្គាល់ឧបករណ៍នេះទេ (អាចត្រូវបានដកហូត)។",
    "The hall server does not accept this device (it may have been revoked).",
  ],
  "device": ["ឧបករណ៍", "Device"],
  "pair.revoked": [
    "ឧបករណ៍នេះត្រូវបានដកហូត ហើយបានចាកចេញពីសម័យប្រជុំ។",
    "This device has been revoked and has left the sitting.",
  ],
  "route.here": ["សាលប្រជុំបញ្ជូនមកទីនេះ", "The hall sends you here"],

  // sittings
  "sitting": ["សម័យប្រជុំ", "Sitting"],
  "sitting.choose": ["ជ្រើសរើសសម័យប្រជុំ", "Choose a sitting"],
  "sitting.none": ["មិនទាន់មានសម័យប្រជុំទេ", "No sitting yet"],
  "sitting.change": ["ប្តូរសម័យប្រជុំ", "Change sitting"],
  "status.scheduled": ["មិនទាន់បើក", "Not yet open"],
  "status.open": ["កំពុងប្រជុំ", "In session"],
  "status.suspended": ["ផ្អាក", "Suspended"],
  "status.closed": ["បានបិទ", "Closed"],
  "status.cancelled": ["បានលុបចោល", "Cancelled"],
  "body.plenary": ["សម័យប្រជុំពេញអង្គ", "Plenary"],
  "body.standing_committee": ["គណៈកម្មាធិការអចិន្ត្រៃយ៍", "Standing Committee"],
  "body.commission": ["គណៈកម្មការ", "Commission"],
  "sitting.show.all": ["បង្ហាញសម័យប្រជុំដែលបានបិទ និងសាកល្បងផងដែរ", "Show closed and simulated sittings too"],
  "sitting.simulated": ["សាកល្បង", "Simulated"],
  "guest.minister": ["រដ្ឋមន្ត្រី", "Minister"],
  "guest.expert": ["អ្នកជំនាញ", "Expert"],
  "guest.staff": ["មន្ត្រីអគ្គលេខាធិការដ្ឋាន", "Secretariat staff"],

  // agenda
  "agenda": ["របៀបវារៈ", "Agenda"],
  "agenda.current": ["ចំណុចកំពុងពិភាក្សា", "Current item"],
  "agenda.none.current": ["មិនទាន់មានចំណុចកំពុងពិភាក្សា", "No item taken up yet"],
  "item.pending": ["មិនទាន់ពិភាក្សា", "Pending"],
  "item.current": ["កំពុងពិភាក្សា", "Current"],
  "item.done": ["បានបញ្ចប់", "Done"],
  "documents": ["ឯកសារ", "Documents"],
  "documents.none": ["គ្មានឯកសារសម្រាប់ចំណុចនេះ", "No documents for this item"],
  "document.open": ["អានឯកសារ", "Read document"],
  "document.viewer": ["កម្មវិធីអានឯកសារ", "Document viewer"],
  "notes": ["កំណត់ចំណាំផ្ទាល់ខ្លួន", "Private notes"],
  "notes.help": [
    "មានតែអ្នកទេដែលឃើញ។ រក្សាទុកនៅម៉ាស៊ីនមេ ក្រៅកំណត់ត្រាសាធារណៈ ហើយតាមអ្នកទៅគ្រប់ថេប្លេតដែលអ្នកចុះវត្តមាន។",
    "Only you see them. Kept on the hall server, outside the public record, and they follow you to any tablet you check in at.",
  ],
  "notes.saved": ["បានរក្សាទុក", "Saved"],
  "notes.saving": ["កំពុងរក្សាទុក…", "Saving…"],
  "notes.failed": ["មិនទាន់រក្សាទុកបាន — នឹងព្យាយាមម្តងទៀត", "Not saved yet — will try again"],
  // the document viewer (pdf.js)
  "viewer.loading": ["កំពុងបើកឯកសារ…", "Opening the document…"],
  "viewer.failed": ["មិនអាចបើកឯកសារនេះបានទេ", "This document could not be opened"],
  "viewer.tools": ["ឧបករណ៍អានឯកសារ", "Document tools"],
  "viewer.page": ["ទំព័រ", "Page"],
  "viewer.page.number": ["លេខទំព័រ", "Page number"],
  "viewer.prev": ["ទំព័រមុន", "Previous page"],
  "viewer.next": ["ទំព័របន្ទាប់", "Next page"],
  "viewer.thumbs": ["រូបតូចៗនៃទំព័រ", "Page thumbnails"],
  "viewer.zoom.in": ["ពង្រីក", "Zoom in"],
  "viewer.zoom.out": ["បង្រួម", "Zoom out"],
  "viewer.fit": ["ពេញទទឹង", "Fit width"],
  "viewer.full": ["ពេញអេក្រង់", "Full screen"],
  "viewer.close": ["បិទឯកសារ", "Close the document"],
  "viewer.follow": ["តាមទំព័ររបស់អ្នកថ្លែង", "Follow the speaker's page"],
  "viewer.follow.short": ["តាមអ្នកថ្លែង", "Follow"],
  "viewer.present": ["បង្ហាញលើអេក្រង់សាល", "Show on the hall display"],
  "viewer.present.short": ["បង្ហាញក្នុងសាល", "On display"],
  "shown.now": ["កំពុងបង្ហាញក្នុងសាល", "Shown in the hall"],
  "shown.follow": ["តាមទំព័រក្នុងសាល", "Follow the hall's page"],
  "shown.stop": ["ឈប់បង្ហាញ", "Stop showing"],
  "shown.present": ["បង្ហាញ", "Show"],
  "show.item": ["បង្ហាញចំណុចនេះ", "Show this item"],

  // attendance
  "checkin": ["ចុះវត្តមាន", "Check in"],
  "checkin.title": ["ចុះវត្តមាននៅកៅអីនេះ", "Check in at this seat"],
  "checkin.member": ["ឈ្មោះសមាជិក", "Member"],
  "checkin.choose": ["— ជ្រើសរើសឈ្មោះ —", "— choose your name —"],
  "checkin.pin": ["លេខសម្ងាត់ (PIN)", "PIN"],
  "checkin.done": ["បានចុះវត្តមាន", "Checked in"],
  "checkout": ["ចាកចេញពីកៅអី", "Check out"],
  "seat.label": ["កៅអី", "Seat"],
  "attendance": ["វត្តមាន", "Attendance"],
  "present": ["មានវត្តមាន", "Present"],
  "remote": ["ពីចម្ងាយ", "Remote"],
  "members": ["សមាជិក", "Members"],
  "quorum": ["កូរ៉ុម", "Quorum"],
  "quorum.met": ["គ្រប់កូរ៉ុម", "Quorum met"],
  "quorum.missing": ["មិនគ្រប់កូរ៉ុម", "No quorum"],
  "quorum.needed": ["ត្រូវការ", "needed"],

  // floor
  "floor": ["សិទ្ធិនិយាយ", "The floor"],
  "floor.request": ["សុំសិទ្ធិនិយាយ", "Request the floor"],
  "floor.withdraw": ["ដកការស្នើសុំវិញ", "Withdraw my request"],
  "floor.point_of_order": ["បញ្ហាបទបញ្ជាផ្ទៃក្នុង", "Point of order"],
  "floor.stop.self": ["បញ្ចប់ការនិយាយ", "Finish speaking"],
  "floor.place": ["លំដាប់របស់អ្នក", "Your place"],
  "floor.place.of": ["លេខ {n} ក្នុងចំណោម {total}", "{n} of {total}"],
  "floor.you.speak": ["អ្នកកំពុងនិយាយ", "You have the floor"],
  "floor.not.listed": ["អ្នកមិនទាន់ស្ថិតក្នុងបញ្ជីទេ", "You are not on the list"],
  "floor.checkin.first": ["សូមចុះវត្តមានជាមុនសិន ដើម្បីសុំសិទ្ធិនិយាយ។", "Check in first to ask for the floor."],
  "floor.chair.only": ["មានតែប្រធានទេដែលបើកមីក្រូ", "Only the chair opens microphones"],
  "floor.not_open.scheduled": ["សម័យប្រជុំមិនទាន់បើក", "The sitting is not open yet"],
  "floor.not_open.suspended": ["សម័យប្រជុំត្រូវបានផ្អាក", "The sitting is suspended"],
  "floor.not_open.closed": ["សម័យប្រជុំបានបិទ", "The sitting is closed"],
  "sitting.closed.now": ["សម័យប្រជុំនេះបានបិទហើយ។", "This sitting is closed."],
  "sitting.next": ["ទៅសម័យប្រជុំបន្ទាប់", "Go to the next sitting"],
  "speaking": ["កំពុងនិយាយ", "Speaking"],
  "speaking.none": ["គ្មាននរណាកំពុងនិយាយ", "Nobody is speaking"],
  "time.left": ["ពេលនៅសល់", "Time left"],
  "spoken.total": ["សរុប", "In all"],
  "speaking.time": ["រយៈពេលនិយាយ", "Speaking time"],
  "time.over": ["ហួសពេល", "Over time"],
  "time.nolimit": ["គ្មានកំណត់ពេល", "No time limit"],
  "queue": ["បញ្ជីអ្នកសុំនិយាយ", "Speakers' list"],
  "queue.empty": ["បញ្ជីទទេ", "The list is empty"],
  "queue.next": ["អ្នកបន្ទាប់", "Next"],
  "speech.contribution": ["មតិយោបល់", "Contribution"],
  "speech.pro": ["គាំទ្រ", "For"],
  "speech.contra": ["ប្រឆាំង", "Against"],
  "speech.reply": ["ឆ្លើយតប", "Reply"],
  "speech.point_of_order": ["បញ្ហាបទបញ្ជាផ្ទៃក្នុង", "Point of order"],

  // votes
  "vote": ["ការបោះឆ្នោត", "Vote"],
  "vote.open.now": ["កំពុងបោះឆ្នោត", "Vote in progress"],
  "vote.choose": ["សូមជ្រើសរើស", "Choose"],
  "vote.confirm.q": ["បញ្ជាក់ការបោះឆ្នោតរបស់អ្នក៖", "Confirm your vote:"],
  "vote.confirm": ["បញ្ជាក់", "Confirm"],
  "vote.back": ["ត្រឡប់ក្រោយ", "Back"],
  "vote.recorded": ["សន្លឹកឆ្នោតរបស់អ្នកត្រូវបានកត់ត្រា", "Your ballot is recorded"],
  "vote.your.choice": ["ជម្រើសរបស់អ្នក", "Your choice"],
  "vote.receipt": ["បង្កាន់ដៃ", "Receipt"],
  "vote.change": ["ប្តូរជម្រើស", "Change my vote"],
  "vote.not.eligible": [
    "អ្នកមិនអាចបោះឆ្នោតលើការបោះឆ្នោតនេះទេ (មិនមានវត្តមាននៅពេលបើក)។",
    "You cannot take part in this vote (not present when it opened).",
  ],
  "vote.checkin.first": ["សូមចុះវត្តមានជាមុនសិន ដើម្បីបោះឆ្នោត។", "Check in first to vote."],
  "vote.progress": ["បានបោះឆ្នោត {voted} / {eligible}", "Voted {voted} of {eligible}"],
  "vote.closed.wait": ["ការបោះឆ្នោតបានបិទ — រង់ចាំលទ្ធផល", "The vote is closed — result to follow"],
  "vote.result": ["លទ្ធផលនៃការបោះឆ្នោត", "Result of the vote"],
  "vote.named": ["បញ្ជីឈ្មោះ", "Roll-call list"],
  "vote.kind.roll_call": ["បោះឆ្នោតចំហ (បង្ហាញឈ្មោះ)", "Roll-call (named)"],
  "vote.kind.secret": ["បោះឆ្នោតសម្ងាត់", "Secret ballot"],
  "vote.signed": ["ចុះហត្ថលេខាលើឧបករណ៍នេះ", "Signed on this device"],
  "choice.yes": ["យល់ព្រម", "Yes"],
  "choice.no": ["មិនយល់ព្រម", "No"],
  "choice.abstain": ["អនុប្បវាទ", "Abstain"],
  "outcome.adopted": ["អនុម័ត", "Adopted"],
  "outcome.rejected": ["មិនអនុម័ត", "Rejected"],
  "outcome.tie": ["សំឡេងស្មើគ្នា", "Tie"],
  "outcome.no_quorum": ["មិនគ្រប់កូរ៉ុម", "No quorum"],
  "outcome.elected": ["ជាប់ឆ្នោត", "Elected"],
  "outcome.not_elected": ["គ្មានបេក្ខជនជាប់ឆ្នោត", "No candidate elected"],
  "presiding": ["ដឹកនាំដោយ", "Presiding"],
  "vote.question": ["សំណួរ", "Question"],
  "question.motion": ["សំណើ (គាំទ្រ មិនគាំទ្រ អនុប្បវាទ)", "Motion (yes, no, abstain)"],
  "question.election": ["ការបោះឆ្នោតជ្រើសរើស", "Election"],
  "vote.candidates": ["បេក្ខជន (ម្នាក់មួយបន្ទាត់ សម្រាប់ការបោះឆ្នោតជ្រើសរើស)", "Candidates (an election: one per line)"],
  "sitting.other.day": ["ព្រមាន៖ អង្គប្រជុំនេះគ្រោងធ្វើនៅ {scheduled} មិនមែនថ្ងៃនេះ ({today}) ទេ។", "Warning: this sitting is scheduled for {scheduled}, not today ({today})."],
  "vote.needs": ["ត្រូវការ {n} សំឡេងគាំទ្រ", "Needs {n} yes"],
  "vote.needs.votes": ["ត្រូវការ {n} សំឡេង", "Needs {n} votes"],
  "vote.needs.all_members": ["ត្រូវការ {n} សំឡេងគាំទ្រ ក្នុងចំណោមសមាជិក {m} រូប", "Needs {n} yes of {m} members"],
  "vote.needs.votes.all_members": ["ត្រូវការ {n} សំឡេង ក្នុងចំណោមសមាជិក {m} រូប", "Needs {n} votes of {m} members"],
  "vote.needs.present": ["ត្រូវការ {n} សំឡេងគាំទ្រ ក្នុងចំណោមសមាជិកមានវត្តមាន {m} រូប", "Needs {n} yes of {m} present"],
  "vote.needs.votes.present": ["ត្រូវការ {n} សំឡេង ក្នុងចំណោមសមាជិកមានវត្តមាន {m} រូប", "Needs {n} votes of {m} present"],
  "vote.needs.cast": ["ត្រូវការសំឡេងគាំទ្រច្រើនជាងសំឡេងមិនគាំទ្រ", "Needs more yes than no"],
  "vote.needs.cast.half": ["ត្រូវការសំឡេងលើសពាក់កណ្តាលនៃសំឡេងដែលបានបោះ", "Needs more than half of the votes cast"],
  "vote.needs.cast.more": ["ត្រូវការសំឡេងលើសពី {f} នៃសំឡេងដែលបានបោះ", "Needs more than {f} of the votes cast"],
  "vote.needs.cast.least": ["ត្រូវការយ៉ាងតិច {f} នៃសំឡេងដែលបានបោះ", "Needs at least {f} of the votes cast"],
  "vote.more": ["ជម្រើសផ្សេងទៀត (សំណួរ រយៈពេល ការផ្លាស់ប្តូរ)", "More options (question, time, changes)"],
  "vote.show.for": ["បង្ហាញលើអេក្រង់", "Show on the display"],
  "vote.show.until": ["រហូតដល់លុប", "until cleared"],
  "vote.clear": ["ដកលទ្ធផលចេញពីអេក្រង់", "Clear from the display"],
  "vote.cleared": ["បានដកចេញពីអេក្រង់", "Off the display"],
  "not.voted": ["មិនបានបោះឆ្នោត", "Did not vote"],
  "votes.history": ["ការបោះឆ្នោតមុនៗ", "Earlier votes"],

  // captions
  "captions": ["អត្ថបទផ្ទាល់", "Live captions"],
  "captions.none": ["មិនទាន់មានអត្ថបទ", "No captions yet"],

  // chair
  "chair.sitting": ["ដំណើរការសម័យប្រជុំ", "Run the sitting"],
  "sitting.open": ["បើកសម័យប្រជុំ", "Open the sitting"],
  "sitting.suspend": ["ផ្អាក", "Suspend"],
  "sitting.resume": ["បន្ត", "Resume"],
  "sitting.close": ["បិទសម័យប្រជុំ", "Close the sitting"],
  "sitting.close.confirm": ["បិទសម័យប្រជុំនេះមែនទេ?", "Close this sitting?"],
  "agenda.previous": ["ចំណុចមុន", "Previous item"],
  "agenda.next": ["ចំណុចបន្ទាប់", "Next item"],
  "agenda.takeup": ["លើកយកមកពិភាក្សា", "Take up"],
  "floor.grant.head": ["ផ្តល់សិទ្ធិឱ្យអ្នកបន្ទាប់", "Give the floor to the next speaker"],
  "floor.grant": ["ផ្តល់សិទ្ធិ", "Give floor"],
  "floor.stop": ["បិទមីក្រូ", "Close mic"],
  "floor.extend": ["បន្ថែម {min} នាទី", "+{min} min"],
  "floor.pause": ["ផ្អាក", "Pause"],
  "floor.resume": ["បន្ត", "Resume"],
  "list.close": ["បិទបញ្ជីអ្នកនិយាយ", "Close the list"],
  "list.reopen": ["បើកបញ្ជីអ្នកនិយាយវិញ", "Reopen the list"],
  "agenda.clear_list": ["សម្អាតបញ្ជីអ្នកនិយាយ ពេលប្តូររបៀបវារៈ", "Clear the speakers' list when the item changes"],
  "sitting.open.no_quorum": ["បើកសម័យប្រជុំ ដោយមិនគ្រប់កូរ៉ុម", "Open the sitting without quorum"],
  "vote.open.no_quorum": ["បើកការបោះឆ្នោត ដោយមិនគ្រប់កូរ៉ុម", "Open the vote without quorum"],
  "floor.remove": ["ដកចេញ", "Remove"],
  "floor.up": ["ឡើងលើ", "Move up"],
  "floor.down": ["ចុះក្រោម", "Move down"],
  "floor.drag": ["អូសដើម្បីប្តូរលំដាប់", "Drag to reorder"],
  "floor.add": ["ដាក់ក្នុងបញ្ជី", "Put on the list"],
  "floor.add.poo": ["ដាក់ជាបញ្ហាបទបញ្ជា", "Add as point of order"],
  "floor.add.member": ["បន្ថែមសមាជិក", "Add a member"],
  "mics": ["មីក្រូហ្វូន", "Microphones"],
  "mics.open": ["មីក្រូកំពុងបើក", "Open microphones"],
  "mics.mode": ["របៀបមីក្រូ", "Microphone mode"],
  "mics.max": ["មីក្រូបើកអតិបរមា", "Maximum open microphones"],
  "mics.apply": ["អនុវត្ត", "Apply"],
  "auto.cut": ["បិទមីក្រូហ្វូនដោយស្វ័យប្រវត្តិពេលអស់ម៉ោង", "Cut the microphone when time runs out"],
  "auto.cut.sitting": ["តាមការកំណត់នៃសម័យប្រជុំ", "As for the sitting"],
  "auto.cut.on": ["បិទ", "Cut"],
  "auto.cut.off": ["មិនបិទ", "Do not cut"],
  "item.limits": ["ដែនកំណត់សម្រាប់ចំណុចនេះ", "Limits for this item"],
  "item.speeches": ["ចំនួនសុន្ទរកថាអតិបរមាក្នុងមួយសមាជិក (០ = គ្មានដែនកំណត់)", "Speeches per member at most (0 = no cap)"],
  "mode.request_list": ["តាមបញ្ជីស្នើសុំ", "Request list"],
  "mode.chair_only": ["ប្រធានតែម្នាក់", "Chair only"],
  "mode.open_floor": ["បើកដោយសេរី", "Open floor"],
  "vote.prepare": ["រៀបចំការបោះឆ្នោត", "Prepare a vote"],
  "vote.template": ["គំរូ", "Template"],
  "tpl.law": ["អនុម័តសេចក្តីព្រាងច្បាប់", "Adopt the draft law"],
  "tpl.agenda": ["អនុម័តរបៀបវារៈ", "Adopt the agenda"],
  "tpl.custom": ["សំណើផ្សេង", "Custom motion"],
  "tpl.law.motion": ["អនុម័តលើ៖ {title}", "Adoption of: {title}"],
  "motion.km": ["សេចក្តីស្នើ (ខ្មែរ)", "Motion (Khmer)"],
  "motion.en": ["សេចក្តីស្នើ (អង់គ្លេស)", "Motion (English)"],
  "vote.kind": ["ប្រភេទ", "Kind"],
  "vote.majority": ["មតិភាគច្រើន", "Majority"],
  "majority.default": ["តាមបទបញ្ជា", "Rules default"],
  "majority.simple": ["ភាគច្រើនធម្មតា", "Simple majority"],
  "majority.absolute": ["ភាគច្រើនដាច់ខាត", "Absolute majority"],
  "majority.two_thirds": ["ពីរភាគបីនៃសមាជិកទាំងអស់", "Two-thirds of all members"],
  "majority.two_thirds_voting": ["ពីរភាគបីនៃអ្នកបោះឆ្នោត", "Two-thirds of those voting"],
  "vote.duration": ["រយៈពេល", "Timer"],
  "duration.none": ["រហូតដល់ប្រធានបិទ", "Until the chair closes it"],
  "vote.allow.change": ["អនុញ្ញាតឱ្យប្តូរជម្រើស", "Members may change their vote"],
  "vote.open": ["បើកការបោះឆ្នោត", "Open the vote"],
  "vote.close": ["បិទការបោះឆ្នោត", "Close the vote"],
  "vote.publish": ["ប្រកាសលទ្ធផល", "Publish the result"],
  "vote.published": ["បានប្រកាស", "Published"],
  "notice.post": ["ផ្ញើសេចក្តីជូនដំណឹង", "Post a notice"],
  "notice.text": ["អត្ថបទ", "Text"],
  "minutes": ["នាទី", "min"],

  // clerk
  "clerk.login": ["ចូលប្រព័ន្ធលេខាធិការដ្ឋាន", "Sign in to the clerk's workstation"],
  "clerk.token": ["និមិត្តសញ្ញាអ្នកគ្រប់គ្រង", "Admin token"],
  "clerk.token.help": [
    "បិទភ្ជាប់ម្តង។ វារក្សាទុកនៅលើកុំព្យូទ័រនេះ រហូតដល់អ្នកចុច «ចេញ»។",
    "Paste it once; it stays on this workstation until you sign out.",
  ],
  "clerk.signin": ["ចូល", "Sign in"],
  "clerk.account": ["ឈ្មោះគណនី", "Account name"],
  "clerk.password": ["ពាក្យសម្ងាត់", "Password"],
  "clerk.or.token": ["ឬចូលដោយនិមិត្តសញ្ញាអ្នកគ្រប់គ្រង (សម្រាប់បង្កើតគណនីដំបូង)", "Or sign in with the admin token (to add the first account)"],
  "clerk.signed.as": ["គណនី៖ ", "Signed in as "],
  "tab.accounts": ["គណនី", "Accounts"],
  "tab.audit": ["សវនកម្ម", "Audit"],
  "accounts.title": ["គណនីបុគ្គលិក", "Staff accounts"],
  "accounts.none": ["មិនទាន់មានគណនីទេ", "No accounts yet"],
  "accounts.add": ["បន្ថែមគណនី", "Add an account"],
  "accounts.added": ["បានបន្ថែមគណនី", "Account added"],
  "accounts.name": ["ឈ្មោះគណនី", "Account name"],
  "accounts.name.help": ["អក្សរឡាតាំងតូច លេខ . _ - (២ ដល់ ៣២ តួ) ចាប់ផ្តើមដោយអក្សរ", "Lower-case Latin letters, digits, . _ - (2 to 32), starting with a letter"],
  "accounts.password": ["ពាក្យសម្ងាត់", "Password"],
  "accounts.password.help": ["យ៉ាងតិច ១០ តួ", "At least 10 characters"],
  "accounts.roles": ["តួនាទី", "Roles"],
  "role.clerk.help": ["រៀបចំ និងដំណើរការសម័យប្រជុំ គណនី និងសវនកម្ម", "prepares and runs sittings, accounts and the audit"],
  "role.editor": ["អ្នកកែសម្រួលកំណត់ហេតុ", "Editor of the record"],
  "role.editor.help": ["កែតម្រូវ និងអនុម័តអត្ថបទកំណត់ហេតុ", "corrects and approves the transcript"],
  "role.operator": ["ប្រតិបត្តិករ", "Operator"],
  "role.operator.help": ["ផ្គូផ្គង និងដកហូតឧបករណ៍", "pairs and revokes devices"],
  "audit.title": ["កំណត់ហេតុសវនកម្ម", "Audit log"],
  "audit.help": ["ព្រឹត្តិការណ៍នីមួយៗក្នុងខ្សែសង្វាក់ hash ជាមួយអ្នកធ្វើ ថ្មីបំផុតមុនគេ", "Every event of the hash-chained log with its author, newest first"],
  "audit.stream": ["សម័យប្រជុំ", "Sitting"],
  "audit.registry": ["បញ្ជីចុះឈ្មោះ (សមាជិក និងឧបករណ៍)", "Registry (members and devices)"],
  "audit.author": ["អ្នកធ្វើ", "Author"],
  "audit.kind": ["ប្រភេទ", "Kind"],
  "audit.any": ["ទាំងអស់", "Any"],
  "audit.time": ["ម៉ោង", "Time"],
  "audit.hash": ["Hash", "Hash"],
  "audit.none": ["គ្មានព្រឹត្តិការណ៍ត្រូវនឹងតម្រងទេ", "No events match the filters"],
  "audit.chain.ok": ["ខ្សែសង្វាក់ hash ត្រឹមត្រូវ៖ បានពិនិត្យ {n} ព្រឹត្តិការណ៍", "Hash chain intact: {n} events checked"],
  "audit.chain.broken": ["ខ្សែសង្វាក់ hash ខូចនៅព្រឹត្តិការណ៍ #{seq}", "Hash chain broken at event #{seq}"],
  "clerk.signout": ["ចេញ", "Sign out"],
  "clerk.or.pair": ["ឬផ្គូផ្គងកុំព្យូទ័រនេះជាឧបករណ៍លេខាធិការ", "Or pair this workstation as a clerk device"],
  "tab.sittings": ["សម័យប្រជុំ", "Sittings"],
  "tab.members": ["សមាជិក", "Members"],
  "tab.devices": ["ឧបករណ៍", "Devices"],
  "tab.watch": ["តាមដាន", "Watch"],
  "sitting.create": ["បង្កើតសម័យប្រជុំ", "Create a sitting"],
  "sitting.id": ["លេខសម្គាល់", "Identifier"],
  "sitting.body": ["ស្ថាប័ន", "Body"],
  "sitting.number": ["លេខ", "Number"],
  "sitting.title.km": ["ចំណងជើង (ខ្មែរ)", "Title (Khmer)"],
  "sitting.title.en": ["ចំណងជើង (អង់គ្លេស)", "Title (English)"],
  "sitting.date": ["កាលបរិច្ឆេទ", "Date"],
  "sitting.place": ["ទីកន្លែង", "Place"],
  "sitting.rules": ["បទបញ្ជា", "Rules"],
  "rules.senate-plenary": ["សម័យប្រជុំពេញអង្គព្រឹទ្ធសភា", "Senate plenary"],
  "rules.senate-committee": ["គណៈកម្មការព្រឹទ្ធសភា", "Senate committee or commission"],
  "rules.body": ["— បទបញ្ជារបស់ស្ថាប័ន —", "— the body's rules —"],
  "rules.kind": ["— តាមប្រភេទស្ថាប័ន —", "— by the kind of body —"],
  "search.records": ["ស្វែងរកក្នុងកំណត់ហេតុ", "Search the records"],
  "search.words": ["ពាក្យ (យ៉ាងតិច ៣ តួអក្សរ)", "Words (3 letters at least)"],
  "search.go": ["ស្វែងរក", "Search"],
  "search.none": ["រកមិនឃើញ", "Nothing found"],
  "guests": ["ភ្ញៀវកិត្តិយស", "Guests"],
  "guest.add": ["បន្ថែមភ្ញៀវ", "Add a guest"],
  "floor.give.guest": ["ផ្តល់សិទ្ធិនិយាយដល់ភ្ញៀវ", "Give the guest the floor"],
  "guest.id": ["លេខសម្គាល់ភ្ញៀវ", "Guest identifier"],
  "guest.kind": ["ប្រភេទភ្ញៀវ", "Kind of guest"],
  "guest.name.km": ["ឈ្មោះ (ខ្មែរ)", "Name (Khmer)"],
  "guest.name.latin": ["ឈ្មោះ (អក្សរឡាតាំង)", "Name (Latin letters)"],
  "guest.title.km": ["មុខងារ (ខ្មែរ)", "Office (Khmer)"],
  "guest.title.en": ["មុខងារ (អង់គ្លេស)", "Office (English)"],
  "guest.item": ["សម្រាប់ចំណុច", "For item"],
  "guest.any.item": ["— គ្រប់ចំណុច —", "— any item —"],
  "bodies": ["ស្ថាប័ន និងសមាជិករបស់ខ្លួន", "Bodies and their members"],
  "body.pick": ["ស្ថាប័ន", "Body"],
  "body.new": ["— ស្ថាប័នថ្មី —", "— a new body —"],
  "body.id": ["លេខសម្គាល់ស្ថាប័ន", "Body identifier"],
  "body.kind": ["ប្រភេទ", "Kind"],
  "body.name.km": ["ឈ្មោះ (ខ្មែរ)", "Name (Khmer)"],
  "body.name.en": ["ឈ្មោះ (អង់គ្លេស)", "Name (English)"],
  "body.start": ["សមាជិកថ្មីចាប់ពីថ្ងៃ", "New members from"],
  "body.seated": ["សមាជិក", "Member"],
  "body.office": ["មុខតំណែង", "Office"],
  "body.save": ["រក្សាទុកស្ថាប័ន", "Save the body"],
  "body.saved": ["បានរក្សាទុកស្ថាប័ន ដែលមានសមាជិក {n} រូប", "Body saved with {n} members"],
  "office.president": ["ប្រធាន", "President"],
  "office.vice_president": ["អនុប្រធាន", "Vice-president"],
  "office.secretary": ["លេខាធិការ", "Secretary"],
  "item.add": ["បន្ថែមចំណុច", "Add an item"],
  // editing (issue 12)
  "save": ["រក្សាទុក", "Save"],
  "edit": ["កែ", "Edit"],
  "remove": ["លុប", "Remove"],
  "sitting.edit": ["កែសម័យប្រជុំនេះ", "Edit this sitting"],
  "sitting.frozen": ["សម័យប្រជុំនេះបានបិទ ឬលុបចោល៖ មិនអាចកែបានទៀតទេ។", "This sitting is closed or cancelled: it can no longer be edited."],
  "sitting.cancel": ["លុបចោលសម័យប្រជុំ", "Cancel the sitting"],
  "sitting.cancel.confirm": ["លុបចោលសម័យប្រជុំនេះមែនទេ? វានៅតែមានក្នុងកំណត់ត្រា។", "Cancel this sitting? It stays in the record as cancelled."],
  "agenda.move.help": [
    "អូសចំណុចមួយទៅលើពាក់កណ្តាលខាងលើនៃចំណុចមួយទៀត ដើម្បីដាក់ពីមុខវា ឬពាក់កណ្តាលខាងក្រោម ដើម្បីដាក់ក្រោមវា។ ប៊ូតុង ↑ ↓ ធ្វើដូចគ្នាដោយក្តារចុច។",
    "Drag an item onto the upper half of another to put it before, or the lower half to put it under it. The ↑ ↓ buttons do the same from the keyboard.",
  ],
  "agenda.drop.end": ["ទម្លាក់ទីនេះ ដើម្បីដាក់នៅចុងរបៀបវារៈ", "Drop here to put it at the end of the agenda"],
  "agenda.move.up": ["ឡើងលើ", "Move up"],
  "agenda.move.down": ["ចុះក្រោម", "Move down"],
  "item.remove.confirm": ["លុបចំណុច {id} ចេញពីរបៀបវារៈមែនទេ?", "Remove item {id} from the agenda?"],
  "item.status.pending": ["មិនទាន់ពិភាក្សា", "Not yet taken up"],
  "item.status.current": ["កំពុងពិភាក្សា", "Under discussion"],
  "item.status.done": ["បានពិភាក្សារួច", "Done"],
  "doc.replace": ["ជំនួសដោយកំណែថ្មី", "Replace with a new version"],
  "doc.replaced": ["កំណែថ្មីបានជំនួសកំណែចាស់", "The new version replaces the old one"],
  "doc.version": ["កំណែទី {n}", "version {n}"],
  "doc.earlier": ["ដាក់មុន", "Move earlier"],
  "doc.remove.confirm": ["ដកឯកសារ «{title}» ចេញមែនទេ?", "Remove the document “{title}”?"],
  "route.title": ["បញ្ជូនឧបករណ៍ទៅសម័យប្រជុំ", "Send devices to a sitting"],
  "route.help": [
    "កៅអី តុប្រធាន និងអេក្រង់ ទៅតាមសម័យប្រជុំដែលបានជ្រើស ភ្លាមៗ ដោយមិនចាំបាច់ផ្គូផ្គងម្តងទៀត។",
    "Seats, consoles and displays move to the chosen sitting at once, without pairing again.",
  ],
  "route.all": ["បញ្ជូនឧបករណ៍ទាំងអស់នៃសាលប្រជុំ", "Send all the hall's devices"],
  "route.picked": ["បញ្ជូនឧបករណ៍ដែលបានជ្រើស ({n})", "Send the ticked devices ({n})"],
  "route.done": ["ឧបករណ៍បានទៅតាមសម័យប្រជុំ", "The devices follow the sitting"],
  "route.pick": ["ជ្រើស", "Pick"],
  "route.next": ["បញ្ជូនសាលប្រជុំទៅសម័យប្រជុំបន្ទាប់", "Send the hall to the next sitting"],
  "route.sitting": ["បញ្ជូនទៅ", "Sent to"],
  "item.id": ["លេខសម្គាល់ចំណុច", "Item identifier"],
  "item.parent": ["ជាចំណុចរងនៃ", "Sub-item of"],
  "item.top": ["— ចំណុចធំ —", "— top level —"],
  "item.title.km": ["ចំណងជើង (ខ្មែរ)", "Title (Khmer)"],
  "item.title.en": ["ចំណងជើង (អង់គ្លេស)", "Title (English)"],
  "doc.upload": ["ផ្ទុកឯកសារ PDF ឡើង", "Upload a PDF"],
  "doc.title": ["ចំណងជើងឯកសារ", "Document title"],
  "doc.file": ["ឯកសារ PDF", "PDF file"],
  "doc.item": ["សម្រាប់ចំណុច", "For item"],
  "doc.attached": ["បានភ្ជាប់ឯកសារ", "Document attached"],
  "roster.import": ["នាំចូលបញ្ជីសមាជិកពី CSV ឬ Excel", "Import the roster from CSV or Excel"],
  "roster.csv.help": [
    "ជួរឈរ៖ member_id,name_km,name_latin,group,title_km,title_en,pin,card_id។ ជួរថ្មីត្រូវបន្ថែម ជួរដែលបានប្ដូរត្រូវកែ ក្រឡាទទេមិនប្ដូរអ្វីទេ។",
    "Columns: member_id,name_km,name_latin,group,title_km,title_en,pin,card_id. New rows add, changed rows update, blank cells change nothing.",
  ],
  "roster.csv.file": ["ឯកសារ CSV ឬ XLSX", "CSV or XLSX file"],
  "roster.csv.text": ["ឬបិទភ្ជាប់ CSV", "or paste the CSV"],
  "roster.import.go": ["នាំចូល", "Import"],
  "roster.imported": [
    "បន្ថែម {added} · កែ {updated} · មិនប្ដូរ {unchanged} · ជួរខុស {bad}",
    "Added {added} · updated {updated} · unchanged {unchanged} · bad rows {bad}",
  ],
  "roster.bad.row": ["ជួរទី {line}", "Line {line}"],
  "roster.new_pins": ["បង្កើតលេខសម្ងាត់ (PIN) សម្រាប់សមាជិកគ្រប់រូបដែលមិនទាន់មាន", "Make a PIN for every member without one"],
  "roster.new_pins.made": ["បានបង្កើតលេខសម្ងាត់ {count}", "{count} new PINs made"],
  "roster.sheet": ["បោះពុម្ពសន្លឹកលេខសម្ងាត់ (តែម្ដងគត់)", "Print the PIN sheet (once)"],
  "roster.sheet.taken": ["សន្លឹកលេខសម្ងាត់ត្រូវបានទាញយករួចហើយ ហើយម៉ាស៊ីនមេលែងរក្សាវាទៀតទេ។", "The PIN sheet was downloaded; the hall no longer keeps it."],
  "roster.list": ["សមាជិកដែលបានចុះបញ្ជី", "Registered members"],
  "group": ["ក្រុម", "Group"],
  "pairings.pending": ["ឧបករណ៍រង់ចាំការចុះបញ្ជី", "Devices waiting to be enrolled"],
  "pairings.none": ["គ្មានឧបករណ៍រង់ចាំ", "No device is waiting"],
  "enrol": ["ចុះបញ្ជី", "Enrol"],
  "enrol.role": ["តួនាទី", "Role"],
  "enrol.seat": ["កៅអី", "Seat"],
  // seating plans (lib/plan.js)
  "plan.title": ["ប្លង់កៅអី", "Seating plan"],
  "plan.seat": ["កៅអីលេខ {seat}", "Seat {seat}"],
  "plan.empty": ["ទំនេរ", "Empty"],
  "plan.present": ["មានវត្តមាន", "Present"],
  "plan.requested": ["បានស្នើសុំថ្លែង", "Asked to speak"],
  "plan.speaking": ["កំពុងថ្លែង", "Speaking"],
  "plan.voted": ["បានបោះឆ្នោត", "Voted"],
  "plan.remove": ["ចុចដើម្បីដកចេញ", "click to take it out"],
  "plan.taken": ["មានឧបករណ៍រួចហើយ", "Has a device"],
  "plan.rostrum": ["តុប្រធាន", "Chair"],
  "plan.gap": ["ចន្លោះទំនេរ ជួរ {row} ទីតាំង {column}៖ ចុចដើម្បីដាក់កៅអីវិញ", "Gap, row {row}, place {column}: click to put a seat back"],
  "tab.rooms": ["បន្ទប់ប្រជុំ", "Rooms"],
  "room.title": ["ប្លង់កៅអីនៃបន្ទប់ប្រជុំ", "A room's seating plan"],
  "room.choose": ["បន្ទប់", "Room"],
  "room.new": ["បន្ទប់ថ្មី", "New room"],
  "room.id": ["លេខសម្គាល់បន្ទប់", "Room id"],
  "room.name.km": ["ឈ្មោះ (ខ្មែរ)", "Name (Khmer)"],
  "room.name.en": ["ឈ្មោះ (អង់គ្លេស)", "Name (English)"],
  "room.shape": ["រាង", "Shape"],
  "shape.rows": ["ជួរត្រង់", "Straight rows"],
  "shape.hemicycle": ["អឌ្ឍរង្វង់", "Hemicycle"],
  "room.rows": ["ចំនួនជួរ", "Rows"],
  "room.columns": ["កៅអីក្នុងមួយជួរ", "Seats per row"],
  "room.numbering": ["របៀបដាក់លេខ", "Numbering"],
  "numbering.continuous": ["១, ២, ៣… ពីឆ្វេង", "1, 2, 3… from the left"],
  "numbering.continuous_right": ["១, ២, ៣… ពីស្តាំ", "1, 2, 3… from the right"],
  "numbering.row_seat": ["ជួរ-កៅអី (២-៥)", "Row-seat (2-5)"],
  "room.prefix": ["បុព្វបទ", "Prefix"],
  "room.seats": ["កៅអី {n}", "{n} seats"],
  "room.edit.help": ["ចុចលើកៅអីដើម្បីដកចេញ (ផ្លូវដើរ) ចុចលើចន្លោះដើម្បីដាក់វិញ។", "Click a seat to take it out (an aisle); click a gap to put it back."],
  "room.save": ["រក្សាទុកប្លង់", "Save the plan"],
  "room.saved": ["បានរក្សាទុកប្លង់", "Plan saved"],
  "sitting.room": ["បន្ទប់ (ប្លង់កៅអី)", "Room (seating plan)"],
  "enrol.pick": ["ជ្រើសកៅអីលើប្លង់", "Pick the seat on the plan"],
  "enrol.member": ["សមាជិក (ឧបករណ៍ផ្ទាល់ខ្លួន)", "Member (personal device)"],
  "enrol.label": ["ស្លាក", "Label"],
  "enrol.done": ["បានចុះបញ្ជីឧបករណ៍", "Device enrolled"],
  "devices.list": ["ឧបករណ៍ដែលបានចុះបញ្ជី", "Enrolled devices"],
  "revoke": ["ដកហូត", "Revoke"],
  "revoke.confirm": ["ដកហូតឧបករណ៍ {id} មែនទេ?", "Revoke device {id}?"],
  "revoked": ["បានដកហូត", "Revoked"],
  "role.seat": ["កៅអី", "Seat"],
  "role.remote": ["ពីចម្ងាយ", "Remote"],
  "role.chair": ["ប្រធាន", "Chair"],
  "role.clerk": ["លេខាធិការ", "Clerk"],
  "role.display": ["អេក្រង់", "Display"],
  "role.recorder": ["ម៉ាស៊ីនថត", "Recorder"],
  "watch.sitting": ["តាមដានសម័យប្រជុំ", "Watch the sitting"],
  "done": ["រួចរាល់", "Done"],
  "code": ["លេខកូដ", "Code"],
  "requested.at": ["ស្នើនៅ", "Requested at"],

  // the review of the record (Hansard)
  "tab.review": ["ពិនិត្យកំណត់ហេតុ", "Review"],
  "review.title": ["ពិនិត្យ និងកែតម្រូវកំណត់ហេតុ", "Review and correct the record"],
  "review.reload": ["ផ្ទុកឡើងវិញ", "Reload"],
  "review.stale": ["មានកំណត់ត្រាថ្មីចាប់តាំងពីផ្ទុកលើកមុន។", "New records have arrived since this was loaded."],
  "review.draft": ["សេចក្តីព្រាង", "Draft"],
  "review.final": ["ចុងក្រោយ", "Final"],
  "review.progress": ["បានអនុម័ត {n} ក្នុងចំណោម {total} សុន្ទរកថា", "{n} of {total} speeches approved"],
  "review.filter": ["បង្ហាញ", "Show"],
  "review.filter.all": ["ទាំងអស់", "All"],
  "review.filter.review": ["ត្រូវពិនិត្យ", "Needs review"],
  "review.filter.approved": ["បានអនុម័ត", "Approved"],
  "review.filter.empty": ["គ្មានសុន្ទរកថាសម្រាប់ការជ្រើសរើសនេះទេ", "No speech matches this choice"],
  "review.not.open": [
    "សម័យប្រជុំនេះមិនទាន់បើកនៅឡើយ ដូច្នេះមិនទាន់មានអ្វីត្រូវពិនិត្យទេ។",
    "This sitting has not been opened yet: there is nothing to review.",
  ],
  "review.failed": ["មិនអាចផ្ទុកកំណត់ហេតុបាន", "The record could not be loaded"],
  "review.quorum": ["កូរ៉ុម៖ ត្រូវការ {required} នាក់ មានវត្តមាន {present} នាក់", "Quorum: {required} needed, {present} present"],
  "review.note": ["កំណត់សម្គាល់នីតិវិធី", "Procedural note"],
  "seg.status.draft": ["សេចក្តីព្រាង", "Draft"],
  "seg.status.corrected": ["បានកែតម្រូវ", "Corrected"],
  "seg.status.approved": ["បានអនុម័ត", "Approved"],
  "review.machine": ["អត្ថបទពីម៉ាស៊ីន — ចុចលើពាក្យដើម្បីស្តាប់", "Machine text — select a word to hear it"],
  "review.machine.plain": ["អត្ថបទពីម៉ាស៊ីន", "Machine text"],
  "review.machine.draft": ["សេចក្តីព្រាងពីម៉ាស៊ីន", "Machine draft"],
  "review.low": ["ម៉ាស៊ីនមិនប្រាកដចំពោះពាក្យនេះ", "The machine was unsure of this word"],
  "review.editor": ["អត្ថបទកែតម្រូវ", "Corrected text"],
  "review.save": ["រក្សាទុកការកែតម្រូវ", "Save correction"],
  "review.type": ["រក្សាទុកអត្ថបទដែលបានវាយ", "Save typed text"],
  "review.type.turn": ["វាយ ឬបិទភ្ជាប់សុន្ទរកថានេះ", "Type or paste this speech"],
  "review.typed": ["បានវាយដោយស្មៀន", "Typed by the clerk"],
  "review.typed.done": ["បានរក្សាទុកអត្ថបទដែលបានវាយ", "Typed text saved"],
  "review.flag": ["គ្មានម៉ូដែលសម្រាប់ភាសានេះ ({lang}) ទេ៖ សូមវាយអត្ថបទសុន្ទរកថា", "No model writes this language ({lang}): type the speech"],
  "review.nothing": ["ម៉ាស៊ីនមិនបានឮពាក្យណាមួយទេ៖ វាយអត្ថបទ ប្រសិនបើមាន", "The machine heard no words: type the speech if there was one"],
  "review.approve": ["អនុម័ត", "Approve"],
  "review.saved": ["បានរក្សាទុកការកែតម្រូវ", "Correction saved"],
  "review.approved.done": ["បានអនុម័តអត្ថបទ", "Text approved"],
  "review.unsaved": ["មិនទាន់រក្សាទុក", "Not saved yet"],
  "review.history": ["ប្រវត្តិកំណែ ({n})", "History ({n} versions)"],
  "review.history.one": ["ប្រវត្តិកំណែ ({n})", "History (one version)"],
  "review.version": ["កំណែទី {n}", "Version {n}"],
  "review.by": ["ដោយ", "by"],
  "review.revised.by": ["កែសម្រួលដោយ", "revised by"],
  "review.no.transcript": ["មិនទាន់មានអត្ថបទសម្រាប់វេននិយាយនេះទេ", "No transcript for this turn yet"],
  "audio.label": ["សំឡេងនៃវេននិយាយ", "Audio of the turn"],
  "audio.play": ["ស្តាប់", "Play"],
  "audio.pause": ["ផ្អាក", "Pause"],
  "audio.back": ["ថយក្រោយ ៥ វិនាទី", "Back 5 seconds"],
  "audio.back.short": ["ថយ ៥ វិ", "Back 5 s"],
  "audio.position": ["ទីតាំងក្នុងសំឡេង", "Position in the audio"],
  "audio.loading": ["កំពុងផ្ទុកសំឡេង…", "Loading the audio…"],
  "audio.none": ["គ្មានការថតសំឡេង", "No recording"],
  "audio.error": ["មិនអាចចាក់សំឡេងបាន", "The audio cannot be played"],
  "export.title": ["ទាញយក", "Download"],
  "export.pdf": ["PDF", "PDF"],
  "export.akn": ["Akoma Ntoso XML", "Akoma Ntoso XML"],
  "export.json": ["JSON", "JSON"],
  "export.building": ["កំពុងរៀបចំ {fmt}…", "Preparing the {fmt}…"],
  "export.receiving": ["កំពុងទទួល {fmt}… {pct}%", "Receiving the {fmt}… {pct}%"],
  "export.done": ["បានទាញយក {name}", "Downloaded {name}"],

  // errors, by protocol code
  "err.malformed": ["សំណើមិនត្រឹមត្រូវ", "The request was not valid"],
  "err.unknown_command": ["ពាក្យបញ្ជាមិនស្គាល់", "Unknown command"],
  "err.too_large": ["ទិន្នន័យធំពេក", "Too large"],
  "err.unsupported_version": ["កំណែពិធីការមិនត្រូវគ្នា", "Protocol version mismatch"],
  "err.unauthenticated": ["មិនទាន់ផ្ទៀងផ្ទាត់អត្តសញ្ញាណ", "Not signed in"],
  "err.forbidden": ["អ្នកគ្មានសិទ្ធិធ្វើសកម្មភាពនេះ", "You may not do this"],
  "err.not_your_member": ["ឧបករណ៍នេះមិនអាចធ្វើសកម្មភាពជំនួសសមាជិកផ្សេង", "This device cannot act for another member"],
  "err.bad_credential": ["លេខសម្ងាត់មិនត្រឹមត្រូវ", "Wrong PIN"],
  "err.unknown_sitting": ["រកមិនឃើញសម័យប្រជុំ", "No such sitting"],
  "err.unknown_member": ["រកមិនឃើញសមាជិក", "No such member"],
  "err.unknown_item": ["រកមិនឃើញចំណុចរបៀបវារៈ", "No such agenda item"],
  "err.unknown_request": ["មិនស្ថិតក្នុងបញ្ជី", "Not on the list"],
  "err.unknown_device": ["រកមិនឃើញឧបករណ៍", "No such device"],
  "err.unknown_vote": ["រកមិនឃើញការបោះឆ្នោត", "No such vote"],
  "err.already_exists": ["មានរួចហើយ", "Already exists"],
  "err.invalid_state": ["មិនអាចធ្វើបានឥឡូវនេះ", "Not possible now"],
  "err.not_present": ["សមាជិកមិនទាន់ចុះវត្តមាន", "The member is not checked in"],
  "err.already_present": ["សមាជិកបានចុះវត្តមានរួចហើយ", "The member is already checked in"],
  "err.already_requested": ["មានក្នុងបញ្ជីរួចហើយ", "Already on the list"],
  "err.not_speaking": ["មីក្រូមិនបានបើកទេ", "No open microphone"],
  "err.mic_limit": ["ចំនួនមីក្រូបើកបានដល់កំណត់", "Microphone limit reached"],
  "err.quota_exhausted": ["ក្រុមបានប្រើពេលនិយាយអស់ហើយ", "The group's speaking time is used up"],
  "err.vote_closed": ["ការបោះឆ្នោតបានបិទហើយ", "The vote is closed"],
  "err.already_voted": ["អ្នកបានបោះឆ្នោតរួចហើយ", "You have already voted"],
  "err.bad_signature": ["ហត្ថលេខាមិនត្រឹមត្រូវ", "Bad signature"],
  "err.not_eligible": ["អ្នកមិនមានសិទ្ធិបោះឆ្នោតនេះទេ", "Not eligible for this vote"],
  "err.guest": ["ភ្ញៀវអាចនិយាយបាន ប៉ុន្តែមិនចុះវត្តមាន ឬបោះឆ្នោតទេ", "A guest may speak, but never checks in or votes"],
  "err.unknown_body": ["រកមិនឃើញស្ថាប័ន", "No such body"],
  "err.key_revoked": ["កូនសោឧបករណ៍នេះត្រូវបានដកហូត", "This device's key was revoked"],
  "err.replayed": ["សន្លឹកឆ្នោតនេះបានទទួលរួចហើយ", "This ballot was already received"],
  "err.conflict": ["ម៉ាស៊ីនមេរវល់ សូមព្យាយាមម្តងទៀត", "The server is busy; try again"],
  "err.internal": ["កំហុសម៉ាស៊ីនមេ", "Server error"],
  "err.unavailable": ["ម៉ាស៊ីនមេមិនអាចរក្សាទុកបានមួយរយៈ សូមព្យាយាមម្តងទៀត", "The server cannot store anything just now; try again"],
  "err.offline": ["មិនអាចភ្ជាប់ទៅម៉ាស៊ីនមេបាន", "Cannot reach the hall server"],
  "err.unknown_document": ["រកមិនឃើញឯកសារ", "No such document"],
  "err.already_approved": ["អត្ថបទនេះបានអនុម័តរួចហើយ", "This text is already approved"],
  "err.text_empty": ["អត្ថបទមិនអាចទទេបានទេ", "The text cannot be empty"],
  "err.text_unchanged": ["អត្ថបទមិនបានផ្លាស់ប្តូរទេ", "The text has not changed"],
  // remote members: the call to the hall (remote.js, lib/call.js) and their links on the chair (lib/links.js)
  "call.title": ["សំឡេង និងវីដេអូជាមួយសាលប្រជុំ", "Sound and video with the hall"],
  "call.self": ["អ្នក", "You"],
  "call.speaker": ["កំពុងនិយាយ", "Speaking"],
  "call.speaker.none": ["គ្មានសមាជិកពីចម្ងាយកំពុងនិយាយទេ", "No remote member is speaking"],
  "call.speaker.you": ["អ្នកកំពុងនិយាយ៖ សាលប្រជុំឃើញកាមេរ៉ារបស់អ្នក", "You have the floor: the hall sees your camera"],
  "call.state.idle": ["មិនទាន់ហៅ", "Not called yet"],
  "call.state.calling": ["កំពុងហៅទៅសាលប្រជុំ…", "Calling the hall…"],
  "call.state.connected": ["បានភ្ជាប់ជាមួយសាលប្រជុំ", "Connected to the hall"],
  "call.state.reconnecting": ["ដាច់ការតភ្ជាប់ — កំពុងភ្ជាប់ឡើងវិញ…", "Disconnected — reconnecting…"],
  "call.state.no-endpoint": ["សេវាសំឡេង និងវីដេអូរបស់សាលមិនទាន់ដំណើរការ — កំពុងព្យាយាមម្តងទៀត", "The hall's media service is not running — trying again"],
  "call.rtt": ["ពេលទៅមក", "Round trip"],
  "call.loss": ["កញ្ចប់បាត់", "Loss"],
  "call.jitter": ["ភាពញ័រ", "Jitter"],
  "unit.ms": ["មីលីវិនាទី", "ms"],
  "call.mic.off": ["បិទមីក្រូ", "Mute microphone"],
  "call.mic.on": ["បើកមីក្រូ", "Unmute microphone"],
  "call.camera.off": ["បិទកាមេរ៉ា", "Turn camera off"],
  "call.camera.on": ["បើកកាមេរ៉ា", "Turn camera on"],
  "call.media.denied": ["មិនបានអនុញ្ញាតឲ្យប្រើកាមេរ៉ា និងមីក្រូទេ៖ អ្នកអាចស្តាប់ និងមើលបាន", "Camera and microphone not allowed: you can listen and watch"],
  "call.media.missing": ["រកមិនឃើញកាមេរ៉ា ឬមីក្រូទេ", "No camera or microphone found"],
  "links.title": ["សមាជិកពីចម្ងាយ", "Remote members"],
  "links.none": ["គ្មានសមាជិកពីចម្ងាយ", "No remote members"],
  "links.connected": ["បានភ្ជាប់", "Connected"],
  "links.disconnected": ["ដាច់ការតភ្ជាប់", "Disconnected"],
  "links.calling": ["កំពុងភ្ជាប់…", "Connecting…"],
};

/** The string in both languages, for text the chair writes into the record (motions): [km, en]. */
export function both(key, vars = {}) {
  const fill = (s, i) => s.replace(/\{(\w+)\}/g, (_, k) => (Array.isArray(vars[k]) ? vars[k][i] : String(vars[k] ?? "")));
  const pair = STRINGS[key] || [key, key];
  return [fill(pair[0], 0), fill(pair[1], 1)];
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next === "en" ? "en" : "km";
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

export function onLang(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The string for key in the current language, with {name} placeholders filled (numbers localised). */
export function t(key, vars) {
  const pair = STRINGS[key];
  let s = pair ? pair[lang === "en" ? 1 : 0] : key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (_, k) => (typeof vars[k] === "number" ? num(vars[k]) : String(vars[k] ?? "")));
  }
  return s;
}

/** Pick the Khmer or English field of a record (title_km / title_en), falling back to the other. */
export function pick(obj, base) {
  const km = obj?.[`${base}_km`] || "";
  const en = obj?.[`${base}_en`] || "";
  return lang === "en" ? en || km : km || en;
}

const KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";

export function digits(s) {
  const str = String(s);
  return lang === "km" ? str.replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]) : str;
}

export function num(n) {
  return digits(new Intl.NumberFormat("en-US", { useGrouping: Math.abs(n) >= 10000 }).format(n));
}

const MONTHS_KM = ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];
const DAYS_KM = ["អាទិត្យ", "ច័ន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍"];

/** An ISO date (YYYY-MM-DD) as people write it: ថ្ងៃអង្គារ ទី៣ ខែកុម្ភៈ ឆ្នាំ២០២៦ / Tuesday 3 February 2026. */
export function date(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (lang === "km") {
    return `ថ្ងៃ${DAYS_KM[dt.getUTCDay()]} ទី${digits(d)} ខែ${MONTHS_KM[m - 1]} ឆ្នាំ${digits(y)}`;
  }
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeZone: "UTC" }).format(dt);
}

// The hall's clock: every time is shown in the sitting's zone, whatever the device's own.
let hallZone = "Asia/Phnom_Penh";

/** Show times in this IANA zone (the sitting's `time_zone`). */
export function setHallZone(zone) {
  if (zone) hallZone = zone;
}

/** Today's date (YYYY-MM-DD) on the hall's clock. */
export function hallToday(ms = Date.now()) {
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: hallZone }).format(new Date(ms));
}

/** A wall-clock time in the hall's zone, 24-hour, from epoch ms. */
export function clock(ms, seconds = false) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", second: seconds ? "2-digit" : undefined, hourCycle: "h23", timeZone: hallZone,
  }).formatToParts(new Date(ms));
  const part = (type) => parts.find((x) => x.type === type)?.value ?? "";
  return digits(`${part("hour")}:${part("minute")}${seconds ? `:${part("second")}` : ""}`);
}

/** A duration in seconds as m:ss (or h:mm:ss), signed when negative. */
export function duration(totalSeconds) {
  const neg = totalSeconds < 0;
  let s = Math.abs(Math.trunc(totalSeconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p = (n) => String(n).padStart(2, "0");
  const body = h ? `${h}:${p(m)}:${p(s)}` : `${m}:${p(s)}`;
  return (neg ? "−" : "") + digits(body);
}

document.documentElement.lang = lang;
