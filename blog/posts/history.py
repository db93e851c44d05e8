"""A post's history: each save keeps a Revision, autosaves replace the newest autosave,
and any revision can be compared with the current text and restored."""

import re
import time
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch
from sqlalchemy import delete, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, Revision, RevisionKind

# Saves and restores kept per post; older ones (and autosaves older still) are pruned.
KEPT_REVISIONS = 50
# How long comparing two versions may search for their smallest difference.
COMPARE_SECONDS = 1.0


def revisions_of(post: Post) -> list[Revision]:
    """The post's revisions, newest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.post_id == post.id)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
        )
    )


def newest_revision(post: Post) -> Revision | None:
    """The post's newest revision, a save, restore or autosave."""
    return _newest(post)


def _newest(post: Post, kept_only: bool = False) -> Revision | None:
    query = select(Revision).where(Revision.post_id == post.id)
    if kept_only:
        query = query.where(Revision.kind != RevisionKind.AUTOSAVE)
    return db.session.scalar(
        query.order_by(Revision.created_at.desc(), Revision.id.desc()).limit(1)
    )


def _same_text(revision: Revision | None, title: str, body: str) -> bool:
    return revision is not None and revision.title == title and revision.body_md == body


def keep_current_text(post: Post) -> None:
    """Before the post's text changes, make sure its current text is in the history.

    Posts made by the sample loader or an import have no revision yet; without this,
    the first edit would be the only record and the original text would be gone.
    """
    if post.id is None:
        return
    if not _same_text(_newest(post, kept_only=True), post.title, post.body_md):
        db.session.add(
            Revision(
                post_id=post.id,
                title=post.title,
                body_md=post.body_md,
                kind=RevisionKind.SAVE,
                created_at=post.updated_at or utcnow(),
            )
        )


def record_save(post: Post, kind: str = RevisionKind.SAVE) -> None:
    """Keep the post's new text as a revision (once: an unchanged save adds nothing)."""
    db.session.flush()  # the post needs its id
    if _same_text(_newest(post, kept_only=True), post.title, post.body_md):
        return
    db.session.add(Revision(post_id=post.id, title=post.title, body_md=post.body_md, kind=kind))
    prune(post)


def record_review(post: Post) -> None:
    """Keep a revision saying the post was reviewed, even though its text is unchanged."""
    db.session.add(
        Revision(post_id=post.id, title=post.title, body_md=post.body_md, kind=RevisionKind.REVIEW)
    )
    db.session.flush()
    prune(post)


def prune(post: Post) -> None:
    """Forget what is older than the post's newest KEPT_REVISIONS saves and restores."""
    oldest_kept = db.session.scalar(
        select(Revision.created_at)
        .where(Revision.post_id == post.id, Revision.kind != RevisionKind.AUTOSAVE)
        .order_by(Revision.created_at.desc())
        .offset(KEPT_REVISIONS - 1)
    )
    if oldest_kept is not None:
        db.session.execute(
            delete(Revision).where(Revision.post_id == post.id, Revision.created_at < oldest_kept)
        )


def autosave(post: Post, title: str, body: str, keep_newest: bool = False) -> Revision:
    """Keep the editor's text without publishing it: the newest autosave is replaced,
    unless ``keep_newest`` (it is another page's text, which the author chose to replace:
    it stays in the history)."""
    db.session.flush()
    revision = _newest(post)
    if keep_newest or revision is None or revision.kind != RevisionKind.AUTOSAVE:
        revision = Revision(post_id=post.id, kind=RevisionKind.AUTOSAVE)
        db.session.add(revision)
    revision.title = title
    revision.body_md = body
    revision.created_at = utcnow()
    return revision


def unsaved_autosave(post: Post) -> Revision | None:
    """The autosave made after the last save, if its text differs from the post's."""
    revision = _newest(post)
    if revision is None or revision.kind != RevisionKind.AUTOSAVE:
        return None
    if _same_text(revision, post.title, post.body_md):
        return None
    return revision


# -- Comparing ------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class DiffLine:
    """One line of a comparison.

    ``kind`` is "same", "added", "removed", "changed" or "gap" (unchanged lines left out);
    ``parts`` are (op, text) pairs with op "same", "ins" or "del".
    """

    kind: str
    parts: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0

    @property
    def blank(self) -> bool:
        return not "".join(text for _, text in self.parts).strip()


def compare(old: str, new: str, context: int = 2) -> list[DiffLine]:
    """Line-by-line differences from ``old`` to ``new``; changed lines word by word.

    The search for the smallest difference stops at a deadline (COMPARE_SECONDS for the
    whole comparison); past it, what is left shows as removed and added text, still exact.
    """
    differ = diff_match_patch()
    deadline = time.time() + COMPARE_SECONDS
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for op, i1, i2, j1, j2 in _opcodes(differ, old_lines, new_lines, deadline):
        if op == "equal":
            first, last = i1 == 0, i2 == len(old_lines)
            lines.extend(_context(old_lines[i1:i2], context, first=first, last=last))
            continue
        paired = min(i2 - i1, j2 - j1)  # a replaced block: compare line pairs word by word
        pairs = zip(old_lines[i1 : i1 + paired], new_lines[j1 : j1 + paired], strict=True)
        lines.extend(_changed_line(differ, a, b, deadline) for a, b in pairs)
        lines.extend(DiffLine("removed", [("del", line)]) for line in old_lines[i1 + paired : i2])
        lines.extend(DiffLine("added", [("ins", line)]) for line in new_lines[j1 + paired : j2])
    return lines


def _opcodes(
    differ: diff_match_patch, old: list[str], new: list[str], deadline: float
) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes ("equal" or "replace") turning the sequence ``old`` into
    ``new``, found by diff-match-patch (Myers' algorithm, which gives up at ``deadline``;
    difflib's matcher has no limit and takes minutes on long runs of repeated words)."""
    codes: dict[str, str] = {}  # each distinct item becomes one character
    as_text = [
        "".join(codes.setdefault(item, chr(len(codes))) for item in items) for items in (old, new)
    ]
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for op, text in differ.diff_main(*as_text, False, deadline):
        if op == differ.DIFF_EQUAL:
            opcodes.append(("equal", i, i + len(text), j, j + len(text)))
            i, j = i + len(text), j + len(text)
            continue
        if not opcodes or opcodes[-1][0] == "equal":
            opcodes.append(("replace", i, i, j, j))
        _, i1, i2, j1, j2 = opcodes[-1]
        if op == differ.DIFF_DELETE:
            i2 = i = i + len(text)
        else:
            j2 = j = j + len(text)
        opcodes[-1] = ("replace", i1, i2, j1, j2)
    return opcodes


def _context(same: list[str], context: int, first: bool, last: bool) -> list[DiffLine]:
    """Unchanged lines, keeping ``context`` lines next to each change."""
    head = 0 if first else context
    tail = 0 if last else context
    if len(same) <= head + tail + 1:
        return [DiffLine("same", [("same", line)]) for line in same]
    kept_head = [DiffLine("same", [("same", line)]) for line in same[:head]]
    kept_tail = [DiffLine("same", [("same", line)]) for line in same[len(same) - tail :]]
    return [*kept_head, DiffLine("gap", skipped=len(same) - head - tail), *kept_tail]


def _changed_line(differ: diff_match_patch, old: str, new: str, deadline: float) -> DiffLine:
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _opcodes(differ, a, b, deadline):
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("ins", "".join(b[j1:j2])))
    return DiffLine("changed", parts)


def is_unchanged(lines: list[DiffLine]) -> bool:
    return all(line.kind in ("same", "gap") for line in lines)
