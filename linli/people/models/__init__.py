from linli.people.choices import Sex
from linli.people.models.access import AccessGrant, CorrectionRequest
from linli.people.models.credentials import Credential
from linli.people.models.records import Contact, Resident, ResidentTag, Tag

__all__ = [
    "AccessGrant",
    "Contact",
    "Credential",
    "CorrectionRequest",
    "Resident",
    "ResidentTag",
    "Sex",
    "Tag",
]
