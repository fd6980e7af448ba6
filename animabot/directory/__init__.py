"""The directory of local actors ("forces vives"): associations, businesses, public services.

Pure code only: the CSV format (:mod:`.csv_import`) and the French-friendly search
(:mod:`.search`); the actor itself is :mod:`animabot.domain.actor` (the store speaks it
too), the table lives in :mod:`animabot.store.actors`.
"""
