"""French full-text search that ignores accents ("epicerie" finds "épicerie").

PostgreSQL's French stemming runs on text first stripped of its accents by
`public.placette_unaccent(text)` (tenants.text_search, whose CREATE_FUNCTION each migration that
needs it runs: it does nothing once the function exists). The modules' search documents are
generated columns with a GIN index; the query goes through the same function.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.core.validators import slug_re
from django.db.models import CharField, GeneratedField, Value
from django.db.models.functions import Coalesce

from tenants.text_search import CREATE_FUNCTION, FoldAccents

SEARCH_CONFIG = "french"
__all__ = [
    "CREATE_FUNCTION",
    "Unaccent",
    "query_for",
    "slug_typed",
    "title_and_description_document",
    "words_typed",
]
SLUG_MAX = 60


def words_typed(value: object, limit: int = 200) -> str:
    """What was typed in a search box, as a query takes it: spaces collapsed, at most `limit`
    characters, no NUL (PostgreSQL text cannot hold one: the query would fail, not find
    nothing)."""
    return " ".join(str(value).replace("\x00", " ").split())[:limit]


def slug_typed(value: object) -> str:
    """A short name (a category's slug) from a link or the API's query, "" if it is not one
    (a filter with a bad value is ignored, as the lists promise)."""
    text = str(value)
    return text if len(text) <= SLUG_MAX and slug_re.fullmatch(text) else ""


class Unaccent(FoldAccents):
    """Kept under this name and module: the modules' migrations name it."""


def query_for(text: str) -> SearchQuery:
    """What a resident typed, as a French query without accents (words are ANDed)."""
    return SearchQuery(
        Unaccent(Value(text, output_field=CharField())), config=SEARCH_CONFIG, search_type="plain"
    )


def title_and_description_document() -> GeneratedField:
    """A stored search column over `title` (weight A) and `description` (B), accents folded
    (run CREATE_FUNCTION in the migration before it)."""
    return GeneratedField(
        expression=SearchVector(
            Coalesce(Unaccent("title"), Value("")), weight="A", config=SEARCH_CONFIG
        )
        + SearchVector(
            Coalesce(Unaccent("description"), Value("")), weight="B", config=SEARCH_CONFIG
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
