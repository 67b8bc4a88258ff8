package io.palisade.audit.archive;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What the archive and the checkpoints read and write: each chain's head across tenants (the allow-listed definer
 * {@code audit.archive_heads}, positions only), then a chain's entries and checkpoints under that chain's own scope.
 */
@ApplicationScoped
public class ArchiveRepository {

    /** A chain's newest entry and newest checkpoint, by position. */
    public record ChainHead(String chain, long lastSeq, long lastCheckpointSeq) {
    }

    /** A ledger entry with the exact text its hash covers. */
    public record Entry(long seq, UUID eventId, String prevHash, String hash, String entryText) {
    }

    /** A stored checkpoint, and the ledger's hash at its position now (null if the entry is gone). */
    public record StoredCheckpoint(long seq, String headHash, OffsetDateTime signedAt, String keyId, String signature, String ledgerHash) {
    }

    public Uni<List<ChainHead>> heads(SqlConnection c) {
        return c.query("select chain_key, last_seq, last_checkpoint_seq from audit.archive_heads()").execute()
                .map(rows -> all(rows, r -> new ChainHead(r.getString("chain_key"), r.getLong("last_seq"), r.getLong("last_checkpoint_seq"))));
    }

    /** At most {@code limit} entries after position {@code after}, in order. */
    public Uni<List<Entry>> entriesAfter(SqlConnection c, String chain, long after, int limit) {
        return c.preparedQuery("select chain_seq, event_id, prev_hash, hash, entry::text as entry_text"
                + " from audit.ledger where chain_key = $1 and chain_seq > $2 order by chain_seq" + RowLimit.of(limit))
                .execute(Tuple.of(chain, after))
                .map(rows -> all(rows, r -> new Entry(r.getLong("chain_seq"), r.getUUID("event_id"), r.getString("prev_hash"), r.getString("hash"),
                        r.getString("entry_text"))));
    }

    /** The chain's checkpoints in (after, upTo], in order. */
    public Uni<List<StoredCheckpoint>> checkpoints(SqlConnection c, String chain, long after, long upTo) {
        return c.preparedQuery("select c.chain_seq, c.head_hash, c.signed_at, c.key_id, c.signature,"
                + " l.hash as ledger_hash from audit.checkpoints c left join audit.ledger l on l.chain_key = c.chain_key and l.chain_seq = c.chain_seq"
                + " where c.chain_key = $1 and c.chain_seq > $2 and c.chain_seq <= $3 order by c.chain_seq").execute(Tuple.of(chain, after, upTo))
                .map(rows -> all(rows, r -> new StoredCheckpoint(r.getLong("chain_seq"), r.getString("head_hash"), r.getOffsetDateTime("signed_at"),
                        r.getString("key_id"), r.getString("signature"), r.getString("ledger_hash"))));
    }

    /** Whether the chain's entry at {@code seq} still has this hash. */
    public Uni<Boolean> entryHasHash(SqlConnection c, String chain, long seq, String hash) {
        return c.preparedQuery("select 1 from audit.ledger where chain_key = $1 and chain_seq = $2 and hash = $3")
                .execute(Tuple.of(chain, seq, hash)).map(rows -> rows.size() > 0);
    }

    /** Stores a signed head once; whether this call stored it (two instances signing the same head store it once). */
    public Uni<Boolean> insertCheckpoint(SqlConnection c, String chain, UUID tenantId, long seq, String headHash, OffsetDateTime signedAt,
            String keyId, String signature) {
        return c.preparedQuery("insert into audit.checkpoints (id, chain_key, tenant_id, chain_seq, head_hash, signed_at, key_id, signature)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (chain_key, chain_seq) do nothing")
                .execute(Tuple.from(Arrays.asList(UUID.randomUUID(), chain, tenantId, seq, headHash, signedAt, keyId, signature)))
                .map(rows -> rows.rowCount() > 0);
    }
}
