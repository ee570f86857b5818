"""The confirmation funnel: made, confirmed and the rate, per UTC day and per e-mail domain."""

import datetime

from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting.funnel import FUNNEL_DAYS, confirmation_funnel
from chorus.signatures.models import Signature

State = Signature.State


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def at(days_ago: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    day = utc_today() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def opened_long_ago(petition) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(opened_at=at(60))
    return Petition.objects.get(pk=petition.pk)


def sign(petition, n, *, when, domain="example.org", confirmed=False, state=None):
    """n signatures made at `when`; confirmed ones were confirmed an hour later."""
    start = Signature.objects.count()
    state = state or (State.CONFIRMED if confirmed else State.PENDING)
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {i}", email=f"s{i}@{domain}",
            email_digest=email_digest(f"s{i}@{domain}"), email_domain=domain, state=state,
            created_at=when, confirmed_at=when + datetime.timedelta(hours=1) if confirmed else None,
        )
        for i in range(start, start + n)
    )


def test_it_counts_made_and_confirmed_signatures_per_day_newest_first(petition):
    petition = opened_long_ago(petition)
    sign(petition, 3, when=at(0), confirmed=True)
    sign(petition, 1, when=at(0))
    sign(petition, 1, when=at(2), confirmed=True)
    sign(petition, 3, when=at(2))
    funnel = confirmation_funnel(petition)
    assert (funnel.total.made, funnel.total.confirmed, funnel.total.percent) == (8, 4, 50)
    assert len(funnel.days) == FUNNEL_DAYS
    assert [day.day for day in funnel.days[:3]] == [at(0).date(), at(1).date(), at(2).date()]
    figures = [(day.made, day.confirmed, day.percent) for day in funnel.days[:3]]
    assert figures == [(4, 3, 75), (0, 0, None), (4, 1, 25)]


def test_only_the_last_fourteen_days_are_listed_but_all_count_in_the_total(petition):
    petition = opened_long_ago(petition)
    sign(petition, 2, when=at(FUNNEL_DAYS - 1), confirmed=True)
    sign(petition, 5, when=at(FUNNEL_DAYS))
    funnel = confirmation_funnel(petition)
    assert funnel.days[-1].day == at(FUNNEL_DAYS - 1).date()
    assert sum(day.made for day in funnel.days) == 2
    assert funnel.total.made == 7


def test_a_day_is_a_utc_day_whatever_the_sites_time_zone(petition, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # already tomorrow there
    petition = opened_long_ago(petition)
    sign(petition, 1, when=at(1, 23, 30))
    sign(petition, 2, when=at(0, 0, 30), confirmed=True)
    days = {day.day: (day.made, day.confirmed) for day in confirmation_funnel(petition).days}
    assert days[at(1).date()] == (1, 0)
    assert days[at(0).date()] == (2, 2)


def test_days_before_the_petition_opened_are_not_listed(petition):
    Petition.objects.filter(pk=petition.pk).update(opened_at=at(2))
    petition = Petition.objects.get(pk=petition.pk)
    assert [day.day for day in confirmation_funnel(petition).days] == [
        at(0).date(), at(1).date(), at(2).date()
    ]


def test_the_rate_is_rounded_down_so_100_means_every_signer_confirmed(petition):
    petition = opened_long_ago(petition)
    sign(petition, 199, when=at(0), confirmed=True)
    sign(petition, 1, when=at(0))
    assert confirmation_funnel(petition).total.percent == 99


def test_a_signature_confirmed_and_then_withdrawn_or_held_still_counts_as_confirmed(petition):
    petition = opened_long_ago(petition)
    sign(petition, 1, when=at(0), confirmed=True, state=State.WITHDRAWN)
    sign(petition, 1, when=at(0), confirmed=True, state=State.HELD)
    sign(petition, 1, when=at(0), state=State.HELD)
    total = confirmation_funnel(petition).total
    assert (total.made, total.confirmed) == (3, 2)


def test_signatures_the_moderators_invalidated_are_left_out(petition):
    petition = opened_long_ago(petition)
    sign(petition, 2, when=at(0), confirmed=True)
    sign(petition, 50, when=at(0), domain="bots.example", state=State.INVALIDATED)
    funnel = confirmation_funnel(petition)
    assert (funnel.total.made, funnel.days[0].made) == (2, 2)
    assert [row.domain for row in funnel.domains] == []


def test_domains_are_listed_lowest_rate_first(petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 9, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 1, when=at(0), domain="mail.example")
    sign(petition, 5, when=at(0), domain="spamfolder.example")
    sign(petition, 3, when=at(0), domain="box.example", confirmed=True)
    sign(petition, 3, when=at(0), domain="box.example")
    funnel = confirmation_funnel(petition)
    assert [(row.domain, row.made, row.confirmed, row.percent) for row in funnel.domains] == [
        ("spamfolder.example", 5, 0, 0), ("box.example", 6, 3, 50),
        ("mail.example", 10, 9, 90),
    ]
    assert funnel.other_domains is None


def test_domains_with_fewer_signers_than_the_floor_are_grouped_as_other_domains(
    petition, settings
):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 5, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 4, when=at(0), domain="small-ngo.example")
    sign(petition, 2, when=at(0), domain="tiny.example", confirmed=True)
    sign(petition, 1, when=at(0), domain="one.example")
    funnel = confirmation_funnel(petition)
    assert [row.domain for row in funnel.domains] == ["mail.example"]
    other = funnel.other_domains
    assert (other.domain, other.made, other.confirmed, other.percent) == ("", 7, 2, 28)
    assert funnel.other_domains_shown


def test_a_group_of_other_domains_below_the_floor_shows_no_figures(petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 5, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 2, when=at(0), domain="small-ngo.example")
    funnel = confirmation_funnel(petition)
    assert funnel.other_domains.made == 2
    assert not funnel.other_domains_shown


def test_anonymised_signatures_count_in_the_total_but_in_no_domain(petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1
    petition = opened_long_ago(petition)
    sign(petition, 2, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 3, when=at(0), domain="", confirmed=True, state=State.ERASED)
    funnel = confirmation_funnel(petition)
    assert funnel.total.made == 5
    assert [(row.domain, row.made) for row in funnel.domains] == [("mail.example", 2)]
    assert funnel.other_domains is None


def test_it_reads_with_three_queries_however_many_signatures_and_domains(
    petition, settings, django_assert_num_queries
):
    settings.CHORUS_COUNTRY_FLOOR = 2
    petition = opened_long_ago(petition)
    for n, domain in enumerate(["a.example", "b.example", "c.example", "d.example"]):
        sign(petition, 3 + n, when=at(n), domain=domain, confirmed=n % 2 == 0)
        sign(petition, 1, when=at(n), domain=f"lone-{n}.example")
    with django_assert_num_queries(3):
        funnel = confirmation_funnel(petition)
    assert len(funnel.domains) == 4
    with django_assert_num_queries(0):  # then cached for a while
        confirmation_funnel(petition)


def test_other_petitions_signatures_do_not_count(petition, organisation):
    petition = opened_long_ago(petition)
    other = Petition.objects.create(
        organisation=organisation, slug="another", title="Another", target="Someone",
        ask="Act.", goal=10,
    )
    sign(other, 4, when=at(0), confirmed=True)
    assert confirmation_funnel(petition).total.made == 0


def test_it_counts_the_signatures_that_were_reminded_to_confirm(petition):
    petition = opened_long_ago(petition)
    sign(petition, 2, when=at(1))
    sign(petition, 1, when=at(0), confirmed=True)
    Signature.objects.filter(created_at=at(1)).update(reminders_sent=1)

    funnel = confirmation_funnel(petition)

    assert funnel.total.reminded == 2
    assert [day.reminded for day in funnel.days[:2]] == [0, 2]


def test_it_counts_the_addresses_the_mail_server_refused_by_domain(petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 2
    petition = opened_long_ago(petition)
    sign(petition, 3, when=at(0), domain="broken.example")
    sign(petition, 2, when=at(0), domain="fine.example", confirmed=True)
    Signature.objects.filter(email_domain="broken.example").update(
        confirmation_undeliverable_at=at(0))

    funnel = confirmation_funnel(petition)

    assert funnel.total.undeliverable == 3
    assert {row.domain: row.undeliverable for row in funnel.domains} == {
        "broken.example": 3, "fine.example": 0}
