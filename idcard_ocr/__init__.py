"""idcard-ocr: a self-hosted reader for Chinese resident ID cards.

The package has three parts that do not reach into each other:

- ``idcard_ocr.pipeline``: image bytes in, fields out (no HTTP, no accounts);
- ``idcard_ocr.api``: the HTTP service that speaks the ``POST /ocr/idcard-v1`` contract;
- ``idcard_ocr.storage``: accounts, switches and the ledger, on SQLite or PostgreSQL.

``idcard_ocr.domain`` holds the ID-card knowledge (check character, regions, nationalities,
validity terms) as data and pure functions; ``idcard_ocr.synth`` draws test cards with known
answers; ``idcard_ocr.cli`` is the ``idcard-ocr`` command.
"""

__version__ = "0.1.0"
