"""``python -m paramcalc`` runs the same command line as the ``paramcalc`` script."""

from paramcalc.cli import entry_point

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    entry_point()
