package io.palisade.audit.ledger;

import static io.palisade.common.db.Rows.all;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

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

    /**
     * Appends one audit event to its chain, once per event id (a redelivered event is skipped). The database gives the
     * entry its position, its link to the previous entry and its hash, and moves the chain's head (the trigger
     * ledger_continues_its_chain, V8); the chain is locked first, so the check for an event already stored holds until
     * commit. Answers whether it was new.
     */
    public Uni<Boolean> append(SqlConnection c, String chain, UUID tenantId, UUID eventId, String source, OffsetDateTime occurredAt, JsonObject entry) {
        // The chain's lock, held until commit: one append at a time per chain (the trigger locks its head too), so two
        // deliveries of one event cannot both find it missing.
        return c.preparedQuery("select pg_advisory_xact_lock(hashtextextended('audit-chain:' || $1, 0))").execute(Tuple.of(chain))
                .chain(() -> c.preparedQuery("select 1 from audit.ledger where event_id = $1").execute(Tuple.of(eventId)))
                .chain(stored -> stored.size() > 0 ? Uni.createFrom().item(false) : c.preparedQuery("insert into audit.ledger (event_id,"
                        + " tenant_id, chain_key, action, actor_id, actor_role, target_type, target_id, outcome, source, occurred_at, entry)"
                        + " select $1::uuid, $2::uuid, $6::text, e.entry->>'action', (e.entry->'actor'->>'userId')::uuid,"
                        + " e.entry->'actor'->>'role', e.entry->'target'->>'type', e.entry->'target'->>'id',"
                        + " coalesce(e.entry->>'outcome', 'success'), $3::text, $4::timestamptz, e.entry from (select $5::jsonb as entry) e")
                        .execute(Tuple.from(Arrays.asList(eventId, tenantId, source, occurredAt, entry, chain)))
                        .replaceWith(true));
    }

    public Uni<List<Entry>> list(SqlConnection c, Filter f, OffsetDateTime afterTime, UUID afterId, int limit) {
        return c.preparedQuery("select event_id, tenant_id, chain_seq, action, actor_id, actor_role, target_type, target_id, outcome, source,"
                + " occurred_at, received_at, entry, entry::text as entry_text, hash from audit.ledger where ($1::text is null or action = $1) and ($2::uuid is null or actor_id = $2)"
                + " and ($3::text is null or target_type = $3) and ($4::text is null or target_id = $4)"
                + " and ($5::timestamptz is null or occurred_at >= $5) and ($6::timestamptz is null or occurred_at < $6)"
                + " and ($7::timestamptz is null or (occurred_at, event_id) > ($7, $8)) and ($10::uuid is null or tenant_id = $10)"
                + " order by occurred_at, event_id limit $9")
                .execute(Tuple.from(Arrays.asList(f.action(), f.actorId(), f.targetType(), f.targetId(), f.from(), f.to(), afterTime, afterId, limit,
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
