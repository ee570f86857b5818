from django.core.management import call_command

from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature


def test_it_loads_a_site_worth_looking_at_once(db, capsys, client):
    call_command("loaddemo")
    assert "Loaded demo content" in capsys.readouterr().out
    organisation = Organisation.objects.get()
    assert organisation.logo
    open_petitions = Petition.objects.signable()
    assert open_petitions.count() >= 3
    assert all(p.image and p.image_caption is not None for p in open_petitions)
    confirmed = Signature.objects.filter(state="confirmed")
    assert confirmed.count() >= 300
    assert confirmed.values("country").distinct().count() >= 20
    # The counts on the pages are the real counts.
    for petition in Petition.objects.all():
        assert petition.signature_count == confirmed.filter(petition=petition).count()
    assert client.get("/").status_code == 200

    call_command("loaddemo")
    assert "already there" in capsys.readouterr().out
    assert Organisation.objects.count() == 1
