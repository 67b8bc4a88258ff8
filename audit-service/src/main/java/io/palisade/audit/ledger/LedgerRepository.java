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
     * Appends one audit event to its chain, once per event id (a redelivered event is skipped): the chain's head is
     * locked, the entry takes the next position and its hash covers the previous entry's hash, its position and its
     * content (audit.entry_hash, which the chain check recomputes). Answers whether it was new.
     */
    public Uni<Boolean> append(SqlConnection c, String chain, UUID tenantId, UUID eventId, String source, OffsetDateTime occurredAt, JsonObject entry) {
        return stored(c, eventId).chain(stored -> stored ? Uni.createFrom().item(false)
                : c.preparedQuery("insert into audit.chain_heads (chain_key, last_seq, last_hash) values ($1, 0, '') on conflict do nothing")
                        .execute(Tuple.of(chain))
                        // The chain's lock, held until commit: one append at a time per chain.
                        .chain(() -> c.preparedQuery("select last_seq from audit.chain_heads where chain_key = $1 for update").execute(Tuple.of(chain)))
                        .invoke(head -> {
                            if (head.size() == 0) {
                                throw new IllegalStateException("the chain " + chain + " is not this scope's");
                            }
                        })
                        // Checked again under the chain's lock: two deliveries of one event may race.
                        .chain(() -> stored(c, eventId))
                        .chain(raced -> raced ? Uni.createFrom().item(false) : c.preparedQuery("with appended as ("
                                + " insert into audit.ledger (event_id, tenant_id, chain_key, chain_seq, action, actor_id, actor_role, target_type,"
                                + " target_id, outcome, source, occurred_at, entry, prev_hash, hash)"
                                + " select $1::uuid, $2::uuid, h.chain_key, h.last_seq + 1, e.entry->>'action', (e.entry->'actor'->>'userId')::uuid,"
                                + " e.entry->'actor'->>'role', e.entry->'target'->>'type', e.entry->'target'->>'id',"
                                + " coalesce(e.entry->>'outcome', 'success'), $3::text, $4::timestamptz, e.entry, nullif(h.last_hash, ''),"
                                + " audit.entry_hash(nullif(h.last_hash, ''), h.chain_key, h.last_seq + 1, $1::uuid, e.entry)"
                                + " from audit.chain_heads h, (select $5::jsonb as entry) e where h.chain_key = $6 returning chain_seq, hash)"
                                + " update audit.chain_heads h set last_seq = a.chain_seq, last_hash = a.hash from appended a where h.chain_key = $6")
                                .execute(Tuple.from(Arrays.asList(eventId, tenantId, source, occurredAt, entry, chain)))
                                .replaceWith(true)));
    }

    private static Uni<Boolean> stored(SqlConnection c, UUID eventId) {
        return c.preparedQuery("select 1 from audit.ledger where event_id = $1").execute(Tuple.of(eventId)).map(rows -> rows.size() > 0);
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
