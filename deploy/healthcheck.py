#!/usr/bin/env python3
"""Container health check: GET the URL given, healthy on a 2xx within 3 s."""
import sys
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
        sys.exit(0 if 200 <= response.status < 300 else 1)
except Exception:
    sys.exit(1)
