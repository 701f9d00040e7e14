"""Python feedparser's reading of feeds served over HTTP, for
examples/feed_compare.rs.

Usage: python3 feedparser_compare.py < list-of-urls

Reads one URL per stdin line (the harness serves each file on 127.0.0.1),
has feedparser fetch and parse it, and prints one JSON object per line:
{"url", "bozo", "error", "error_type", "version", "entries", "links"} --
whether feedparser found the document ill-formed (bozo) and why (the
exception's class: `SAXParseException` for XML that is not well-formed,
others for encoding or content-type complaints), the format it took the
document for, how many entries it read, and each entry's link (null when
it has none). A feedparser crash is reported with error_type "crash", a
reading that takes longer than TIMEOUT seconds with "hang".

Needs `pip install feedparser`; not a dependency of pressd or its tests.
"""

import json
import os
import signal
import sys

import feedparser

# Seconds one document may take: far above what any small feed needs.
TIMEOUT = 30

# The harness's server is on loopback; a proxy from the environment must
# not be asked for it.
os.environ["no_proxy"] = "127.0.0.1,localhost"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"


class Hang(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Hang()


def read(url):
    signal.alarm(TIMEOUT)
    try:
        parsed = feedparser.parse(url)
    finally:
        signal.alarm(0)
    exception = parsed.get("bozo_exception")
    return {
        "url": url,
        "bozo": bool(parsed.get("bozo")),
        "error": str(exception) if exception is not None else None,
        "error_type": type(exception).__name__ if exception is not None else None,
        "version": parsed.get("version") or "",
        "entries": len(parsed.entries),
        "links": [e.get("link") for e in parsed.entries],
    }


def failed(url, kind, message):
    return {
        "url": url,
        "bozo": True,
        "error": message,
        "error_type": kind,
        "version": "",
        "entries": 0,
        "links": [],
    }


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    for line in sys.stdin:
        url = line.strip()
        if not url:
            continue
        try:
            out = read(url)
        except Hang:
            out = failed(url, "hang", f"no result after {TIMEOUT} s")
        except Exception as e:  # a crash of feedparser is a result too
            out = failed(url, "crash", f"feedparser raised {e!r}")
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
