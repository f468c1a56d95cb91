"""A new town's schema made from the template schema in one round trip of DDL.

django-tenants' `clone_schema` (pg-clone-schema, in PL/pgSQL) creates its 4,600-line function
again and reads the catalog object by object for every new town: about 1 s a clone on a quiet
machine, 300 ms more for the `migrate_schemas --fake` that follows, and its catalog scans grow
with the number of schemas. The template only changes through its migrations, so what makes a
copy of it is read once per process and kept until its migrations change. A clone is then one
message run with the new schema on the search path:

- each table as `CREATE TABLE ... (LIKE template.table INCLUDING ALL)`, which copies columns,
  defaults, generated columns, identities, checks, indexes and comments as PostgreSQL holds them
  (re-reading printed definitions would not do: `x IN ('a', 'b')` prints as a cast array that
  reads back as another expression);
- the template's rows (`django_migrations` among them: nothing is faked) and its sequences'
  positions;
- its foreign keys, printed by `pg_get_constraintdef` with the template on the search path so
  that the tables they name come out unqualified;
- a DO block giving every index, unique key and identity sequence the template's name (LIKE
  makes names of its own; Django's migrations later drop or rename them by the template's).

Each is sent as one message and PostgreSQL runs it as one batch.

Anything in the template this does not know how to copy (a view, a function, a trigger, a
sequence no identity column owns...) makes `template_ddl` return None: the caller then clones
with django-tenants' function, which copies those too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import schema_context

# The template's own objects, found through their dependency on its namespace (an index scan of
# pg_depend, as DROP SCHEMA does) rather than by reading pg_class by namespace, which has no
# index: with 10,000 towns that is 3.8 million rows, 1.6 s each time the DDL is read. Tables and
# sequences depend on the namespace; indexes, constraints, columns and row types on their table.
_MEMBERS = """
SELECT objid AS oid, classid FROM pg_depend
WHERE refclassid = 'pg_namespace'::regclass AND refobjid = %(ns)s::regnamespace
"""
_TABLE_OIDS = f"""
SELECT m.oid FROM ({_MEMBERS}) m JOIN pg_class c ON c.oid = m.oid
WHERE m.classid = 'pg_class'::regclass AND c.relkind = 'r'
"""  # noqa: S608  (constant text, as are the queries built on it below)

# Objects of the template that the DDL below does not reproduce (each query counts them).
_UNSUPPORTED = (
    # anything but tables and identity sequences in the namespace (functions, types, views...)
    f"""SELECT count(*) FROM ({_MEMBERS}) m LEFT JOIN pg_class c
        ON m.classid = 'pg_class'::regclass AND c.oid = m.oid
    WHERE c.oid IS NULL OR c.relkind NOT IN ('r', 'S')
      OR (c.relkind = 'r' AND c.reloptions IS NOT NULL)
      OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))""",  # noqa: S608
    # triggers, rules, policies and extended statistics on its tables
    f"""SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid IN ({_TABLE_OIDS})
                AND NOT tgisinternal)
         + (SELECT count(*) FROM pg_rewrite WHERE ev_class IN ({_TABLE_OIDS}))
         + (SELECT count(*) FROM pg_policy WHERE polrelid IN ({_TABLE_OIDS}))
         + (SELECT count(*) FROM pg_statistic_ext WHERE stxrelid IN ({_TABLE_OIDS}))""",  # noqa: S608
)

# Each table: its name, the columns its rows are copied by (generated ones are computed
# again), and its identity sequences as (column, sequence, its type).
_TABLES = f"""
SELECT c.relname,
  string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE a.attgenerated = ''),
  coalesce(array_agg(ARRAY[a.attname::text, s.relname::text, q.seqtypid::regtype::text]
                     ORDER BY a.attnum) FILTER (WHERE s.relname IS NOT NULL), '{{}}')
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
     AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
     AND a.attidentity <> ''
LEFT JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
LEFT JOIN pg_sequence q ON q.seqrelid = s.oid
WHERE c.oid IN ({_TABLE_OIDS})
GROUP BY c.oid, c.relname
ORDER BY c.relname
"""  # noqa: S608
_FOREIGN_KEYS = f"""
SELECT format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', r.relname, con.conname,
              pg_get_constraintdef(con.oid))
FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid
WHERE con.conrelid IN ({_TABLE_OIDS}) AND con.contype = 'f'
ORDER BY r.relname, con.conname
"""  # noqa: S608
# What an index is, without its name or its table's schema: how the DO block pairs the
# template's indexes with the copy's.
_INDEX_SHAPE = "regexp_replace(pg_get_indexdef(i.indexrelid), '^.*? USING ', '')"
_INDEXES = f"""
SELECT t.relname, {_INDEX_SHAPE}, ic.relname
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
WHERE i.indrelid IN ({_TABLE_OIDS})
ORDER BY 1, 2, 3
"""  # noqa: S608  (no input: the shape's expression)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(_literal(value) for value in values) + "]::text[]"


def _renames(
    tables: list[str],
    indexes: list[tuple[str, str, str]],
    sequences: list[tuple[str, str, str, str]],
) -> str:
    """A DO block giving the copy's indexes (and so their constraints) the template's names,
    each paired by table and definition, in two passes through temporary names so that no
    rename collides with a name LIKE gave another index; then its identity sequences' names
    and types."""
    wanted = ",\n".join(
        f"({_literal(table)}, {_literal(shape)}, {_literal(name)})"
        for table, shape, name in indexes
    )
    oids = ", ".join(f"{_literal(_quoted(table))}::regclass" for table in tables)
    return f"""DO $clone$
DECLARE made text[]; wanted text[]; tables text[] := {_array([s[0] for s in sequences])};
  columns text[] := {_array([s[1] for s in sequences])};
  names text[] := {_array([s[2] for s in sequences])};
  kinds text[] := {_array([s[3] for s in sequences])}; sequence text;
BEGIN
  WITH wanted(tbl, shape, name) AS (VALUES {wanted}),
  wanted_n AS (SELECT *, row_number() OVER (PARTITION BY tbl, shape ORDER BY name) AS n
               FROM wanted),
  made AS (SELECT t.relname::text AS tbl, {_INDEX_SHAPE} AS shape, ic.relname::text AS name,
                  row_number() OVER (PARTITION BY t.relname, {_INDEX_SHAPE}
                                     ORDER BY ic.relname) AS n
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_class t ON t.oid = i.indrelid
           WHERE i.indrelid = ANY (ARRAY[{oids}]))
  SELECT array_agg(made.name), array_agg(wanted_n.name) INTO made, wanted
  FROM made JOIN wanted_n USING (tbl, shape, n) WHERE made.name <> wanted_n.name;
  FOR i IN 1 .. coalesce(array_length(made, 1), 0) LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', made[i], 'placette_clone_' || i);
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(made, 1), 0) LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', 'placette_clone_' || i, wanted[i]);
  END LOOP;
  -- LIKE names a sequence after its table as it is now (the template's may carry an older
  -- name: a renamed table keeps its sequence's), and makes it a bigint whatever the column.
  FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
    sequence := pg_get_serial_sequence(quote_ident(tables[i]), columns[i]);
    IF (SELECT seqtypid::regtype::text FROM pg_sequence
        WHERE seqrelid = sequence::regclass) <> kinds[i] THEN
      EXECUTE format('ALTER SEQUENCE %s AS %s', sequence, kinds[i]);
    END IF;
    IF sequence::regclass::text <> quote_ident(names[i]) THEN
      EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', sequence, names[i]);
    END IF;
  END LOOP;
END
$clone$"""  # noqa: S608  (names from the catalog, quoted as literals)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TemplateDDL:
    """What makes a copy of the template, to run with the copy's schema on the search path."""

    fingerprint: tuple[int, int]
    statements: tuple[str, ...]


_cache: dict[str, TemplateDDL] = {}


def _fingerprint(template: str) -> tuple[int, int]:
    """Changes whenever a migration is applied to or unapplied from the template."""
    with connection.cursor() as cursor:
        table = f"{_quoted(template)}.django_migrations"
        cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {table}")  # noqa: S608
        count, last = cursor.fetchone()
    return int(count), int(last)


def _read_ddl(template: str, fingerprint: tuple[int, int]) -> TemplateDDL | None:
    arguments = {"ns": template}
    source = _quoted(template)
    with schema_context(template), connection.cursor() as cursor:
        for query in _UNSUPPORTED:
            cursor.execute(query, arguments)
            if cursor.fetchone()[0]:
                return None
        cursor.execute(_TABLES, arguments)
        tables = cursor.fetchall()
        cursor.execute(_FOREIGN_KEYS, arguments)
        foreign_keys = [row[0] for row in cursor.fetchall()]
        cursor.execute(_INDEXES, arguments)
        indexes = cursor.fetchall()
    statements = [
        f"CREATE TABLE {_quoted(name)} (LIKE {source}.{_quoted(name)} INCLUDING ALL)"
        for name, _, _ in tables
    ]
    for name, columns, _ in tables:
        statements.append(
            f"INSERT INTO {_quoted(name)} ({columns}) OVERRIDING SYSTEM VALUE "  # noqa: S608
            f"SELECT {columns} FROM {source}.{_quoted(name)}"
        )
    sequences = [
        (name, column, sequence, kind)
        for name, _, identities in tables
        for column, sequence, kind in identities
    ]
    for name, column, sequence, _ in sequences:
        made = f"pg_get_serial_sequence({_literal(_quoted(name))}, {_literal(column)})"
        statements.append(
            f"SELECT setval({made}, last_value, is_called) FROM {source}.{_quoted(sequence)}"  # noqa: S608
        )
    statements.extend(foreign_keys)
    statements.append(_renames([name for name, _, _ in tables], indexes, sequences))
    return TemplateDDL(fingerprint, tuple(statements))


def template_ddl(template: str) -> TemplateDDL | None:
    """What copies the template, read again only when its migrations changed; None when it
    holds something this module does not copy."""
    fingerprint = _fingerprint(template)
    known = _cache.get(template)
    if known is None or known.fingerprint != fingerprint:
        ddl = _read_ddl(template, fingerprint)
        if ddl is None:
            _cache.pop(template, None)
            return None
        _cache[template] = known = ddl
    return known


def clone_schema(template: str, schema_name: str) -> bool:
    """Create `schema_name` as a copy of `template`, structure and rows; False (nothing done)
    when the template holds objects this cannot copy. Run it in a transaction: a failure then
    leaves no half-made schema."""
    ddl = template_ddl(template)
    if ddl is None:
        return False
    with schema_context(schema_name), connection.cursor() as cursor:
        # One message: PostgreSQL parses and runs it as one batch, one round trip for a few
        # hundred statements (the search path, when it travels in each statement, goes first:
        # naming a schema that does not exist yet is allowed, and once made it is used).
        cursor.execute(";\n".join((f"CREATE SCHEMA {_quoted(schema_name)}", *ddl.statements)))
    return True
