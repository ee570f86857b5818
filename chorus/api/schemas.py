"""What the JSON API returns. Field names follow OSDI where it has one."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class Target(Schema):
    name: str


class AddressedTarget(Schema):
    """A decision-maker the petition is addressed to, and where their answer stands:
    "answered", "awaiting", or "overdue" (no answer by the date expected)."""

    name: str
    role: str
    organisation: str
    contact: str
    status: str
    response_date: date | None
    response_text: str | None
    # Once overdue: the days since the signatures were handed in.
    days_since_handin: int | None


class HandIn(Schema):
    date: date
    place: str
    received_by: str
    note: str
    photo_url: str | None
    photo_description: str
    answers_due: date | None


class Organisation(Schema):
    name: str
    slug: str
    browser_url: str
    website: str


class TargetResponse(Schema):
    text: str
    date: date


class Petition(Schema):
    identifier: str
    # The language of the text below, and every language the petition is in.
    language: str
    languages: list[str]
    title: str
    summary: str
    petition_text: str
    target: list[Target]
    total_signatures: int
    goal: int
    state: str
    # Before its opening time a petition is not in the API at all (404, and absent from
    # lists), so this is always in the past here.
    opens_at: datetime | None = Field(
        description="The opening time the organisers set in advance, if they did; the "
                    "petition is public only from then on."
    )
    paused: bool = Field(
        description="Signing is paused for now: the petition stays open (state `open`) "
                    "and its figures public, but it takes no signatures until resumed."
    )
    browser_url: str
    featured_image_url: str | None
    featured_image_caption: str
    featured_image_credit: str
    action_date: datetime | None
    end_date: datetime | None
    counted_at: datetime | None
    modified_date: datetime
    organisation: Organisation
    victory: bool
    victory_at: datetime | None
    response: TargetResponse | None
    # The free-text `target` above is what people signed; these say more about it.
    targets: list[AddressedTarget]
    handin: HandIn | None


class LogStatement(Schema):
    """The latest signed statement of the petition's public log (docs/verifiable-counts.md)."""

    number: int
    time: str
    count: int
    root: str
    key: str
    signature: str
    url: str


class PaperCount(Schema):
    """Of the total, the signatures signed on paper sheets; below the floor only "fewer than"."""

    total_signatures: int | None
    fewer_than: int | None


class Count(Schema):
    identifier: str
    total_signatures: int
    goal: int
    state: str
    paused: bool = Field(description="Signing is paused for now (see Petition.paused).")
    counted_at: datetime | None
    statement: LogStatement | None
    paper: PaperCount | None = None


class HistoryPoint(Schema):
    date: datetime
    total_signatures: int


class History(Schema):
    identifier: str
    total_signatures: int
    counted_at: datetime | None
    hourly: list[HistoryPoint]
    daily: list[HistoryPoint]


class CountryTotal(Schema):
    code: str
    name: str
    total_signatures: int | None
    fewer_than: int | None


class Countries(Schema):
    identifier: str
    floor: int
    countries: list[CountryTotal]


class PartnerTotal(Schema):
    source: str
    name: str
    total_signatures: int | None
    fewer_than: int | None


class Partners(Schema):
    identifier: str
    floor: int
    partners: list[PartnerTotal]


class Update(Schema):
    id: int
    title: str
    body: str
    body_html: str
    published_at: datetime
    browser_url: str


class Milestone(Schema):
    threshold: int
    percent_of_goal: int | None
    reached_at: datetime


class Error(Schema):
    detail: str


class Gone(Schema):
    """A petition the moderators took down; `reason` only if they chose to publish it."""

    detail: str
    reason: str | None


class SignatureIn(Schema):
    name: str
    email: str
    country: str
    postcode: str = ""
    updates: bool = False
    show_name: bool = False
    source: str = ""


class Accepted(Schema):
    status: str


class FieldError(Schema):
    field: str
    message: str


class FormErrors(Schema):
    detail: list[FieldError]


class ValidationIssue(Schema):
    """One thing django-ninja could not read: where (`loc`), what kind (`type`), and why."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrors(Schema):
    """A 422 from django-ninja itself: a query parameter or body it could not read."""

    detail: list[ValidationIssue]
