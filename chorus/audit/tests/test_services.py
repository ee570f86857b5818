from chorus.audit.services import audit_record
from chorus.testing import make_user


def test_the_log_names_people_without_their_email_address(db):
    user = make_user("lev.organiser@example.org")
    assert audit_record(actor=user, action="x").actor_name == f"#{user.pk}"
    user.first_name, user.last_name = "Lev", "Tolstoy"
    assert audit_record(actor=user, action="x").actor_name == f"Lev Tolstoy (#{user.pk})"


def test_actions_nobody_took_are_recorded_as_the_system(db):
    entry = audit_record(actor=None, action="petition.close")
    assert (entry.actor, entry.actor_name) == (None, "system")
