"""Regenerate the single initial migration from the models (only before the first release).

Usage: python scripts/regen_initial_migration.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from hawker.migrations import HERE, alembic_config

versions = HERE / "versions"
for old in versions.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    cfg = alembic_config(f"sqlite+aiosqlite:///{Path(tmp) / 'empty.sqlite3'}")
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
written = [str(p) for p in versions.glob("0001_*.py")]
ruff = [sys.executable, "-m", "ruff"]
subprocess.run([*ruff, "format", "--quiet", *written], check=True)
subprocess.run([*ruff, "check", "--fix", "--quiet", *written], check=True)
print("wrote", *written)
