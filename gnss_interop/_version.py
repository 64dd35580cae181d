"""The one version string of gnss_interop (read by pyproject.toml and every output's provenance)."""

__version__ = "0.2.0"
