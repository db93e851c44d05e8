"""Import items: what an import made of each thing in a source, keyed by the source and
the id it had there."""

from sqlalchemy import select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.imports.sources import item_id
from blog.models import ImportItem


def find_item(source: str, kind: str, original_id: str) -> ImportItem | None:
    return db.session.scalar(
        select(ImportItem).where(
            ImportItem.source == source,
            ImportItem.kind == kind,
            ImportItem.original_id == item_id(original_id),
        )
    )


def item_for(source: str, kind: str, original_id: str) -> ImportItem:
    """The item for this thing, added to the session when it is new; marked as updated."""
    item = find_item(source, kind, original_id)
    if item is None:
        item = ImportItem(source=source, kind=kind, original_id=item_id(original_id))
        db.session.add(item)
    item.updated_at = utcnow()
    return item
