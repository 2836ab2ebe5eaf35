import argparse
import sys

from bench import api, exports, imports, overhead, reminders, reports, tenants

BENCHMARKS = {
    "api": api,
    "overhead": overhead,
    "reports": reports,
    "exports": exports,
    "imports": imports,
    "reminders": reminders,
    "tenants": tenants,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="default: all")
    args, rest = parser.parse_known_args()
    failures = 0
    for name in args.names or BENCHMARKS:
        failures += BENCHMARKS[name].main(rest)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
