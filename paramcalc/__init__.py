"""paramcalc: count a neural network's parameters, and say why, without a framework.

The package is layered so data flows one way: ``spec`` (parse) -> ``engine`` + ``rules``
(shapes and named parameter terms) -> ``report`` (inert data) -> ``render`` (text, JSON,
Markdown, LaTeX).  ``cli`` is a thin shell over those pieces.  The engine is split by job
(``naming``, ``counting``, ``graph_build``), the rule registry too (``rules.registry``,
``rules.binding``, ``rules.nested``, ``rules.masks``), and each framework's conventions are
one record in ``frameworks``; docs/architecture.md has the map.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
