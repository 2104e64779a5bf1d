from linli.people.services.intake import resident_find_or_create

__all__ = ["resident_find_or_create"]
