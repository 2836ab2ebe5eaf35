from importlib import import_module

Migration = import_module(
    "tests.companies.deploy_app.schema_only.migrations.0001_initial"
).Migration
