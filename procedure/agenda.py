"""The agenda of a sitting: nested items in the order the chair walks them, and their documents.

Pure: ``decide_*`` answer with events or raise ``ProtocolError``; ``apply_*`` fold them.
Editing (issue 12): an item is edited, moved under another parent or among its siblings at any
time the sitting's state allows; it is removed only while never taken up and without
sub-items. A document gets new versions (readers see the latest; every version stays in
the record as its event) and is removed only while its item was never taken up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol.commands import EditItem, MoveItem, OrderDocuments, RemoveDocument, RemoveItem, ReplaceDocument
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    DocumentRemoved,
    DocumentReplaced,
    DocumentsOrdered,
    Event,
    ItemEdited,
    ItemMoved,
    ItemRemoved,
)
from protocol.types import ItemStatus


@dataclass(frozen=True)
class Document:
    """An attached document as readers get it: its latest version."""

    document_id: str
    title: str
    media_type: str
    sha256: str
    size: int
    version: int = 1


@dataclass(frozen=True)
class Item:
    item_id: str
    parent_id: str | None
    title_km: str
    title_en: str
    status: ItemStatus = ItemStatus.PENDING
    documents: tuple[Document, ...] = ()


Items = tuple[Item, ...]


def agenda_order(items: Items) -> list[str]:
    """Depth-first order of the nested agenda: the order the chair walks it."""
    children: dict[str | None, list[str]] = {}
    for it in items:
        children.setdefault(it.parent_id, []).append(it.item_id)
    order: list[str] = []

    def walk(parent: str | None) -> None:
        for child in children.get(parent, []):
            order.append(child)
            walk(child)

    walk(None)
    return order


def insert_item(items: Items, item: Item) -> Items:
    """Keep agenda order: a child goes after its parent's last descendant."""
    if item.parent_id is None:
        return (*items, item)
    return _ordered((*items, item))


def _ordered(items: Items) -> Items:
    by_id = {i.item_id: i for i in items}
    return tuple(by_id[i] for i in agenda_order(items))


def _find(items: Items, item_id: str | None, what: str = "no such agenda item") -> Item:
    item = next((i for i in items if i.item_id == item_id), None)
    if item is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, what, item_id=item_id)
    return item


def _below(items: Items, item_id: str) -> set[str]:
    """The item's sub-items, at every depth."""
    found: set[str] = set()
    frontier = {item_id}
    while frontier:
        frontier = {i.item_id for i in items if i.parent_id in frontier}
        found |= frontier
    return found


def decide_item_edit(items: Items, cmd: EditItem | RemoveItem | MoveItem) -> list[Event]:
    """Edit, remove or move an agenda item.

    Errors: UNKNOWN_ITEM (the item, the parent or the sibling), INVALID_STATE (removing an item
    taken up, or one with sub-items; a move under itself; a sibling under another parent).
    """
    item = _find(items, cmd.item_id)
    match cmd:
        case EditItem():
            changes = {k: v for k, v in (("title_km", cmd.title_km), ("title_en", cmd.title_en))
                       if v is not None and v != getattr(item, k)}
            return [ItemEdited(item_id=item.item_id, **changes)] if changes else []
        case RemoveItem():
            if item.status is not ItemStatus.PENDING:
                raise ProtocolError(ErrorCode.INVALID_STATE, "an item taken up stays on the agenda",
                                    item_id=item.item_id, item_status=item.status)
            if _below(items, item.item_id):
                raise ProtocolError(ErrorCode.INVALID_STATE, "remove or move its sub-items first",
                                    item_id=item.item_id)
            return [ItemRemoved(item_id=item.item_id)]
        case MoveItem():
            if cmd.parent_id is not None:
                _find(items, cmd.parent_id, "no such parent")
                if cmd.parent_id == item.item_id or cmd.parent_id in _below(items, item.item_id):
                    raise ProtocolError(ErrorCode.INVALID_STATE, "an item cannot go under itself",
                                        item_id=item.item_id, parent_id=cmd.parent_id)
            if cmd.before_id is not None:
                sibling = _find(items, cmd.before_id, "no such sibling")
                if sibling.parent_id != cmd.parent_id or sibling.item_id == item.item_id:
                    raise ProtocolError(ErrorCode.INVALID_STATE, "before_id is not another item under that parent",
                                        before_id=cmd.before_id)
            return [ItemMoved(item_id=item.item_id, parent_id=cmd.parent_id, before_id=cmd.before_id)]
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not an agenda edit: {cmd.type}")


def apply_item_edit(items: Items, event: ItemEdited | ItemRemoved | ItemMoved) -> Items:
    match event:
        case ItemEdited():
            return tuple(replace(i, title_km=event.title_km or i.title_km, title_en=event.title_en or i.title_en)
                         if i.item_id == event.item_id else i for i in items)
        case ItemRemoved():
            return tuple(i for i in items if i.item_id != event.item_id)
        case ItemMoved():
            moved = replace(_find(items, event.item_id), parent_id=event.parent_id)
            rest = [i for i in items if i.item_id != event.item_id]
            at = next((n for n, i in enumerate(rest) if i.item_id == event.before_id), len(rest))
            return _ordered((*rest[:at], moved, *rest[at:]))
    return items


def find_document(items: Items, document_id: str) -> tuple[Item, Document]:
    """The item a document is attached to, and the document; UNKNOWN_DOCUMENT when none."""
    found = next(((i, d) for i in items for d in i.documents if d.document_id == document_id), None)
    if found is None:
        raise ProtocolError(ErrorCode.UNKNOWN_DOCUMENT, "no such document", document_id=document_id)
    return found


def decide_document_edit(items: Items, cmd: ReplaceDocument | RemoveDocument | OrderDocuments) -> list[Event]:
    """A new version of a document, its removal, or the order of an item's documents.

    Errors: UNKNOWN_DOCUMENT, UNKNOWN_ITEM, INVALID_STATE (removal from an item taken up; a
    new version with the same content), MALFORMED (an order that does not list exactly the
    item's documents).
    """
    match cmd:
        case ReplaceDocument():
            item, document = find_document(items, cmd.document_id)
            if document.sha256 == cmd.sha256:
                raise ProtocolError(ErrorCode.INVALID_STATE, "this version is the current one already",
                                    document_id=cmd.document_id)
            return [DocumentReplaced(item_id=item.item_id, version=document.version + 1,
                                     previous_sha256=document.sha256, **cmd.model_dump(exclude={"type"}))]
        case RemoveDocument():
            item, _ = find_document(items, cmd.document_id)
            if item.status is not ItemStatus.PENDING:
                raise ProtocolError(ErrorCode.INVALID_STATE, "a document of an item taken up stays",
                                    document_id=cmd.document_id, item_status=item.status)
            return [DocumentRemoved(item_id=item.item_id, document_id=cmd.document_id)]
        case OrderDocuments():
            item = _find(items, cmd.item_id)
            current = [d.document_id for d in item.documents]
            if sorted(current) != sorted(cmd.document_ids):
                raise ProtocolError(ErrorCode.MALFORMED, "an order must list exactly the item's documents",
                                    documents=current)
            return [DocumentsOrdered(item_id=item.item_id, document_ids=cmd.document_ids)]
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not a document edit: {cmd.type}")


def apply_document_edit(items: Items, event: DocumentReplaced | DocumentRemoved | DocumentsOrdered) -> Items:
    def change(item: Item) -> Item:
        match event:
            case DocumentReplaced():
                new = Document(event.document_id, event.title, event.media_type, event.sha256, event.size,
                               event.version)
                return replace(item, documents=tuple(new if d.document_id == event.document_id else d
                                                     for d in item.documents))
            case DocumentRemoved():
                return replace(item, documents=tuple(d for d in item.documents if d.document_id != event.document_id))
            case DocumentsOrdered():
                by_id = {d.document_id: d for d in item.documents}
                return replace(item, documents=tuple(by_id[d] for d in event.document_ids))
        return item

    return tuple(change(i) if i.item_id == event.item_id else i for i in items)
