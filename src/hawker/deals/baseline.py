"""The flash-sale baseline most shops run, kept for ``bench/flash_sale.py``'s naive mode only
(``HAWKER_STOCK_ENGINE=locking``): lock the deal row (``SELECT ... FOR UPDATE``), decide in
Python, write, and hold the lock until the order commits, so every buyer, refused or not,
queues on that one row. Never the default: Hawker's own engines are the conditional update and
Redis."""

from __future__ import annotations


class LockingBaseline:
    on = False


LOCKING_BASELINE = LockingBaseline()
