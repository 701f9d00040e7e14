#!/usr/bin/env python3
"""Python trafilatura on the extraction benchmarks, for a same-run comparison.

Usage: python3 examples/trafilatura_bench.py DIR [DIR ...] > out.json

Each DIR holds html/<id>.html or html/<id>.html.gz and truth/<id>.json (as
for examples/extract_bench.rs). All pages are read into memory first and
grouped by collection: the truth file's "subset", else the id's prefix
before the first "-", else "scrapinghub" (the rule of
tests/extraction/bench.rs). Then trafilatura.extract(html,
include_comments=False) (the settings of the ScrapingHub benchmark's own
trafilatura runner) runs over each collection on one thread, three passes,
and the fastest pass is reported, in wall-clock seconds and in this
thread's CPU seconds (the fairer figure on a busy machine). Prints one JSON
object: {"version", "seconds", "cpu_seconds", "pages", "subsets": {name:
{"seconds", "cpu_seconds", "pages"}}, "preds": {id: text}}. Scoring is left
to the Rust example (`extract_bench --compare-trafilatura`), so both
extractors are scored by the same code.
"""

import gzip
import json
import re
import sys
import time
from pathlib import Path

import trafilatura


def subset_of(page_id, truth):
    if truth.get("subset"):
        return truth["subset"]
    prefix, dash, _ = page_id.partition("-")
    if dash and re.fullmatch(r"[A-Za-z]+", prefix):
        return prefix
    return "scrapinghub"


def load(root):
    pages = []
    for path in sorted((root / "html").iterdir()):
        name = path.name
        if name.endswith(".html.gz"):
            page_id = name[: -len(".html.gz")]
            html = gzip.decompress(path.read_bytes()).decode("utf-8")
        elif name.endswith(".html"):
            page_id = name[: -len(".html")]
            html = path.read_text(encoding="utf-8")
        else:
            continue
        truth = json.loads((root / "truth" / f"{page_id}.json").read_text("utf-8"))
        pages.append((subset_of(page_id, truth), page_id, html))
    return pages


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    groups = {}
    for d in sys.argv[1:]:
        for subset, page_id, html in load(Path(d)):
            groups.setdefault(subset, []).append((page_id, html))
    preds = {}
    subsets = {}
    for subset, pages in groups.items():
        best = best_cpu = float("inf")
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.thread_time()
            out = {}
            for page_id, html in pages:
                out[page_id] = trafilatura.extract(html, include_comments=False) or ""
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.thread_time() - start_cpu)
            preds.update(out)
        subsets[subset] = {"seconds": best, "cpu_seconds": best_cpu, "pages": len(pages)}
    json.dump(
        {
            "version": trafilatura.__version__,
            "seconds": sum(s["seconds"] for s in subsets.values()),
            "cpu_seconds": sum(s["cpu_seconds"] for s in subsets.values()),
            "pages": sum(s["pages"] for s in subsets.values()),
            "subsets": subsets,
            "preds": preds,
        },
        sys.stdout,
        ensure_ascii=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
