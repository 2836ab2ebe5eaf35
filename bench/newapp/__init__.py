"""A tenant app with one migration, installed only when BENCH_NEW_MIGRATION=1: the deploy
benchmark's "one new migration" (see bench/tenants.py)."""
