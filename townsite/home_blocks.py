"""The blocks modules add to the town's home page: townsite may not import the modules above it,
so each module registers its own at start-up (in its AppConfig.ready()):

    from townsite.home_blocks import Block, register
    register("mutual_aid", build)   # build(request) -> Block | None (None: nothing to show)

A block is a template and its context; blocks show in the order they were registered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Block:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


BlockBuilder = Callable[[HttpRequest], Block | None]

# (name, builder), in the order the blocks show on the page.
HOME_BLOCKS: list[tuple[str, BlockBuilder]] = []


def register(name: str, build: BlockBuilder) -> None:
    """Add (or replace) the home page block `name`."""
    for index, (existing, _build) in enumerate(HOME_BLOCKS):
        if existing == name:
            HOME_BLOCKS[index] = (name, build)
            return
    HOME_BLOCKS.append((name, build))


def rendered_blocks(request: HttpRequest) -> list[SafeString]:
    """The blocks to show this visitor, as HTML. A module's block that fails is left out (and
    logged, so Sentry sees it): the rest of the town's home page still shows."""
    rendered = []
    for name, build in HOME_BLOCKS:
        try:
            block = build(request)
            if block is not None:
                rendered.append(render_to_string(block.template, block.context, request))
        except Exception:
            logger.exception("Home page block %r failed", name)
    return rendered
