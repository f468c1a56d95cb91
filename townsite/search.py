"""French full-text search that ignores accents ("epicerie" finds "épicerie").

PostgreSQL's French stemming runs on text first stripped of its accents by
`public.placette_unaccent(text)`, an IMMUTABLE function (so an index and a generated column can
use it) created by mutual aid's migration 0001 (another module's migration may run
CREATE_FUNCTION too: it does nothing once the function exists). It wraps the `unaccent`
extension where the server has it (Debian's PostgreSQL, production), else the same mapping
for the letters French uses, in SQL (the embedded PostgreSQL of dev and tests ships no
extension). The modules' search documents are generated columns with a GIN index; the query
goes through the same function.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db.models import CharField, Func, GeneratedField, Value
from django.db.models.functions import Coalesce

SEARCH_CONFIG = "french"

# Letters with accents as French (and its neighbours) write them, and what they become.
_FROM = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŸ"
_TO = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyyY"

# Only our two constants go into this SQL, never input.
CREATE_FUNCTION = f"""
DO $do$
BEGIN
    IF to_regprocedure('public.placette_unaccent(text)') IS NOT NULL THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
        CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
        CREATE FUNCTION public.placette_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $f$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $f$;
    ELSE
        CREATE FUNCTION public.placette_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $f$ SELECT replace(replace(replace(replace(
                translate($1, '{_FROM}', '{_TO}'),
                'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE') $f$;
    END IF;
EXCEPTION WHEN duplicate_function OR unique_violation THEN
    -- Another schema's migration, running at the same time, made it first.
    NULL;
END
$do$;
"""  # noqa: S608


class Unaccent(Func):
    function = "placette_unaccent"
    output_field = CharField()


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
