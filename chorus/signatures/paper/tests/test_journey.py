"""Two volunteers type in a street stall's sheets; the petition's count grows by them, once."""

from django.urls import reverse

from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import PaperBatch
from chorus.signatures.paper.tests.test_views import page_data


def test_a_stall_s_sheets_are_typed_twice_verified_and_counted(
        client, editor, second_editor, viewer, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1
    base = f"/organiser/petitions/{petition.slug}/paper/"
    client.force_login(editor)
    assert "Paper signatures" in client.get(
        reverse("petitions:manage:detail", args=[petition.slug])).text
    client.post(base + "new/", {"collector": "Market stall team", "expected_rows": "25"})
    batch = PaperBatch.objects.get()
    assert batch.code in client.get(base).text
    assert client.get(f"{base}{batch.code}/sheet.pdf").status_code == 200

    typed = {0: ("Lena Sokolova", "DE", "lena@example.org", True),
             1: ("Omar Haddad", "France", "", False)}
    assert client.get(f"{base}{batch.code}/entry/1/").status_code == 200
    client.post(f"{base}{batch.code}/entry/1/", page_data(typed, action="save"))
    client.post(f"{base}{batch.code}/entry/1/?page=2",
                page_data({0: ("Chen Li", "CN", "", False)}, action="finish"))

    client.force_login(second_editor)
    entry = client.get(f"{base}{batch.code}/entry/2/")
    assert "Lena Sokolova" not in entry.text
    client.post(f"{base}{batch.code}/entry/2/",
                page_data({**typed, 1: ("Omar Hadad", "FR", "", False)}, action="next"))
    client.post(f"{base}{batch.code}/entry/2/?page=2",
                page_data({0: ("chen  li", "cn", "", False)}, action="finish"))

    compare = client.get(f"{base}{batch.code}/compare/")
    assert [row.position for row, _form in compare.context["rows"]] == [2]
    accepted = client.post(f"{base}{batch.code}/compare/", {
        **page_data({0: ("Omar Haddad", "FR", "", False)}, prefix="fix", total=1),
        "fix-0-position": "2"}, follow=True)
    assert "3 signatures will be counted" in accepted.text

    signatures_count()
    petition.refresh_from_db()
    assert petition.signature_count == 3
    assert client.get(f"/petitions/{petition.slug}/count.json").json()["paper"] == {
        "signature_count": 3, "fewer_than": None}

    client.force_login(viewer)
    anomalies = client.get(base + "anomalies/")
    assert anomalies.status_code == 200
    assert "Market stall team" in anomalies.text
    assert client.get(f"{base}{batch.code}/").status_code == 200
