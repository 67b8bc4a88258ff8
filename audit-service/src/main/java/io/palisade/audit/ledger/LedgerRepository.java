package io.palisade.audit.ledger;

import static io.palisade.common.db.Rows.all;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.RowLimit;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Ledger entries as the caller's tenant may read them (RLS), the chain check, and the append of one event to its chain
 * under that chain's scope (Chains).
 */
@ApplicationScoped
public class LedgerRepository {

    public record Entry(UUID eventId, UUID tenantId, long chainSeq, String action, UUID actorId, String actorRole, String targetType, String targetId,
            String outcome, String source, OffsetDateTime occurredAt, OffsetDateTime receivedAt, JsonObject entry, String entryText, String hash) {
    }

    /** What to list; {@code tenantId} narrows the platform feed to one tenant (a tenant's own scope sees only itself anyway). */
    public record Filter(UUID tenantId, String action, UUID actorId, String targetType, String targetId, OffsetDateTime from, OffsetDateTime to) {
    }

    /** The chain check: entries and checkpoints checked, and the first entry that does not hold, with why. */
    public record Verification(long entries, long checkpoints, Long brokenAt, UUID eventId, String problem) {
    }

    /** An audit event to append to its chain. */
    public record NewEntry(String chain, UUID tenantId, UUID eventId, String source, OffsetDateTime occurredAt, String action, JsonObject entry) {
    }

    /**
     * Takes the chain's lock, held until commit (one appender at a time per chain; the trigger locks its head too), and
     * answers which of the events are stored already: the check holds until commit, so two deliveries of one event
     * cannot both find it missing. Both statements leave together: PostgreSQL runs them in order, and the read's
     * snapshot is taken after the lock. The read stays a statement of its own, planned for the ledger as it is: as a
     * NOT EXISTS in the insert, the plan cached while the ledger was small read all of it for every append.
     */
    public Uni<Set<UUID>> lockAndFindStored(SqlConnection c, String chain, List<UUID> eventIds) {
        return TenantTransactions.pipelined(c.preparedQuery("select pg_advisory_xact_lock(hashtextextended('audit-chain:' || $1, 0))").execute(Tuple.of(chain)),
                        c.preparedQuery("select event_id from audit.ledger where event_id = any($1)").execute(Tuple.of(eventIds.toArray(UUID[]::new))))
                .map(rows -> {
                    Set<UUID> stored = new HashSet<>();
                    rows.forEach(row -> stored.add(row.getUUID("event_id")));
                    return stored;
                });
    }

    /**
     * Appends entries to the chain in the order given, in one statement: the database gives each its position, its link
     * to the previous entry and its hash, and moves the chain's head (the trigger ledger_continues_its_chain, V8), row by
     * row in that order. Only under the chain's lock (lockAndFindStored), for entries not stored yet.
     */
    public Uni<Void> insertAll(SqlConnection c, String chain, List<NewEntry> entries) {
        return c.preparedQuery("insert into audit.ledger (event_id, tenant_id, chain_key, action, actor_id, actor_role, target_type, target_id,"
                + " outcome, source, occurred_at, entry)"
                + " select e.event_id, $2::uuid, $1::text, e.entry->>'action', (e.entry->'actor'->>'userId')::uuid, e.entry->'actor'->>'role',"
                + " e.entry->'target'->>'type', e.entry->'target'->>'id', coalesce(e.entry->>'outcome', 'success'), e.source, e.occurred_at, e.entry"
                + " from (select u.event_id, u.source, u.occurred_at, u.entry::jsonb as entry, u.position"
                + " from unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::text[]) with ordinality as u(event_id, source, occurred_at, entry, position)) e"
                + " order by e.position")
                .execute(Tuple.from(Arrays.asList(chain, entries.getFirst().tenantId(), entries.stream().map(NewEntry::eventId).toArray(UUID[]::new),
                        entries.stream().map(NewEntry::source).toArray(String[]::new), entries.stream().map(NewEntry::occurredAt).toArray(OffsetDateTime[]::new),
                        entries.stream().map(entry -> entry.entry().encode()).toArray(String[]::new))))
                .replaceWithVoid();
    }

    public Uni<List<Entry>> list(SqlConnection c, Filter f, OffsetDateTime afterTime, UUID afterId, int limit) {
        return c.preparedQuery("select event_id, tenant_id, chain_seq, action, actor_id, actor_role, target_type, target_id, outcome, source,"
                + " occurred_at, received_at, entry, entry::text as entry_text, hash from audit.ledger where ($1::text is null or action = $1) and ($2::uuid is null or actor_id = $2)"
                + " and ($3::text is null or target_type = $3) and ($4::text is null or target_id = $4)"
                + " and ($5::timestamptz is null or occurred_at >= $5) and ($6::timestamptz is null or occurred_at < $6)"
                + " and ($7::timestamptz is null or (occurred_at, event_id) > ($7, $8)) and ($9::uuid is null or tenant_id = $9)"
                + " order by occurred_at, event_id" + RowLimit.of(limit))
                .execute(Tuple.from(Arrays.asList(f.action(), f.actorId(), f.targetType(), f.targetId(), f.from(), f.to(), afterTime, afterId,
                        f.tenantId())))
                .map(rows -> all(rows, LedgerRepository::entry));
    }

    public Uni<Verification> verify(SqlConnection c) {
        return c.query("select * from audit.verify_chain()").execute().map(rows -> {
            Row r = rows.iterator().next();
            return new Verification(r.getLong("entries"), 0, r.getLong("broken_at"), r.getUUID("event_id"), r.getString("problem"));
        });
    }

    private static Entry entry(Row r) {
        return new Entry(r.getUUID("event_id"), r.getUUID("tenant_id"), r.getLong("chain_seq"), r.getString("action"), r.getUUID("actor_id"), r.getString("actor_role"),
                r.getString("target_type"), r.getString("target_id"), r.getString("outcome"), r.getString("source"), r.getOffsetDateTime("occurred_at"),
                r.getOffsetDateTime("received_at"), (JsonObject) r.getValue("entry"), r.getString("entry_text"), r.getString("hash"));
    }
}
