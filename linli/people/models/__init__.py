from linli.people.choices import Sex
from linli.people.models.access import AccessGrant, CorrectionRequest
from linli.people.models.records import Contact, Resident, ResidentTag, Tag

__all__ = ["AccessGrant", "Contact", "CorrectionRequest", "Resident", "ResidentTag", "Sex", "Tag"]
