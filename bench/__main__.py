"""`python -m bench`: run every benchmark and print its figures.

`python -m bench checkin_http` (or `make bench BENCH=checkin_http`) runs only those named.
"""

import argparse
import importlib

BENCHMARKS = [
    "people_import",
    "checkin_http",
    "reports_scale",
    "supplies_http",
    "supplies_scale",
    "gate_http",
    "pass_tokens",
    "downloads",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"the benchmarks to run (default: all of them): {', '.join(BENCHMARKS)}",
    )
    names = parser.parse_args().names or BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (there are {', '.join(BENCHMARKS)})")
    for number, name in enumerate(names):
        if number:
            print()
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main()
