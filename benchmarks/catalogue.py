"""What reading the gettext catalogues at run time costs: both .po files parsed by Babel (once per process),
beside compiling them to .mo in memory and reading that (what a committed .mo would save), and one t() call
beside a plain dict lookup (what the old TEXTS dict was).

    python benchmarks/catalogue.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gettext
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.mofile import write_mo  # noqa: E402

from i18n import catalogue  # noqa: E402


def seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    def read_po() -> None:
        catalogue.messages.cache_clear()
        for lang in catalogue.LANGUAGES:
            catalogue.messages(lang)

    compiled = {}
    for lang in catalogue.LANGUAGES:
        buffer = io.BytesIO()
        write_mo(buffer, catalogue.read_catalogue(lang))
        compiled[lang] = buffer.getvalue()

    def read_mo() -> None:
        for lang in catalogue.LANGUAGES:
            gettext.GNUTranslations(io.BytesIO(compiled[lang]))

    po, mo = seconds(read_po, args.repeats), seconds(read_mo, args.repeats)
    count = len(catalogue.all_keys())
    print(f"messages per language: {count}")
    print(f"read both .po with Babel (run time, once per process): {po * 1000:8.1f} ms")
    print(
        f"read both compiled .mo (if committed):                 {mo * 1000:8.1f} ms   ratio {po / mo:5.1f}x"
    )

    spanish = catalogue.messages("es").texts
    keys = [key for key in catalogue.all_keys() if isinstance(spanish[key], str)]
    plain = {key: ("es", "en") for key in keys}
    calls = 100_000
    started = time.perf_counter()
    for i in range(calls):
        catalogue.t(keys[i % len(keys)], "es")
    per_t = (time.perf_counter() - started) / calls
    started = time.perf_counter()
    for i in range(calls):
        plain[keys[i % len(keys)]][0]
    per_dict = (time.perf_counter() - started) / calls
    print(f"t(key, 'es') without values:  {per_t * 1e6:6.2f} µs per call")
    print(
        f"plain dict lookup (old TEXTS): {per_dict * 1e6:6.2f} µs per call   ratio {per_t / per_dict:5.1f}x"
    )


if __name__ == "__main__":
    main()
