from django.utils.text import slugify


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
