# A posting in one round trip on PostgreSQL (LEDGER-5, issue 18): the statements of
# services/posting_sql.py as one function, so the accounts' row locks are held for one
# server-side call (plus the commit) instead of four client round trips.
# Plus room on each account page for new row versions: a balance update then stays a HOT
# update (balance and updated_at are in no index), not a new entry in all five indexes.

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION linli_ledger_post(
    p_key text, p_kind text, p_memo text, p_actor bigint, p_reverses bigint,
    p_fingerprint text, p_now timestamptz,
    p_accounts bigint[], p_books text[], p_amounts bigint[],
    OUT outcome text, OUT txn_id bigint, OUT balances bigint[]
) LANGUAGE plpgsql AS $$
DECLARE
    n_found int;
    wrong_book boolean;
    short boolean;
BEGIN
    -- Lock in id order (postings never deadlock), then judge each leg under the locks. The
    -- join on unnest keeps the cached generic plan an index lookup per account.
    SELECT count(*), bool_or(a.book <> l.book),
           bool_or(l.amount < 0 AND a.min_balance IS NOT NULL
                   AND a.balance + l.amount < a.min_balance),
           array_agg(a.balance + l.amount ORDER BY l.n)
      INTO n_found, wrong_book, short, balances
      FROM (SELECT a.id, a.book, a.balance, a.min_balance
              FROM unnest(p_accounts) AS x(id) JOIN ledger_account a ON a.id = x.id
             ORDER BY a.id FOR UPDATE OF a) a
      JOIN unnest(p_accounts, p_books, p_amounts) WITH ORDINALITY AS l(id, book, amount, n)
        ON l.id = a.id;
    IF n_found <> cardinality(p_accounts) THEN
        outcome := 'missing'; balances := NULL; RETURN;
    END IF;
    IF wrong_book THEN
        outcome := 'book'; balances := NULL; RETURN;
    END IF;
    IF short THEN
        -- A repeat that waited for our locks gets the first result, not "insufficient":
        -- whoever used the key (or reversed the target) on these accounts has committed.
        IF EXISTS (SELECT 1 FROM ledger_transaction WHERE idempotency_key = p_key)
           OR (p_reverses IS NOT NULL
               AND EXISTS (SELECT 1 FROM ledger_transaction WHERE reverses_id = p_reverses))
        THEN
            outcome := 'taken';
        ELSE
            outcome := 'insufficient';
        END IF;
        balances := NULL;
        RETURN;
    END IF;
    -- A concurrent insert of the same key (or reversal target) waits, then does nothing.
    INSERT INTO ledger_transaction (created_at, updated_at, idempotency_key, kind, memo,
                                    actor_id, reverses_id, fingerprint)
    VALUES (p_now, p_now, p_key, p_kind, p_memo, p_actor, p_reverses, p_fingerprint)
    ON CONFLICT DO NOTHING
    RETURNING id INTO txn_id;
    IF txn_id IS NULL THEN
        outcome := 'taken'; balances := NULL; RETURN;
    END IF;
    WITH moved AS (
        UPDATE ledger_account a SET balance = a.balance + l.amount, updated_at = p_now
          FROM unnest(p_accounts, p_amounts) AS l(id, amount)
         WHERE a.id = l.id
        RETURNING a.id, a.book, a.balance
    )
    INSERT INTO ledger_entry (transaction_id, account_id, book, amount, balance_after,
                              created_at)
    SELECT txn_id, l.id, moved.book, l.amount, moved.balance, p_now
      FROM unnest(p_accounts, p_amounts) WITH ORDINALITY AS l(id, amount, n)
      JOIN moved ON moved.id = l.id
     ORDER BY l.n;
    outcome := 'ok';
END;
$$;
ALTER TABLE ledger_account SET (fillfactor = 50);
"""
PG_DOWN = """
ALTER TABLE ledger_account RESET (fillfactor);
DROP FUNCTION IF EXISTS linli_ledger_post(
    text, text, text, bigint, bigint, text, timestamptz, bigint[], text[], bigint[]);
"""


def function_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def function_down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_delete_familylink")]

    operations = [migrations.RunPython(function_up, function_down)]
