"""crosscheck: fingerprint locally, exchange securely, cross-check, analyse, lead."""

__version__ = "0.1.0"

__all__ = ["__version__"]
