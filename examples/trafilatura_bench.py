#!/usr/bin/env python3
"""Python trafilatura on the extraction benchmark, for a same-run comparison.

Usage: python3 examples/trafilatura_bench.py DIR > out.json

DIR holds html/<id>.html (as for examples/extract_bench.rs). All pages are
read into memory first; then trafilatura.extract(html, include_comments=False)
(the settings of the benchmark's own trafilatura runner) runs over them on
one thread, three passes, and the fastest pass is reported, in wall-clock
seconds and in this thread's CPU seconds (the fairer figure on a busy
machine). Prints one JSON object: {"version", "seconds", "cpu_seconds",
"pages", "preds": {id: text}}. Scoring is left
to the Rust example (`extract_bench --compare-trafilatura`), so both
extractors are scored by the same code.
"""

import json
import sys
import time
from pathlib import Path

import trafilatura


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    html_dir = Path(sys.argv[1]) / "html"
    pages = [
        (p.stem, p.read_text(encoding="utf-8"))
        for p in sorted(html_dir.glob("*.html"))
    ]
    best = best_cpu = float("inf")
    preds = {}
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.thread_time()
        out = {}
        for page_id, html in pages:
            out[page_id] = trafilatura.extract(html, include_comments=False) or ""
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.thread_time() - start_cpu)
        preds = out
    json.dump(
        {
            "version": trafilatura.__version__,
            "seconds": best,
            "cpu_seconds": best_cpu,
            "pages": len(pages),
            "preds": preds,
        },
        sys.stdout,
        ensure_ascii=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
