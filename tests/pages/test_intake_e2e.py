"""The counter intake page against the real dialogue (Rasa and its action server started by
`running_system`): the form and a correction go through the real Rasa tracker."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_counter_intake_through_the_real_dialogue(
    site, log_in, monkeypatch, running_system
) -> None:
    settings = site.app.state.settings
    monkeypatch.setattr(settings, "rasa_url", running_system.rasa_url)
    page = log_in("counter_fuchun")
    page.wait_for_url(re.compile(r".*/staff/intake\?s=.+"))
    # The real dialogue answers the start of an application.
    page.locator(".msg.bot .bubble").first.wait_for(timeout=60_000)

    # A correction goes into the real tracker and comes back from it.
    page.locator('tr[data-slot="applicant_name"] button.edit').click()
    page.fill("#correction input[name=value]", "王五")
    page.click("#correction button[type=submit]")
    name_cell = "document.querySelector('tr[data-slot=applicant_name] .value')"
    page.wait_for_function(f"() => {name_cell}.textContent === '王五'", timeout=30_000)
    # The conversation goes on with the real dialogue.
    page.fill(".composer input", "你好")
    page.click(".composer button")
    page.locator(".msg.bot").nth(1).wait_for(timeout=60_000)

    session_id = page.url.split("s=")[1]
    page.goto(f"/staff/intake/summary?s={session_id}")
    assert page.locator('tr[data-slot="applicant_name"] td').inner_text() == "王五"
