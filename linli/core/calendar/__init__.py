"""The official Chinese working-day calendar (CASE-5).

Holidays on weekdays and worked weekend days (调休) are stored per year; every other day
follows the Monday–Friday rule. `services` seeds and edits years, `selectors` computes
deadlines from them.
"""
