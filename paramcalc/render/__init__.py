"""Renderers: each turns a :class:`~paramcalc.report.Report` into one output format.

Only :mod:`paramcalc.render.table` imports rich, so JSON and Markdown output never pay
for it at start-up.
"""
