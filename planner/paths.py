"""Where the project's files are: templates, static files, migrations, examples."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
