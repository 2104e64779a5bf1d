"""The ledger's FamilyLink rows become people Contacts (the one family relation).

Each link goes on a resident record: the requesting user's own, else the named relative's
(whose acceptance was the resident's consent); the relation is then read from the record's
side ("母亲" named by a child becomes "子女" on the mother's record). An accepted link becomes
a linked family contact (`user`), a pending one a request (`requested_user`). A link between
two accounts neither of whom has a resident record cannot be kept: the migration refuses and
names them, so an operator registers a record for one of the two (or deletes the link)
before migrating again. Nothing of value is lost either way: gifts already given stay in
the ledger's books.
"""

from django.db import migrations

# A copy, as it was when this migration was written (people.services.family has the live one).
INVERSE_RELATION = {
    **dict.fromkeys(("父亲", "母亲", "父母", "爸爸", "妈妈"), "子女"),
    **dict.fromkeys(("儿子", "女儿", "子女", "孩子"), "父母"),
    **dict.fromkeys(("丈夫", "妻子", "配偶", "老伴", "爱人"), "配偶"),
    **dict.fromkeys(("爷爷", "奶奶", "外公", "外婆", "祖父", "祖母", "祖父母"), "孙辈"),
    **dict.fromkeys(("孙子", "孙女", "外孙", "外孙女", "孙辈"), "祖辈"),
    **dict.fromkeys(("哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "兄弟姐妹"), "兄弟姐妹"),
}


def _name(user):
    return (user.full_name or user.username)[:50]


def forwards(apps, schema_editor):
    FamilyLink = apps.get_model("ledger", "FamilyLink")
    Contact = apps.get_model("people", "Contact")
    Resident = apps.get_model("people", "Resident")
    links = list(FamilyLink.objects.select_related("user", "relative").order_by("pk"))
    if not links:
        return
    users = {link.user_id for link in links} | {link.relative_id for link in links}
    records = {r.user_id: r for r in Resident.objects.filter(user_id__in=users)}
    orphans = [link.pk for link in links if not ({link.user_id, link.relative_id} & set(records))]
    if orphans:
        raise RuntimeError(
            "ledger.FamilyLink %s: neither account has a resident record, so the link cannot "
            "become a family contact. Register a resident record for one of the two accounts "
            "(or delete the link), then migrate again." % ", ".join(map(str, orphans))
        )
    for link in links:
        if link.user_id in records:
            record, account, relation = records[link.user_id], link.relative, link.relation
        else:
            record, account = records[link.relative_id], link.user
            relation = INVERSE_RELATION.get(link.relation, "家人")
        linked = Contact.objects.filter(resident=record, user=account).first()
        asked = Contact.objects.filter(resident=record, requested_user=account).first()
        if link.accepted_at is None:
            if linked is None and asked is None:
                row = Contact.objects.create(
                    resident=record,
                    name=_name(account),
                    relation=relation,
                    phone="",
                    requested_user=account,
                    requested_by_id=link.user_id,
                )
                Contact.objects.filter(pk=row.pk).update(created_at=link.created_at)
            continue
        if asked is not None:
            asked.delete()
        if linked is None:
            row = Contact.objects.create(
                resident=record,
                name=_name(account),
                relation=relation,
                phone="",
                user=account,
                requested_by_id=link.user_id,
                accepted_at=link.accepted_at,
                accepted_by_id=link.accepted_by_id,
            )
            Contact.objects.filter(pk=row.pk).update(created_at=link.created_at)
        elif linked.accepted_at is None:  # registered by staff; the link's acceptance too
            Contact.objects.filter(pk=linked.pk).update(
                requested_by_id=link.user_id,
                accepted_at=link.accepted_at,
                accepted_by_id=link.accepted_by_id,
            )


def backwards(apps, schema_editor):
    """Links made by users go back to FamilyLink (staff-registered contacts stay)."""
    FamilyLink = apps.get_model("ledger", "FamilyLink")
    Contact = apps.get_model("people", "Contact")
    rows = Contact.objects.filter(requested_by__isnull=False).select_related("resident")
    for row in rows.order_by("pk"):
        account_id = row.user_id or row.requested_user_id
        owner_id = row.resident.user_id
        if account_id is None or owner_id is None:
            continue
        other_id = account_id if row.requested_by_id == owner_id else owner_id
        if other_id == row.requested_by_id:
            continue
        FamilyLink.objects.get_or_create(
            user_id=row.requested_by_id,
            relative_id=other_id,
            defaults={
                "relation": row.relation,
                "accepted_at": row.accepted_at,
                "accepted_by_id": row.accepted_by_id,
            },
        )
        if row.requested_user_id is not None:
            row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_programmes"),
        ("people", "0005_contact_family_links"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
