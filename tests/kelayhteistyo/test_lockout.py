"""Login throttling (django-axes): five failures lock the account tried, whatever the address,
and nothing else; a locked account answers the same to right and wrong passwords."""

import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests import factories as f

WRONG = "väärä-salasana-123"


def attempt(client, email, password, address="192.0.2.10", forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": email, "password": password}, **headers)


def page_text(response) -> str:
    """The page without its per-response tokens (CSRF, CSP nonce)."""
    return re.sub(r'(value|nonce|content)="[^"]*"', "", response.content.decode())


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_failure_is_stored_with_the_account_tried(client, alice):
    attempt(client, alice.email.upper(), WRONG)
    assert AccessAttempt.objects.get().username == alice.email


def test_five_failures_from_three_addresses_lock_the_account(client, alice):
    for i in range(5):
        attempt(client, alice.email, WRONG, address=f"192.0.2.{i % 3 + 1}")
    response = attempt(client, alice.email, f.PASSWORD, address="198.51.100.7")
    assert response.status_code == 429 and not logged_in(client)


def test_logging_in_to_ones_own_account_does_not_wipe_the_guesses_on_another(client, alice, bob):
    for _ in range(5):
        attempt(client, alice.email, WRONG)
        assert attempt(client, bob.email, f.PASSWORD).status_code == 302  # the attacker's own
        client.post(reverse("logout"))
    assert attempt(client, alice.email, f.PASSWORD).status_code == 429


def test_a_locked_account_answers_the_same_to_right_and_wrong_passwords(client, alice):
    for _ in range(5):
        attempt(client, alice.email, WRONG)
    right = attempt(client, alice.email, f.PASSWORD)
    wrong = attempt(client, alice.email, WRONG)
    assert right.status_code == wrong.status_code == 429
    assert page_text(right) == page_text(wrong)
    assert not logged_in(client)


def test_failures_on_made_up_accounts_lock_nobody_behind_the_same_address(client, alice):
    for i in range(10):
        attempt(client, f"ei-ole-{i}@example.fi", WRONG, address="203.0.113.1")
    assert attempt(client, alice.email, f.PASSWORD, address="203.0.113.1").status_code == 302


def test_one_locked_account_does_not_lock_another(client, alice, bob):
    for _ in range(5):
        attempt(client, alice.email, WRONG)
    assert attempt(client, bob.email, f.PASSWORD).status_code == 302


def test_the_count_is_per_account_and_the_documented_five(client, alice):
    for _ in range(4):
        attempt(client, alice.email, WRONG)
    assert attempt(client, alice.email, f.PASSWORD).status_code == 302  # 4 are allowed


def test_a_forwarded_address_is_not_believed_without_a_trusted_proxy(client, alice):
    attempt(client, alice.email, WRONG, address="192.0.2.50", forwarded="198.51.100.99")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"


@pytest.mark.parametrize(
    ("forwarded", "client_address"),
    [("198.51.100.99", "198.51.100.99"), ("1.2.3.4, 198.51.100.99", "198.51.100.99")],
)
def test_behind_a_trusted_proxy_its_forwarded_address_is_the_clients(
    client, alice, settings, forwarded, client_address
):
    settings.TRUSTED_PROXY_COUNT = 1  # a spoofed first entry (1.2.3.4) is ignored
    attempt(client, alice.email, WRONG, address="10.0.0.2", forwarded=forwarded)
    assert AccessAttempt.objects.get().ip_address == client_address
