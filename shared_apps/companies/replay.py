"""A company schema made by replaying the template schema's DDL, written here from the
template's own catalog. Replayed with the new schema first on the search_path, it makes:

1. the sequences that are not an identity column's;
2. each table `LIKE` the template's (columns, collations, NOT NULL, defaults, generation
   expressions, CHECK constraints under their names), then, per table, its identity columns
   (their sequences under the template's names), primary key, unique and exclusion constraints;
3. the template's rows (`django_migrations`, what data migrations wrote) and sequence values;
4. its indexes, then its foreign keys, under the template's names (the API maps a violated
   constraint to its field by name).

`LIKE` copies expression trees: a CHECK constraint's deparsed text does not always parse back
to the same tree (a varchar IN list does not), so CHECKs are not written out. Indexes and the
other constraints are (`pg_get_indexdef`, `pg_get_constraintdef`), and a test compares them
with a migrated schema's.

Every catalog query reaches the template's objects through indexes (`pg_depend` by namespace,
then `pg_attribute`, `pg_constraint`, `pg_index` ... by relation), never through
`information_schema` views, which scan the whole catalog: the cost neither of writing the DDL
nor of replaying it grows with the number of schemas in the database.

The new schema's name is nowhere in the DDL, and the template's only where it is read from:
the DDL is written with the template alone on the search_path, so that PostgreSQL's deparsers
leave the template's objects unqualified (anything elsewhere, e.g. in `public`, stays
qualified), and replayed with the new schema alone on it. No text is replaced, so a default or
a CHECK that spells out "template." is copied as it is.

What the replay cannot copy (views, functions, triggers, comments, inheritance ...) is refused
by name when the DDL is written, rather than left out of new companies."""

from dataclasses import dataclass

from django.db import connection, transaction

# Objects of the template that `template_ddl` copies: plain tables and sequences. Anything else
# depending on the schema, or attached to its tables, is named in an error.
UNSUPPORTED_SQL = """
    SELECT pg_describe_object(d.classid, d.objid, 0)
    FROM pg_depend d LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
    WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %(schema)s::regnamespace
      AND (c.oid IS NULL OR c.relkind NOT IN ('r', 'S') OR c.relispartition
           OR c.relrowsecurity OR c.relpersistence <> 'p')
    UNION ALL
    SELECT pg_describe_object('pg_trigger'::regclass, t.oid, 0) FROM pg_trigger t
    WHERE t.tgrelid = ANY(%(tables)s) AND NOT t.tgisinternal
    UNION ALL
    SELECT pg_describe_object('pg_rewrite'::regclass, r.oid, 0) FROM pg_rewrite r
    WHERE r.ev_class = ANY(%(tables)s)
    UNION ALL
    SELECT pg_describe_object('pg_policy'::regclass, p.oid, 0) FROM pg_policy p
    WHERE p.polrelid = ANY(%(tables)s)
    UNION ALL
    SELECT 'inheritance of ' || pg_describe_object('pg_class'::regclass, i.inhrelid, 0)
    FROM pg_inherits i WHERE i.inhrelid = ANY(%(tables)s)
    UNION ALL
    SELECT 'comment on ' || pg_describe_object(ds.classoid, ds.objoid, ds.objsubid)
    FROM pg_description ds WHERE ds.objoid = ANY(%(tables)s)
    UNION ALL
    SELECT pg_describe_object('pg_constraint'::regclass, co.oid, 0) || ' (NOT VALID)'
    FROM pg_constraint co
    WHERE co.conrelid = ANY(%(tables)s) AND (co.contype = 't' OR NOT co.convalidated)
"""

# The template's tables and sequences (through pg_depend's index on the referenced object:
# pg_class has no index on the namespace alone).
RELATIONS_SQL = """
    SELECT c.oid, c.relkind, quote_ident(c.relname)
    FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_namespace'::regclass
      AND d.refobjid = %s::regnamespace
    ORDER BY c.relname
"""

# Per column: whether it is an identity column or generated, and its default when that reads
# a sequence (a serial's nextval): LIKE would point the copy at the template's sequence.
COLUMNS_SQL = """
    SELECT a.attrelid, a.attnum, quote_ident(a.attname), a.attidentity, a.attgenerated,
           CASE WHEN EXISTS (
               SELECT FROM pg_depend d JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
               WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                 AND d.refclassid = 'pg_class'::regclass
           ) THEN pg_get_expr(ad.adbin, ad.adrelid) END
    FROM pg_attribute a
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum
"""

# Each sequence with its options and the column that owns it: deptype 'i' for an identity
# column's, 'a' for a serial's (OWNED BY).
SEQUENCES_SQL = """
    SELECT c.oid, quote_ident(c.relname), format_type(s.seqtypid, NULL), s.seqstart,
           s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
           owner.refobjid, owner.refobjsubid, owner.deptype
    FROM pg_class c
    JOIN pg_sequence s ON s.seqrelid = c.oid
    LEFT JOIN pg_depend owner ON owner.classid = 'pg_class'::regclass AND owner.objid = c.oid
         AND owner.refclassid = 'pg_class'::regclass AND owner.deptype IN ('a', 'i')
    WHERE c.oid = ANY(%s)
    ORDER BY c.relname
"""

# CHECK constraints come with LIKE; the others are written out.
CONSTRAINTS_SQL = """
    SELECT co.conrelid, co.contype, quote_ident(co.conname), pg_get_constraintdef(co.oid),
           co.conindid
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    WHERE co.conrelid = ANY(%s) AND co.contype IN ('p', 'u', 'x', 'f')
    ORDER BY cl.relname, co.conname
"""

INDEXES_SQL = """
    SELECT i.indexrelid, pg_get_indexdef(i.indexrelid, 0, true)
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE i.indrelid = ANY(%s)
    ORDER BY ic.relname
"""


class UnsupportedTemplateError(Exception):
    """The template holds something the replay does not copy (see `UNSUPPORTED_SQL`)."""


def quote_name(name: str) -> str:
    """A PostgreSQL identifier, always quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A PostgreSQL string literal (standard_conforming_strings, the default since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def schema_ddl(schema_name: str, template_ddl: str) -> str:
    """The statements that make `schema_name` from `template_ddl`, in the current transaction
    (the search_path set here lasts until its end)."""
    schema = quote_name(schema_name)
    return f"CREATE SCHEMA {schema};\nSET LOCAL search_path TO {schema};\n{template_ddl}"


def schema_replay(schema_name: str, template_ddl: str) -> None:
    """Make `schema_name` from `template_ddl` on Django's connection, in a transaction, and
    give the connection its search_path back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        [search_path] = cursor.fetchone()
        cursor.execute(schema_ddl(schema_name, template_ddl))
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])


def template_ddl(template: str) -> str:
    """The statements that make the schema first on the search_path a copy of `template`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('search_path'), "
            "set_config('search_path', quote_ident(%s), true)",
            [template],
        )
        [search_path, _] = cursor.fetchone()
        ddl = _template_ddl(cursor, template)
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
    return ddl


@dataclass(frozen=True)
class Column:
    number: int
    name: str
    identity: str  # "a" (ALWAYS), "d" (BY DEFAULT) or ""
    generated: str  # "s" (STORED) or ""
    sequence_default: str | None  # a default that reads a sequence, deparsed


@dataclass(frozen=True)
class Sequence:
    oid: int
    name: str
    data_type: str
    start: int
    increment: int
    minimum: int
    maximum: int
    cache: int
    cycle: bool
    table: int | None  # the owning column, if any
    column: int | None
    owned_as: str | None  # "i": an identity column's; "a": a serial's (OWNED BY)

    @property
    def options(self) -> str:
        return (
            f"START WITH {self.start} INCREMENT BY {self.increment} MINVALUE {self.minimum} "
            f"MAXVALUE {self.maximum} CACHE {self.cache} {'' if self.cycle else 'NO '}CYCLE"
        )


@dataclass(frozen=True)
class Constraint:
    table: int
    kind: str
    name: str
    definition: str
    index: int  # the index that enforces it (0: none)


def _template_ddl(cursor, template: str) -> str:
    source = quote_name(template)
    cursor.execute(RELATIONS_SQL, [template])
    relations = cursor.fetchall()
    tables = {oid: name for oid, kind, name in relations if kind == "r"}
    cursor.execute(UNSUPPORTED_SQL, {"schema": template, "tables": list(tables)})
    if unsupported := sorted(row[0] for row in cursor.fetchall()):
        raise UnsupportedTemplateError(
            "the template schema holds what the replay would leave out of new company "
            "schemas: " + "; ".join(unsupported)
        )
    cursor.execute(COLUMNS_SQL, [list(tables)])
    columns: dict[int, list[Column]] = {oid: [] for oid in tables}
    for table, *column in cursor.fetchall():
        columns[table].append(Column(*column))
    cursor.execute(SEQUENCES_SQL, [[oid for oid, kind, _ in relations if kind == "S"]])
    sequences = [Sequence(*row) for row in cursor.fetchall()]
    cursor.execute(CONSTRAINTS_SQL, [list(tables)])
    constraints = [Constraint(*row) for row in cursor.fetchall()]
    cursor.execute(INDEXES_SQL, [list(tables)])
    made_by_constraints = {constraint.index for constraint in constraints}
    indexes = [f"{ddl};" for oid, ddl in cursor.fetchall() if oid not in made_by_constraints]
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT {oid} FROM {source}.{name} HAVING count(*) > 0"  # noqa: S608 - catalog names, quoted
            for oid, name in tables.items()
        )
    )
    tables_with_rows = [oid for (oid,) in cursor.fetchall()]

    names = {(oid, column.number): column.name for oid in tables for column in columns[oid]}
    identities = {(s.table, s.column): s for s in sequences if s.owned_as == "i"}
    statements = [
        f"CREATE SEQUENCE {s.name} AS {s.data_type} {s.options};"
        for s in sequences
        if s.owned_as != "i"
    ]
    # LIKE copies the columns (types, collations, NOT NULL, defaults, generation expressions)
    # and the CHECK constraints, names included, as the template's expression trees: their
    # deparsed text would not always parse back to the same tree (a varchar IN list does not).
    statements += [
        f"CREATE TABLE {name} (LIKE {source}.{name} "
        "INCLUDING ALL EXCLUDING INDEXES EXCLUDING IDENTITY);"
        for name in tables.values()
    ]
    for oid, table in tables.items():
        changes = [
            f"ALTER COLUMN {c.name} SET DEFAULT {c.sequence_default}"
            for c in columns[oid]
            if c.sequence_default
        ]
        changes += [
            f"ALTER COLUMN {c.name} ADD GENERATED {'ALWAYS' if c.identity == 'a' else 'BY DEFAULT'}"
            f" AS IDENTITY (SEQUENCE NAME {s.name} {s.options})"
            for c in columns[oid]
            if (s := identities.get((oid, c.number)))
        ]
        changes += [
            f"ADD CONSTRAINT {c.name} {c.definition}"
            for c in constraints
            if c.table == oid and c.kind in "pux"
        ]
        if changes:
            statements.append(f"ALTER TABLE {table} " + ", ".join(changes) + ";")
    for oid in tables_with_rows:  # what migrations wrote: django_migrations, data migrations
        insertable = ", ".join(c.name for c in columns[oid] if not c.generated)
        statements.append(
            f"INSERT INTO {tables[oid]} ({insertable}) OVERRIDING SYSTEM VALUE "  # noqa: S608 - catalog names, quoted
            f"SELECT {insertable} FROM {source}.{tables[oid]};"
        )
    statements += [
        f"SELECT setval({quote_literal(s.name)}, last_value, is_called) FROM {source}.{s.name};"  # noqa: S608
        for s in sequences
    ]
    statements += indexes
    statements += [  # after the unique constraints and indexes they reference
        f"ALTER TABLE {tables[c.table]} ADD CONSTRAINT {c.name} {c.definition};"
        for c in constraints
        if c.kind == "f"
    ]
    statements += [
        f"ALTER SEQUENCE {s.name} OWNED BY {tables[s.table]}.{names[s.table, s.column]};"
        for s in sequences
        if s.owned_as == "a"
    ]
    return "\n".join(statements) + "\n"
