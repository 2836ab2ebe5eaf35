"""A company app that only the deploy tests install (tests/companies/test_deploy.py), with the
migrations a deploy may bring, one set per package (`<set>.migrations`, chosen by
MIGRATION_MODULES): `schema_only` (schema operations and RunSQL: applied as SQL), `altered` (the
same, then an AlterField that reads the schema's constraint names) and `with_python` (a
RunPython: the executor's)."""
