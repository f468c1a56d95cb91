"""The site's Content-Security-Policy in a real browser: the town's colour, in a <style> with the
request's nonce, applies; what the policy refuses is reported, and the suite's watch catches it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import LiveServer
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"


def test_the_town_colour_applies_through_its_nonce(
    live_server_any_host: LiveServer, page: Any, _no_csp_violation: list[str]
) -> None:
    page.goto(live_server_any_host.url(HOST))
    declared = page.evaluate(
        """() => document.querySelector('style[nonce]').textContent
            .match(/--color-primary: (#[0-9a-f]{6})/)[1]"""
    )
    applied = page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--color-primary')"
    )
    assert applied.strip() == declared
    assert page.evaluate("() => typeof htmx") == "object"  # htmx.min.js ran, from 'self'
    assert page.locator("head > style").count() == 1  # htmx added no <style> of its own
    assert _no_csp_violation == []


def test_an_inline_style_and_script_are_refused_and_reported(
    live_server_any_host: LiveServer, page: Any, _no_csp_violation: list[str]
) -> None:
    page.goto(live_server_any_host.url(HOST))
    page.evaluate(
        """() => {
            document.body.insertAdjacentHTML('beforeend',
                '<p id="styled" style="color: rgb(255, 0, 0)">x</p>');
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.append(script);
        }"""
    )
    colour = page.evaluate("() => getComputedStyle(document.getElementById('styled')).color")
    assert colour != "rgb(255, 0, 0)"
    assert page.evaluate("() => window.injected") is None
    page.wait_for_timeout(200)  # the console's messages arrive
    refused = list(_no_csp_violation)
    _no_csp_violation.clear()  # caught as it should be: the test itself passes
    assert any("inline style" in line for line in refused), refused
    assert any("inline script" in line for line in refused), refused
