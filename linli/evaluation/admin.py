"""Evaluation's admin: each part registers its own models in its module."""

from linli.evaluation import admin_projects  # noqa: F401  EVAL-2's score sheet and limits
