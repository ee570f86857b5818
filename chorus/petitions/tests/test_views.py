from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count


def make_petition(organisation, slug, *, count=0, state="open"):
    petition = Petition.objects.create(
        organisation=organisation, slug=slug, title=f"Petition {slug}", target="Target",
        ask="Ask", signature_count=count,
    )
    if state != "draft":
        petition.open()
    if state == "closed":
        petition.close()
    return petition


def test_home_lists_open_petitions_most_signed_first(client, organisation):
    make_petition(organisation, "few", count=3)
    make_petition(organisation, "many", count=300)
    make_petition(organisation, "hidden", state="draft")
    make_petition(organisation, "over", state="closed", count=1000)
    content = client.get("/").content.decode()
    assert content.index("Petition many") < content.index("Petition few")
    assert "Petition hidden" not in content
    assert "Petition over" not in content


def test_the_list_searches_and_filters(client, organisation):
    make_petition(organisation, "forests")
    make_petition(organisation, "rivers", state="closed")
    make_petition(organisation, "secret", state="draft")
    assert "Petition forests" in client.get("/petitions/?q=forests").content.decode()
    assert "Petition rivers" not in client.get("/petitions/?q=forests").content.decode()
    closed = client.get("/petitions/?state=closed").content.decode()
    assert "Petition rivers" in closed and "Petition forests" not in closed
    assert "Petition secret" not in client.get("/petitions/?q=secret").content.decode()


def test_the_list_is_paginated(client, organisation):
    for i in range(25):
        make_petition(organisation, f"p{i}", count=i)
    first = client.get("/petitions/").content.decode()
    second = client.get("/petitions/?page=2").content.decode()
    assert "Petition p24" in first and "Petition p0" not in first
    assert "Petition p0" in second
    assert client.get("/petitions/?page=999").status_code == 200
    assert client.get("/petitions/?page=x").status_code == 200


def test_the_petition_page_shows_what_people_sign(client, petition):
    petition.statement = "We will not stop."
    petition.statement_by = "Mira K."
    petition.statement_role = "Chair of the board"
    petition.save()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    for text in ["Stop the lawsuit", "The Government of Norvania", "Withdraw the lawsuit.",
                 "<strong>government</strong>", "We will not stop.", "Chair of the board",
                 "Goal: 100", 'name="email"', 'value="DE">Germany</option>']:
        assert text in content


def test_the_petition_body_is_sanitised(client, petition):
    petition.body = "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    petition.save()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "<script>alert" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_the_petition_page_shows_the_count_as_of_the_last_run(client, petition):
    from chorus.signatures.models import Signature

    Signature.objects.create(
        petition=petition, name="A", email="a@example.org", email_digest="a" * 64,
        country="DE", state="confirmed",
    )
    signatures_count()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "<strong>1</strong>" in content
    assert "person has signed" in content
    assert "as of" in content


def test_a_draft_petition_is_not_public(client, organisation):
    draft = make_petition(organisation, "draft", state="draft")
    assert client.get(f"/petitions/{draft.slug}/").status_code == 404
    assert client.get(f"/petitions/{draft.slug}/count.json").status_code == 404


def test_a_closed_petition_shows_no_form(client, organisation):
    closed = make_petition(organisation, "closed", state="closed")
    content = client.get(f"/petitions/{closed.slug}/").content.decode()
    assert "no longer accepts signatures" in content
    assert 'name="email"' not in content


def test_the_organisation_page_lists_its_public_petitions(client, organisation):
    make_petition(organisation, "visible")
    make_petition(organisation, "draft", state="draft")
    content = client.get(f"/organisations/{organisation.slug}/").content.decode()
    assert "Petition visible" in content and "Petition draft" not in content


def test_pages_load_nothing_from_another_origin(client, petition):
    response = client.get(f"/petitions/{petition.slug}/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    content = response.content.decode()
    for attribute in ['src="http', "src=\"//", 'href="//', "@import"]:
        assert attribute not in content
    assert '<link rel="stylesheet" href="/static/' in content


def test_the_source_code_is_carried_into_the_form(client, petition):
    content = client.get(f"/petitions/{petition.slug}/?source=partner-news").content.decode()
    assert 'name="source" value="partner-news"' in content


def test_an_edited_petition_shows_its_new_text_once_the_short_cache_passes(client, petition):
    from django.core.cache import cache

    client.get(f"/petitions/{petition.slug}/")
    petition.ask = "Withdraw the lawsuit today."
    petition.save()
    cache.delete(f"petition:{petition.slug}")  # what a few seconds do
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "Withdraw the lawsuit today." in page
