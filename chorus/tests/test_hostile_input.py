"""Hostile input in every text field people can fill in.

For each form and field, each payload is either refused (a 400 or a form error,
and nothing stored) or stored and shown without anything a browser would run.
Never a 500. E-mail headers never carry a line break from input. CSV formula
prefixes are neutralised on export: see
chorus/signatures/tests/test_export.py::test_formulas_come_out_as_text.
"""

import datetime
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chorus.petitions.models import (
    HandIn,
    Petition,
    PetitionRevision,
    PreviewLink,
    RejectionReason,
    Target,
)
from chorus.testing import SIGNER, make_user

PAYLOADS = {
    "script": "<script>alert('owned')</script>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg/onload=alert(1)><svg onload='alert(2)'></svg>",
    "javascript-link": "[read more](javascript:alert(1)) <a href=\" javascript:alert(2)\">x</a>",
    "crlf": "Nadia\r\nBcc: everyone@example.org",
    "nul": "Nadia\x00Petrova",
    "formula": "=cmd|' /C calc'!A0",
    "oversized": "A" * (1024 * 1024 + 1),
}
# A line field (a name, a title) must refuse these; a text field (Markdown) may
# keep line breaks but never a NUL.
REFUSED_IN_LINES = {"crlf", "nul", "oversized"}
REFUSED_IN_TEXT = {"nul"}
NEW_PASSWORD = "a long new password for lena"  # noqa: S105


class ExecutableMarkup(HTMLParser):
    """Collects what a browser could run: script elements, on* handlers, javascript: URLs."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {attributes}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in self.URL_ATTRIBUTES and squeezed.startswith(
                    ("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def executable_markup(html: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(html)
    return parser.found


def header_values(message) -> list[tuple[str, str]]:
    # Long headers are folded with a line break and a space; that is not injection.
    return [(name, re.sub(r"\r?\n[ \t]", " ", str(value)))
            for name, value in message.message().items()]


@dataclass
class Case:
    """One form: how to reach it, valid data, its text fields, and where input shows."""

    url: str
    valid: dict
    fields: dict[str, str]  # field name -> "line" or "text"
    stored: object  # () -> a snapshot that changes when something is stored
    pages: object  # () -> [(client, url)] where stored input is shown
    preview: dict = field(default_factory=dict)


def _client(django_client_class, user=None):
    client = django_client_class()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cases(client, organisation, petition, owner, editor, moderator, immediate_tasks):
    client_class = type(client)
    anonymous = _client(client_class)
    as_editor = _client(client_class, editor)
    as_moderator = _client(client_class, moderator)

    def public(slug):
        return [(anonymous, reverse("signatures:petition", args=[slug]))]

    def pending(slug):
        draft = Petition.objects.create(
            organisation=organisation, created_by=editor, slug=slug, title="Free them",
            target="The Ministry of Justice", ask="Drop the charges.", body="Absurd.", goal=50)
        draft.submit()
        return draft

    def authored_pages():
        new = Petition.objects.exclude(pk=petition.pk).order_by("-pk").first()
        pages = [(as_editor, reverse("petitions:manage:detail", args=[new.slug]))]
        new.submit()
        pages.append((as_moderator, reverse("moderation:review", args=[new.slug])))
        new.open()
        return pages + public(new.slug)

    def moderation_note_pages(slug):
        return lambda: [(as_editor, reverse("petitions:manage:detail", args=[slug]))]

    def signed_pages():
        return public(petition.slug) + [
            (anonymous, reverse("signatures:thanks", args=[petition.slug]))]

    signing = {key: value for key, value in SIGNER.items()}
    signing["show_name"] = "on"
    result = {
        "sign": (anonymous, Case(
            url=reverse("signatures:sign", args=[petition.slug]), valid=signing,
            fields={"name": "line", "postcode": "line"},
            stored=lambda: petition.signatures.count(), pages=signed_pages)),
        "petition": (as_editor, Case(
            url=reverse("petitions:manage:create"),
            valid={"organisation": organisation.slug, "title": "Free the press", "slug": "",
                   "target": "The Ministry", "ask": "Release them.", "body": "Detained.",
                   "statement": "", "statement_by": "", "statement_role": "", "image_alt": "",
                   "image_caption": "", "image_credit": "", "goal": "100"},
            fields={"title": "line", "target": "line", "ask": "line", "body": "text",
                    "statement": "text", "statement_by": "line", "image_caption": "line",
                    "image_credit": "line"},
            stored=lambda: Petition.objects.count(), pages=authored_pages,
            preview={"action": "preview"})),
        "update": (as_editor, Case(
            url=reverse("updates:create", args=[petition.slug]),
            valid={"title": "The court threw the case out", "body": "We **won**."},
            fields={"title": "line", "body": "text"},
            stored=lambda: petition.updates.count(), pages=lambda: public(petition.slug),
            preview={"preview": "1"})),
        "signup": (anonymous, Case(
            url=reverse("organisers:signup"),
            valid={"name": "Lena", "email": "lena@example.org", "password1": NEW_PASSWORD,
                   "password2": NEW_PASSWORD},
            fields={"name": "line"},
            stored=lambda: get_user_model().objects.count(), pages=lambda: [])),
    }

    def organiser_pages(slug):
        return lambda: public(slug) + [
            (as_editor, reverse("petitions:manage:detail", args=[slug]))]

    result["target"] = (as_editor, Case(
        url=reverse("petitions:targets:add", args=[petition.slug]),
        valid={"name": "Minister of Justice", "role": "Minister",
               "organisation": "Ministry of Justice", "contact": "press@justice.example.org"},
        fields={"name": "line", "role": "line", "organisation": "line", "contact": "line"},
        stored=lambda: Target.objects.count(), pages=organiser_pages(petition.slug)))
    result["hand-in"] = (as_editor, Case(
        url=reverse("petitions:targets:handin", args=[petition.slug]),
        valid={"handed_in_on": timezone.now().date().isoformat(), "place": "Main Street 1",
               "received_by": "Chief of staff", "reference": "MJ-1", "image_alt": "",
               "note": "Thank you.", "answers_due": ""},
        fields={"place": "line", "received_by": "line", "reference": "line", "note": "text"},
        stored=lambda: HandIn.objects.count(), pages=organiser_pages(petition.slug)))
    minister = Target.objects.create(petition=petition, name="Minister of the Interior")
    result["answer"] = (as_editor, Case(
        url=reverse("petitions:targets:answer", args=[petition.slug, minister.pk]),
        valid={"text": "We will look into it.", "date": timezone.now().date().isoformat()},
        fields={"text": "text"},
        stored=lambda: Target.objects.get(pk=minister.pk).response_text,
        pages=organiser_pages(petition.slug)))

    sent_back = pending("send-back-me")
    result["send-back note"] = (as_moderator, Case(
        url=reverse("moderation:send_back", args=[sent_back.slug]),
        valid={"note": "Name the ministry."}, fields={"note": "text"},
        stored=lambda: Petition.objects.get(pk=sent_back.pk).state,
        pages=moderation_note_pages(sent_back.slug)))
    rejected = pending("reject-me")
    reason = RejectionReason.objects.filter(active=True).first()
    result["reject note"] = (as_moderator, Case(
        url=reverse("moderation:reject", args=[rejected.slug]),
        valid={"reason": reason.code if reason else "", "note": "Sorry.", "confirm": "on"},
        fields={"note": "text"},
        stored=lambda: Petition.objects.get(pk=rejected.pk).state,
        pages=moderation_note_pages(rejected.slug)))
    published = pending("take-me-down")
    published.open()
    result["takedown note"] = (as_moderator, Case(
        url=reverse("moderation:take_down", args=[published.slug]),
        valid={"reason": reason.code if reason else "", "note": "It names a witness."},
        fields={"note": "text"},
        stored=lambda: Petition.objects.get(pk=published.pk).state,
        pages=lambda: [(as_moderator, reverse("moderation:review", args=[published.slug])),
                       (anonymous, reverse("signatures:petition", args=[published.slug])),
                       *moderation_note_pages(published.slug)()]))
    result["correction note"] = (as_moderator, Case(
        url=reverse("moderation:correct", args=[petition.slug]),
        valid={"title": petition.title, "target": petition.target, "ask": "Withdraw it now.",
               "body": petition.body, "note": "Typo."},
        fields={"note": "text"},
        stored=lambda: PetitionRevision.objects.count(),
        pages=lambda: [(anonymous, reverse("petitions:changes", args=[petition.slug]))]))

    from chorus.signatures.models import PaperBatch, PaperRow

    result["paper batch"] = (as_editor, Case(
        url=reverse("signatures:paper:create", args=[petition.slug]),
        valid={"collector": "Market stall team", "collector_member": "",
               "collected_where": "Central market", "collected_on": "", "expected_rows": "20"},
        fields={"collector": "line", "collected_where": "line"},
        stored=lambda: PaperBatch.objects.count(),
        pages=lambda: [(as_editor, reverse("signatures:paper:batches", args=[petition.slug])),
                       (as_editor, reverse("signatures:paper:anomalies", args=[petition.slug]))]))
    sheets = PaperBatch.objects.create(petition=petition, code="HOST23", collector="Stall",
                                       expected_rows=5)
    entry_url = reverse("signatures:paper:entry", args=[petition.slug, sheets.code, 1])
    result["paper entry"] = (as_editor, Case(
        url=entry_url,
        valid={"row-TOTAL_FORMS": "20", "row-INITIAL_FORMS": "20", "row-MIN_NUM_FORMS": "0",
               "row-MAX_NUM_FORMS": "20", "row-0-name": "Lena Sokolova", "row-0-country": "DE",
               "row-0-email": "", "action": "save"},
        fields={"row-0-name": "line", "row-0-country": "line"},
        stored=lambda: PaperRow.objects.count(),
        pages=lambda: [(as_editor, entry_url)]))
    embargoed = Petition.objects.create(
        organisation=organisation, created_by=editor, slug="embargoed", title="Embargoed",
        target="The Ministry", ask="Release them.", goal=50,
        opens_at=timezone.now() + datetime.timedelta(hours=5))
    embargoed.open()
    previews = reverse("petitions:previews:list", args=[embargoed.slug])
    result["preview link"] = (as_editor, Case(
        url=previews, valid={"label": "Reuters", "days": "7"}, fields={"label": "line"},
        stored=lambda: PreviewLink.objects.count(), pages=lambda: [(as_editor, previews)]))

    try:
        from chorus.stories.models import Reply, Story

        story = Story.objects.create(
            title="The court hears the case", slug="the-court-hears-the-case", body="Today.",
            state=Story.State.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=1))

        def reply_pages():
            Reply.objects.update(state=Reply.State.APPROVED)
            return [(anonymous, reverse("stories:detail", args=[story.slug])),
                    (as_moderator, reverse("moderation:replies:queue"))]

        result["reply"] = (anonymous, Case(
            url=reverse("stories:replies:create", args=[story.slug]),
            valid={"name": "Lena", "email": "lena.reader@example.org", "website": "",
                   "body": "Stay strong."},
            fields={"name": "line", "website": "line", "body": "text"},
            stored=lambda: Reply.objects.count(), pages=reply_pages))
    except NoReverseMatch:
        pass  # replies:create is not there: that row is skipped below
    return result


FIELDS = [
    ("sign", "name"), ("sign", "postcode"),
    ("petition", "title"), ("petition", "target"), ("petition", "ask"), ("petition", "body"),
    ("petition", "statement"), ("petition", "statement_by"), ("petition", "image_caption"),
    ("petition", "image_credit"),
    ("update", "title"), ("update", "body"),
    ("reply", "name"), ("reply", "website"), ("reply", "body"),
    ("signup", "name"),
    ("send-back note", "note"), ("reject note", "note"), ("takedown note", "note"),
    ("correction note", "note"), ("preview link", "label"),
    ("target", "name"), ("target", "role"), ("target", "organisation"), ("target", "contact"),
    ("hand-in", "place"), ("hand-in", "received_by"), ("hand-in", "reference"),
    ("hand-in", "note"), ("answer", "text"),
    ("paper batch", "collector"), ("paper batch", "collected_where"),
    ("paper entry", "row-0-name"), ("paper entry", "row-0-country"),
]


def _signer_name_check(value: str) -> None:
    from chorus.signatures.forms import validate_signer_name

    try:
        validate_signer_name(value)
    except Exception:  # noqa: BLE001, S110 - only the time it takes matters here
        pass


# Checks that run on a field's whole value before its length is refused (Django
# runs every validator): a pattern that backtracks would hold a server process
# for hours on a 1 MB value, so their cost is measured before posting one.
SLOW_CHECKS = {("sign", "name"): _signer_name_check}


def takes_linear_time(check) -> None:
    started = time.perf_counter()
    check("A" * 20_000)
    elapsed = time.perf_counter() - started
    if elapsed > 0.5:
        pytest.fail(f"{check.__name__} takes {elapsed:.1f} s on 20,000 characters: it would "
                    "hold a server process for hours on a 1 MB value (regular expression "
                    "backtracking). Refuse overlong values before matching.")


def case_for(cases, form):
    if form not in cases:
        pytest.skip(f"{form}: its URL does not resolve in this checkout")
    return cases[form]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
@pytest.mark.parametrize(("form", "field_name"), FIELDS, ids=[f"{f}-{n}" for f, n in FIELDS])
def test_hostile_input_is_refused_or_shown_harmlessly(
    cases, form, field_name, payload, mailoutbox, django_capture_on_commit_callbacks,
):
    client, case = case_for(cases, form)
    kind = case.fields[field_name]
    if payload == "oversized" and (form, field_name) in SLOW_CHECKS:
        takes_linear_time(SLOW_CHECKS[form, field_name])
    before = case.stored()
    if case.preview:
        preview = client.post(case.url, {**case.valid, field_name: PAYLOADS[payload],
                                         **case.preview})
        assert preview.status_code < 500
        assert executable_markup(preview.text) == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(case.url, {**case.valid, field_name: PAYLOADS[payload]})
    assert response.status_code < 500
    assert executable_markup(response.text) == []
    stored = case.stored() != before
    must_refuse = REFUSED_IN_LINES if kind == "line" else REFUSED_IN_TEXT
    if payload in must_refuse:
        assert not stored, f"{form}.{field_name} kept {payload}"
        assert response.status_code == 400 or 'class="errors"' in response.text
    if stored:
        for viewer, url in case.pages():
            page = viewer.get(url)
            assert page.status_code < 500, url
            assert executable_markup(page.text) == [], url
    for message in mailoutbox:
        for name, value in header_values(message):
            assert "\n" not in value and "\r" not in value, (name, value)
        assert "everyone@example.org" not in message.recipients()


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["sign", "petition", "update", "reply", "signup",
                                  "send-back note", "correction note", "target", "hand-in",
                                  "paper batch", "paper entry", "preview link"])
def test_malformed_utf8_is_refused_or_replaced_never_a_500(cases, form):
    client, case = case_for(cases, form)
    line_field = next(name for name, kind in case.fields.items() if kind == "line") \
        if "line" in case.fields.values() else None
    before = case.stored()
    from urllib.parse import urlencode

    body = urlencode({k: v for k, v in case.valid.items() if k != line_field})
    target = line_field or next(iter(case.fields))
    raw = body.encode() + b"&" + target.encode() + b"=Nadia%C3%28%FF%FE"
    response = client.post(case.url, raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    if line_field is not None:
        assert case.stored() == before
        assert response.status_code == 400 or 'class="errors"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["sign", "petition", "update", "reply", "signup",
                                  "send-back note", "target", "hand-in", "answer",
                                  "preview link"])
def test_a_body_over_the_request_limit_is_a_400(cases, form, settings):
    client, case = case_for(cases, form)
    before = case.stored()
    field_name = next(iter(case.fields))
    oversized = "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(case.url, {**case.valid, field_name: oversized})
    assert response.status_code == 400
    assert case.stored() == before


@pytest.mark.django_db
def test_a_signer_name_with_a_line_break_never_reaches_an_email_header(
    client, petition, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signatures:sign", args=[petition.slug]),
                               {**SIGNER, "name": "Nadia\r\nBcc: everyone@example.org"})
    assert response.status_code == 400
    assert "letters, numbers, spaces and punctuation" in response.text
    assert mailoutbox == []
    assert petition.signatures.count() == 0


@pytest.mark.django_db
def test_hostile_text_shown_to_staff_in_the_audit_log_is_inert(client, moderator, petition):
    from chorus.audit.services import audit_record

    audit_record(actor=make_user("x@example.org"), action="petition.edit", target=petition,
                 note=PAYLOADS["img-onerror"] + PAYLOADS["script"])
    client.force_login(moderator)
    page = client.get(reverse("moderation:audit"))
    assert page.status_code == 200
    assert executable_markup(page.text) == []


@pytest.mark.parametrize("html", [
    "<p>x<script>alert(1)</script></p>", '<img src=x onerror="alert(1)">', "<svg/onload=alert(1)>",
    '<a href=" JaVaScRiPt:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
])
def test_the_checker_finds_what_a_browser_would_run(html):
    assert executable_markup(html) != []


def test_the_checker_lets_escaped_text_and_our_own_scripts_through():
    html = ('<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror= javascript:</p>'
            '<script src="/static/js/chorus.js"></script><a href="/petitions/x/">x</a>')
    assert executable_markup(html) == []
