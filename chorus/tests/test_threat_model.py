"""docs/threat-model.md and the tests behind it are the same table.

Each attacker the page names has tests that show what they get and what they
do not; this fails when a row, or a test it relies on, goes missing.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "threat-model.md"

# attacker → the test modules (under chorus/) that hold the row up, and a test
# each must contain: the behaviour the row promises.
THREATS = {
    "thief of a database dump": {
        "signatures/tests/test_encryption.py":
            "test_addresses_and_postcodes_are_stored_encrypted",
        "signatures/tests/test_privacy_journeys.py":
            "test_a_raw_dump_of_the_database_after_the_journeys_holds_no_address_or_ip",
    },
    "thief of the whole server (database, environment, keys, code)": {
        "signatures/sealing/tests/test_seized_server.py":
            "test_a_dump_of_the_whole_server_names_nobody_who_did_not_ask",
    },
    "compelled operator (a court orders the operator to hand over, or to change the code)": {
        "signatures/sealing/tests/test_seized_server.py":
            "test_a_dump_of_the_whole_server_names_nobody_who_did_not_ask",
        "signatures/sealing/tests/test_views.py": "test_with_a_key_the_exports_come_sealed",
    },
    "network observer in the signer's country": {
        "lib/tests/test_hosts.py": "test_onion_pages_link_only_to_the_onion_and_send_no_hsts",
        "signatures/tests/test_privacy_journeys.py":
            "test_no_public_page_requests_another_origin",
    },
    "someone with the signer's phone": {
        "signatures/tests/test_leave_no_trace.py":
            "test_the_thanks_confirm_and_manage_pages_leave_no_trace",
        "signatures/tests/test_browser_no_trace.py":
            "test_signing_and_confirming_leave_no_trace_in_the_browser",
        "signatures/tests/test_reminders.py":
            "test_the_reminder_of_a_discreet_petition_names_nothing",
    },
}


def table_rows() -> list[list[str]]:
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| attacker"):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_the_page_names_every_attacker_and_no_other():
    assert [row[0] for row in table_rows()] == list(THREATS)


def test_each_row_says_what_they_get_what_they_do_not_and_what_changes_it():
    for row in table_rows():
        assert len(row) == 5 and all(row), row[0]


def test_each_row_names_its_tests_and_they_exist():
    for row in table_rows():
        named = set(re.findall(r"`([\w/]+\.py)`", row[4]))
        assert named == set(THREATS[row[0]]), row[0]
        for module, test in THREATS[row[0]].items():
            source = (ROOT / "chorus" / module).read_text(encoding="utf-8")
            assert f"def {test}(" in source, f"{module} lost {test}"
