"""Accents folded in PostgreSQL, so that a search ignores them ("evry" finds "Évry").

`public.placette_unaccent(text)` is IMMUTABLE, so an index and a generated column can use it.
It wraps the `unaccent` extension where the server has it (Debian's PostgreSQL, production),
else the same mapping for the letters French uses, in SQL (the embedded PostgreSQL of dev and
tests ships no extension). A migration whose column or index uses it runs CREATE_FUNCTION
first; it does nothing once the function exists.
"""

from __future__ import annotations

from django.db.models import CharField, Func

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


class FoldAccents(Func):
    function = "placette_unaccent"
    output_field = CharField()
