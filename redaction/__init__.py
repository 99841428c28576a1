"""PII detection and redaction for Dalel (Presidio + Kazakhstan recognizers + natasha).

Importing the package first makes sure tldextract (used by Presidio's e-mail recognizer)
uses its bundled public-suffix snapshot instead of fetching one: Dalel runs air-gapped.
"""

import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
