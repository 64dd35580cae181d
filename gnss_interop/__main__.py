"""``python -m gnss_interop``: the ``gnss-interop`` command."""

from gnss_interop.cli import app

app(prog_name="gnss-interop")
