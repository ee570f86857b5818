from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _


def free_slug(rows, text: str, *, fallback: str, max_length: int = 80,
              reserved: frozenset[str] = frozenset()) -> str:
    """A slug made from `text` that none of `rows` has: "free-the-press", else "…-2", "…-3".

    `max_length` leaves room for the number; `fallback` serves when the text
    has no letters a slug can use (and is appended to a reserved slug).
    """
    base = slugify(text)[:max_length].strip("-") or fallback
    if base in reserved:
        base = f"{base}-{fallback}"
    taken = set(rows.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_with_free_slug[T](*, slug: str, make_slug: Callable[[], str],
                             build: Callable[[str], T], save: Callable[[T], None],
                             taken_message: str, attempts: int = 5) -> T:
    """Save a new row under the chosen `slug`, or under a free one from `make_slug()`.

    `build(slug)` makes (and checks) the unsaved row, `save(row)` writes it and
    whatever belongs with it, in one transaction. The unique constraint decides
    a race: a chosen slug someone holds is refused with `taken_message`; a
    made-up one that someone took a moment ago is made again.
    """
    for _attempt in range(attempts):
        row = build(slug or make_slug())
        try:
            with transaction.atomic():
                save(row)
        except IntegrityError:
            if slug:
                raise ValidationError(taken_message, code="slug_taken") from None
        else:
            return row
    raise ValidationError(_("Please try again."), code="slug_taken")
