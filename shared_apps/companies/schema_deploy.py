"""Apply a deploy's migrations to many company schemas as SQL rendered once, instead of running
Django's migration executor in each schema (~100 ms a schema: loading the graph, reading the
schema's migrations, building the state, every statement a round trip).

The rule (also in README, "Companies and tenancy"; `deploy_migrations` follows it):

- The pending schemas are grouped by the set of migrations they lack; each group is planned and
  rendered once, with `schema_editor(collect_sql=True)` in one schema of the group (the plan, the
  state and any introspection are that schema's, as `migrate` would see them there).
- A group goes by SQL only when every migration of its plan is atomic and every operation is one
  of Django's own (`django.db.migrations.operations`): schema operations and `RunSQL`, also
  inside `SeparateDatabaseAndState`. A `RunPython` counts only where the router skips it in
  company schemas (a shared app's: it does nothing there). Anything else (a `RunPython` that
  runs, a third-party or project operation class, a non-atomic migration, squashed
  migrations) sends the group to Django's executor.
- The SQL must be the same for every schema of the group: it may read the schema while being
  rendered (AlterField, RemoveField and the like look up constraint names) only before the plan
  has rendered any statement, since a real run would read a schema already changed by those.
  Later reads, or a statement that names the schema it was rendered in, send the group to the
  executor. Names are left unqualified and resolved by `search_path` ("<schema>", public), as
  django-tenants sets it when migrating.
- Each schema gets one statement: `SET LOCAL search_path`, the SQL, the `django_migrations`
  rows. SCHEMAS_PER_TRANSACTION schemas share a transaction (every ALTER holds an ACCESS
  EXCLUSIVE lock and every new relation a lock slot until the commit). A batch that fails is
  rolled back and retried one schema at a time; a schema that still fails is reported and left
  pending. Batches run over one connection, or several in threads.
- What `migrate` does besides the operations is not done: its pre/post_migrate signals
  (contenttypes and auth, the only receivers, do nothing in company schemas: those apps live in
  public) and django-tenants' schema_migrated signal (nothing listens to it here)."""

import re
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django.db.migrations.state import ProjectState
from django_tenants.utils import get_public_schema_name

from shared_apps.companies import provisioning

# Schemas per transaction: each holds its locks until the commit (see the module docstring).
SCHEMAS_PER_TRANSACTION = 10
# Schemas whose missing migrations one statement reads. Each statement locks the
# `django_migrations` table of every schema it reads until it ends: one statement for all of them
# ran out of PostgreSQL's lock slots (`max_locks_per_transaction`) at some thousands of companies.
SCHEMAS_PER_QUERY = 200
# Transaction control the schema editor issues while rendering: not a read of the schema.
_TRANSACTION_CONTROL = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")
_DJANGO_OPERATIONS = "django.db.migrations.operations."

Migrations = frozenset[tuple[str, str]]


class NotSqlOnlyError(Exception):
    """A plan that must go through Django's executor; the message says why."""


@dataclass(frozen=True)
class SqlPlan:
    """The migrations a group of schemas lacks, in order, as SQL with unqualified names."""

    migrations: tuple[tuple[str, str], ...]
    sql: str

    def schema_sql(self, schema: str) -> str:
        """One statement for `schema`: the SQL in that schema, then its migration rows. The
        search path goes back to public at the end: inside an outer transaction (tests), SET
        LOCAL would otherwise outlive the batch's savepoint."""
        name = connection.ops.quote_name(schema)
        rows = ", ".join(f"('{app}', '{migration}', now())" for app, migration in self.migrations)
        public = connection.ops.quote_name(get_public_schema_name())
        return (
            f"SET LOCAL search_path = {name}, {public};\n{self.sql}\n"
            f"INSERT INTO {name}.django_migrations (app, name, applied) VALUES {rows};\n"
            f"SET LOCAL search_path = {public}"
        )


@dataclass
class SqlDeploy:
    """What `schemas_deploy` did: schemas migrated by SQL, schemas whose SQL failed (with the
    error), and schemas left to Django's executor (with the reason)."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    executor: dict[str, str] = field(default_factory=dict)


def migrations_missing(
    schemas: list[str], *, per_query: int = SCHEMAS_PER_QUERY
) -> dict[str, Migrations]:
    """The migrations on disk each of `schemas` has not recorded (schemas lacking none are
    left out): one query per `per_query` schemas."""
    wanted = sorted(provisioning.migrations_on_disk())
    missing = defaultdict(set)
    for start in range(0, len(schemas), per_query):
        chunk = schemas[start : start + per_query]
        parts = [
            f"SELECT %s, w.app, w.name FROM wanted w WHERE NOT EXISTS (SELECT FROM "  # noqa: S608 - schema names are checked slugs
            f"{connection.ops.quote_name(schema)}.django_migrations m "
            "WHERE m.app = w.app AND m.name = w.name)"
            for schema in chunk
        ]
        wanted_cte = "WITH wanted (app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) "
        sql = wanted_cte + " UNION ALL ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(sql, [[app for app, _ in wanted], [name for _, name in wanted], *chunk])
            for schema, app, name in cursor.fetchall():
                missing[schema].add((app, name))
    return {schema: frozenset(lacking) for schema, lacking in missing.items()}


def sql_plan_render(schema: str) -> SqlPlan:
    """Plan and render what `schema` lacks, as `migrate` would there, without changing it;
    NotSqlOnlyError when the plan must go through the executor (see the module docstring)."""
    connection.set_schema(schema)
    try:
        executor = MigrationExecutor(connection)
        loader = executor.loader
        if loader.replacements:
            raise NotSqlOnlyError("squashed migrations")
        loader.check_consistent_history(connection)
        plan = [migration for migration, _ in executor.migration_plan(loader.graph.leaf_nodes())]
        for migration in plan:
            migration_sql_only_check(migration)
        return SqlPlan(
            migrations=tuple((m.app_label, m.name) for m in plan),
            sql=_render(schema, plan, _applied_state(executor)),
        )
    finally:
        connection.set_schema_to_public()


def migration_sql_only_check(migration) -> None:
    label = f"{migration.app_label}.{migration.name}"
    if not migration.atomic:
        raise NotSqlOnlyError(f"{label} is not atomic")
    if not re.fullmatch(r"\w+", migration.app_label) or not re.fullmatch(r"\w+", migration.name):
        raise NotSqlOnlyError(f"{label}: not a plain name")
    pending = list(migration.operations)
    while pending:
        operation = pending.pop()
        if isinstance(operation, SeparateDatabaseAndState):
            pending += operation.database_operations
        elif isinstance(operation, RunPython):
            # Django runs the code only where the router allows the app (RunPython's own test).
            if router.allow_migrate(connection.alias, migration.app_label, **operation.hints):
                raise NotSqlOnlyError(f"{label} runs Python code")
        elif not type(operation).__module__.startswith(_DJANGO_OPERATIONS):
            raise NotSqlOnlyError(f"{label}: {type(operation).__name__} is not one of Django's")


def _applied_state(executor: MigrationExecutor) -> ProjectState:
    """The project state of the schema's applied migrations, as the executor builds it."""
    loader = executor.loader
    state = ProjectState(real_apps=loader.unmigrated_apps)
    for migration, _ in executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True):
        if (migration.app_label, migration.name) in loader.applied_migrations:
            migration.mutate_state(state, preserve=False)
    return state


def _render(schema: str, plan: list, state: ProjectState) -> str:
    statements: list[str] = []
    editor = None

    def rendered() -> int:
        current = editor.collected_sql if editor is not None else []
        return len(statements) + sum(not s.startswith("--") for s in current)

    def refuse_late_reads(execute, sql, params, many, context):
        if rendered() and not _TRANSACTION_CONTROL.match(sql):
            raise NotSqlOnlyError(f"reads the schema after changing it: {sql[:80]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_late_reads):
        for migration in plan:
            with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                state = migration.apply(state, editor, collect_sql=True)
            statements += [s for s in editor.collected_sql if not s.startswith("--")]
            editor = None
    sql = "\n".join(statements)
    if re.search(rf'(?<![\w"])"?{re.escape(schema)}"?\.', sql):
        raise NotSqlOnlyError(f"the SQL names the schema {schema}")
    return sql


def schemas_deploy(
    schemas: list[str],
    *,
    missing: dict[str, Migrations] | None = None,
    connections_count: int = 1,
    per_transaction: int = SCHEMAS_PER_TRANSACTION,
    progress: Callable[[str], None] | None = None,
) -> SqlDeploy:
    """Migrate `schemas` by SQL where their plan allows it (see the module docstring); the
    others are returned in `executor` for Django's executor. `missing`: what each schema
    lacks, if just read (`migrations_missing`); a plan found to differ from it when rendered
    sends its group to the executor."""
    result = SqlDeploy()
    groups = defaultdict(list)
    missing = migrations_missing(schemas) if missing is None else missing
    for schema in sorted(schemas):
        if missing.get(schema):
            groups[missing[schema]].append(schema)
    for lacking, members in groups.items():
        try:
            plan = sql_plan_render(members[0])
            if set(plan.migrations) != lacking:  # the schema changed since it was read
                raise NotSqlOnlyError(f"{members[0]} lacks other migrations than it did")
        except NotSqlOnlyError as reason:
            result.executor.update(dict.fromkeys(members, str(reason)))
            continue
        failed = schemas_apply_sql(
            members,
            plan,
            connections_count=connections_count,
            per_transaction=per_transaction,
            progress=progress,
        )
        result.failed.update(failed)
        result.done += [schema for schema in members if schema not in failed]
    return result


def schemas_apply_sql(
    schemas: list[str],
    plan: SqlPlan,
    *,
    connections_count: int = 1,
    per_transaction: int = SCHEMAS_PER_TRANSACTION,
    progress: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Run `plan` in each of `schemas`, `per_transaction` schemas a transaction, over
    `connections_count` connections; the schemas that failed, with the error."""
    batches = [schemas[i : i + per_transaction] for i in range(0, len(schemas), per_transaction)]
    counter = _Progress(len(schemas), progress)
    if connections_count <= 1 or len(batches) == 1:
        return _apply_batches(batches, plan, counter)

    def in_thread(share: list[list[str]]) -> dict[str, str]:
        try:
            return _apply_batches(share, plan, counter)
        finally:
            connections[connection.alias].close()  # this thread's own connection

    shares = [batches[i::connections_count] for i in range(connections_count)]
    failed = {}
    with ThreadPoolExecutor(max_workers=connections_count) as pool:
        for share_failed in pool.map(in_thread, shares):
            failed.update(share_failed)
    return failed


def _apply_batches(batches: list[list[str]], plan: SqlPlan, counter: "_Progress") -> dict:
    db = connections[connection.alias]
    db.set_schema_to_public()
    failed = {}
    for batch in batches:
        try:
            _apply(db, batch, plan)
        except DatabaseError:
            for schema in batch:  # the batch was rolled back: find the schema that fails
                try:
                    _apply(db, [schema], plan)
                except DatabaseError as error:
                    failed[schema] = str(error).strip().splitlines()[0]
        counter.add(batch, failed)
    return failed


def _apply(db, schemas: list[str], plan: SqlPlan) -> None:
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        for schema in schemas:
            cursor.execute(plan.schema_sql(schema))


class _Progress:
    """`[20/1000 (2%) sql] bg0011..bg0020` lines, from any thread."""

    def __init__(self, total: int, write: Callable[[str], None] | None):
        self.total, self.write, self.done, self.lock = total, write, 0, threading.Lock()

    def add(self, batch: list[str], failed: dict) -> None:
        if self.write is None:
            return
        with self.lock:
            self.done += len(batch)
            line = f"[{self.done}/{self.total} ({100 * self.done // self.total}%) sql] "
            line += f"{batch[0]}..{batch[-1]}" if len(batch) > 1 else batch[0]
            errors = [f"{s} FAILED: {failed[s]}" for s in batch if s in failed]
            self.write("\n".join([line, *errors]))
