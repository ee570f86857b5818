"""Signing through a partner's link: which consent lines the form shows, what is stored,
and what each partner may take out."""

import csv
import io
import re

import pyrage
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyrage import x25519

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.petitions.models import PartnerConsent, Petition
from chorus.signatures.counting.selectors import partner_totals
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.sealing.services import organisation_key_register, signatures_seal
from chorus.signatures.services import signature_confirm
from chorus.signatures.tokens import manage_token


def sign(client, petition, data):
    return client.post(f"/petitions/{petition.slug}/sign/", data)


def confirm_all():
    for signature in Signature.objects.all():
        signature.confirm()
    signatures_count()


def export(client, user, petition, partner):
    client.force_login(user)
    response = client.get(reverse("signatures:exports:partner_csv",
                                  args=[petition.slug, partner.pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in
                                       response["Cache-Control"].split(",")}
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def every_mode(petition):
    Petition.objects.filter(pk=petition.pk).update(partner_consent=PartnerConsent.EVERY)


@pytest.fixture
def partners(partner_owner, other_partner):
    return partner_owner.partner, other_partner.partner


def test_the_form_offers_only_the_partner_the_signer_came_through(client, petition, partners):
    through = client.get(f"/petitions/{petition.slug}/?source=rainbow-network").content.decode()
    direct = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "I’d like to hear from <bdi>Rainbow Network</bdi>" in through
    assert "Open Hands" not in through
    assert 'name="partner_updates"' not in direct
    # Unticked unless the signer ticks it.
    assert re.search(r'value="rainbow-network">', through)


def test_in_every_mode_each_partner_is_a_separate_opt_in(client, petition, partners):
    every_mode(petition)
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert page.count('name="partner_updates"') == 2
    assert "Rainbow Network" in page and "Open Hands" in page
    assert " checked" not in page.split('name="partner_updates"')[1].split(">")[0]


def test_the_embed_offers_the_partners_line_too(client, petition, partners):
    page = client.get(f"/petitions/{petition.slug}/embed/?source=open-hands").content.decode()
    assert "I’d like to hear from <bdi>Open Hands</bdi>" in page


def test_a_signer_through_a_partner_who_ticks_its_box_is_in_its_export_only(
    client, petition, partners, partner_owner, other_partner, signer
):
    rainbow, open_hands = partners
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    sign(client, petition, {**signer, "email": "ivan@example.org", "name": "Ivan",
                            "source": "open-hands"})
    confirm_all()

    signature = Signature.objects.get(name="Nadia Petrova")
    assert signature.partner == rainbow
    assert list(signature.partner_opt_ins.all()) == [rainbow]
    assert Signature.objects.get(name="Ivan").partner == open_hands

    rows = export(client, partner_owner, petition, rainbow)
    assert [(row["name"], row["email"], row["country"]) for row in rows] == [
        ("Nadia Petrova", "nadia.petrova@example.org", "DE")]
    assert rows[0]["confirmed_at"]
    assert export(client, other_partner, petition, open_hands) == []
    entry = AuditEntry.objects.get(action="partner.export_csv", details__partner=rainbow.pk)
    assert entry.details["rows"] == 1


def test_the_owners_export_is_unchanged_by_a_partner_opt_in(
    client, owner, petition, partners, signer
):
    sign(client, petition, {**signer, "updates": "", "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    confirm_all()
    client.force_login(owner)
    response = client.get(reverse("signatures:exports:csv", args=[petition.slug]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["email"] == ""  # the signer asked the partner, not the owner


def test_a_partner_cannot_download_another_partners_signers(
    client, petition, partners, partner_owner
):
    _rainbow, open_hands = partners
    client.force_login(partner_owner)
    response = client.get(reverse("signatures:exports:partner_csv",
                                  args=[petition.slug, open_hands.pk]))
    assert response.status_code == 404


def test_in_every_mode_a_signer_opts_in_to_several_partners(
    client, petition, partners, signer
):
    every_mode(petition)
    sign(client, petition, {**signer, "partner_updates": ["rainbow-network", "open-hands"]})
    signature = Signature.objects.get()
    assert signature.partner is None
    assert set(signature.partner_opt_ins.all()) == set(partners)


def test_in_through_mode_a_box_for_a_partner_not_shown_is_ignored(
    client, petition, partners, signer
):
    response = sign(client, petition, {**signer, "source": "rainbow-network",
                                       "partner_updates": ["rainbow-network", "open-hands"]})
    assert response.status_code == 302
    assert list(Signature.objects.get().partner_opt_ins.all()) == [partners[0]]


@pytest.mark.parametrize("posted", [
    {"source": "made-up-partner", "partner_updates": "made-up-partner"},
    {"source": "rainbow\x00network", "partner_updates": "rainbow\x00network"},
    {"partner_updates": ["<script>", "x" * 5000, "open-hands"]},
])
def test_a_forged_source_or_consent_is_ignored_and_the_signature_kept(
    client, petition, partners, signer, posted
):
    response = sign(client, petition, {**signer, **posted})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.partner is None
    assert not signature.partner_opt_ins.exists()


def test_a_consent_for_a_partner_of_another_petition_is_ignored(
    client, petition, draft, partners, signer
):
    every_mode(petition)
    draft.open()
    response = sign(client, draft, {**signer, "source": "rainbow-network",
                                    "partner_updates": "rainbow-network"})
    assert response.status_code == 302
    signature = Signature.objects.get(petition=draft)
    assert signature.partner is None
    assert not signature.partner_opt_ins.exists()


def test_the_count_is_one_per_address_across_partners(client, petition, partners, signer):
    sign(client, petition, {**signer, "source": "rainbow-network"})
    sign(client, petition, {**signer, "source": "open-hands", "partner_updates": "open-hands"})
    confirm_all()
    petition.refresh_from_db()
    assert petition.signature_count == 1
    signature = Signature.objects.get()
    # The first link it came through keeps it; the duplicate's choices change nothing.
    assert signature.partner == partners[0]
    assert not signature.partner_opt_ins.exists()


def test_a_signature_without_opt_ins_is_still_one_insert(client, petition, partners, signer):
    with CaptureQueriesContext(connection) as queries:
        sign(client, petition, {**signer, "source": "rainbow-network"})
    # On PostgreSQL the INSERT runs inside its function (signatures/stored.py).
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("INSERT") or "chorus_signature_insert_" in q["sql"]]
    assert len(inserts) == 1
    assert Signature.objects.get().partner == partners[0]


def test_withdrawing_takes_back_the_partner_opt_ins(client, petition, partners, signer):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    signature = Signature.objects.get()
    signature.confirm()
    signature.withdraw()
    assert not signature.partner_opt_ins.exists()


def test_erasing_removes_the_opt_ins_and_keeps_the_partner_for_the_tally(
    client, petition, partners, signer
):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    signature = Signature.objects.get()
    signature.erase()
    assert not signature.partner_opt_ins.exists()
    assert signature.partner == partners[0]


def test_removing_a_partner_keeps_its_signatures_in_the_count(
    client, owner, petition, partners, signer
):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    confirm_all()
    client.force_login(owner)
    client.post(reverse("petitions:partners:remove", args=[petition.slug, partners[0].pk]),
                {"confirm": "yes"})
    signature = Signature.objects.get()
    assert signature.partner is None and not signature.partner_opt_ins.exists()
    assert signature.state == Signature.State.CONFIRMED
    # The form no longer offers the removed partner's line.
    client.logout()
    page = client.get(f"/petitions/{petition.slug}/?source=rainbow-network").content.decode()
    assert "Rainbow Network" not in page


def test_the_breakdown_by_partner_hides_small_numbers(client, petition, partners, settings):
    settings.CHORUS_COUNTRY_FLOOR = 2
    for n in range(3):
        sign(client, petition, {"name": f"Signer {n}", "email": f"s{n}@example.org",
                                "country": "DE", "source": "rainbow-network"})
    sign(client, petition, {"name": "Solo", "email": "solo@example.org", "country": "FR",
                            "source": "open-hands"})
    confirm_all()
    totals = {row.source: (row.count, row.fewer_than) for row in partner_totals(petition.pk)}
    assert totals == {"rainbow-network": (3, None), "open-hands": (None, 2)}

    api = client.get(f"/api/v1/petitions/{petition.slug}/partners").json()
    assert api["partners"][0] == {"source": "rainbow-network", "name": "Rainbow Network",
                                  "total_signatures": 3, "fewer_than": None}
    assert api["partners"][1]["total_signatures"] is None
    history = client.get(f"/petitions/{petition.slug}/history/").content.decode()
    assert "Signatures by partner" in history and "fewer than 2" in history


def test_the_partner_dashboard_shows_its_tally_and_opt_ins(
    client, petition, partners, partner_owner, signer
):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    sign(client, petition, {**signer, "email": "b@example.org", "source": "rainbow-network"})
    confirm_all()
    client.force_login(partner_owner)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Petitions you are a partner on" in page
    row = page.split(petition.title)[-1]
    cells = re.findall(r'<td class="number">(\d+)</td>', row)[:3]
    assert cells == ["2", "2", "1"]
    assert signer["email"] not in page


def test_a_partner_with_its_own_key_gets_its_export_sealed_to_it(
    client, petition, partners, partner_owner, signer
):
    identity = x25519.Identity.generate()
    organisation_key_register(organisation=partner_owner.partner.organisation,
                              recipient=str(identity.to_public()), actor=partner_owner)
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    confirm_all()
    client.force_login(partner_owner)
    response = client.get(reverse("signatures:exports:partner_csv",
                                  args=[petition.slug, partners[0].pk]))
    assert response["Content-Disposition"].endswith('.csv.age"')
    plain = pyrage.decrypt(b"".join(response.streaming_content), [identity]).decode()
    assert "nadia.petrova@example.org" in plain


def test_when_the_owner_seals_a_partners_opted_in_signer_stays_readable_for_it(
    client, owner, petition, partners, partner_owner, signer
):
    identity = x25519.Identity.generate()
    organisation_key_register(organisation=petition.organisation,
                              recipient=str(identity.to_public()), actor=owner)
    sign(client, petition, {**signer, "updates": "", "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    sign(client, petition, {**signer, "email": "quiet@example.org", "updates": "",
                            "source": "rainbow-network"})
    for signature in Signature.objects.all():
        signature_confirm(signature=signature)
    quiet = Signature.objects.get(email_digest=email_digest("quiet@example.org"))
    assert quiet.sealed and quiet.email == "" and quiet.name == ""
    rows = export(client, partner_owner, petition, partners[0])
    assert [(row["name"], row["email"]) for row in rows] == [
        ("Nadia Petrova", "nadia.petrova@example.org")]


def test_the_signers_download_names_the_partners_that_know_of_them(
    client, petition, partners, signer
):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    signature = Signature.objects.get()
    response = client.get(reverse("signatures:manage_data", args=[manage_token(signature.pk)]))
    data = response.json()
    assert data["came_through_partner"] == "Rainbow Network"
    assert data["partners_to_hear_from"] == ["Rainbow Network"]


def test_sealing_later_keeps_the_name_an_opted_in_partner_needs(
    client, owner, petition, partners, signer
):
    sign(client, petition, {**signer, "source": "rainbow-network",
                            "partner_updates": "rainbow-network"})
    sign(client, petition, {**signer, "email": "quiet@example.org", "name": "Quiet One"})
    identity = x25519.Identity.generate()
    organisation_key_register(organisation=petition.organisation,
                              recipient=str(identity.to_public()), actor=owner)
    signatures_seal()
    names = dict(Signature.objects.values_list("email_digest", "name"))
    assert names[email_digest(signer["email"])] == "Nadia Petrova"
    assert names[email_digest("quiet@example.org")] == ""
