from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits non-zero at the first bad entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit log broken at entry {result.bad_seq}: {result.reason} "
                f"({result.checked} entries verified before it)."
            )
        self.stdout.write(f"Audit log intact: {result.checked} entries verified.")
