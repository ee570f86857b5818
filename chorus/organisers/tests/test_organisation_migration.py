"""Organisation moved from petitions to organisers: the rows must come along untouched."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [
    ("organisers", "0002_login_failure"),
    ("petitions", "0005_proof_of_work"),
    ("api", "0001_initial"),
    ("stories", "0001_initial"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_organisations_and_everything_pointing_at_them_survive_the_move():
    leaves = _leaves()
    old = _migrate(BEFORE_THE_MOVE)
    try:
        user = old.get_model("auth", "User").objects.create(username="owner@example.org")
        organisation = old.get_model("petitions", "Organisation").objects.create(
            name="Spectrum Alliance", slug="spectrum-alliance", website="https://example.org"
        )
        petition = old.get_model("petitions", "Petition").objects.create(
            organisation=organisation, slug="stop-it", title="Stop it", target="Them",
            ask="Stop.", body="Please.", goal=10,
        )
        old.get_model("organisers", "Membership").objects.create(
            user=user, organisation=organisation, role="owner"
        )
        old.get_model("api", "ApiKey").objects.create(
            organisation=organisation, name="Partner", prefix="abc", digest="0" * 64
        )
        old.get_model("stories", "Story").objects.create(
            organisation=organisation, title="News", slug="news", body="Text"
        )
    finally:
        new = _migrate(leaves)

    Organisation = new.get_model("organisers", "Organisation")
    assert Organisation._meta.db_table == "organisers_organisation"
    assert "organisers_organisation" in connection.introspection.table_names()
    assert "petitions_organisation" not in connection.introspection.table_names()
    moved = Organisation.objects.get()
    assert (moved.pk, moved.slug, moved.website) == (
        organisation.pk, "spectrum-alliance", "https://example.org"
    )
    assert new.get_model("petitions", "Petition").objects.get(pk=petition.pk).organisation == moved
    assert new.get_model("organisers", "Membership").objects.get().organisation == moved
    assert new.get_model("api", "ApiKey").objects.get().organisation == moved
    assert new.get_model("stories", "Story").objects.get().organisation == moved
    # The foreign keys still hold: an organisation with petitions cannot be deleted.
    with pytest.raises(Exception, match="(?i)foreign key|protect|constraint"):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM organisers_organisation")
