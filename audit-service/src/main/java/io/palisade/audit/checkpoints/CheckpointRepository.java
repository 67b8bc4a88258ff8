package io.palisade.audit.checkpoints;

import static io.palisade.common.db.Rows.all;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The caller's tenant's signed checkpoints (RLS), with the ledger's hash at each checkpoint's position. */
@ApplicationScoped
public class CheckpointRepository {

    /** A signed chain head, as an outsider needs it to check an export: the statement's parts, key id and signature. */
    public record Checkpoint(UUID id, String chainKey, long chainSeq, String headHash, String signedAt, String keyId, String signature) {
    }

    /** A checkpoint beside the hash the ledger holds today at that position (null when the entry is gone). */
    public record Held(Checkpoint checkpoint, String ledgerHash, UUID eventId) {
    }

    public Uni<List<Checkpoint>> list(SqlConnection c, long afterSeq, int limit) {
        return c.preparedQuery("select id, chain_key, chain_seq, head_hash, signed_at, key_id, signature from audit.checkpoints"
                + " where tenant_id = tenancy.current_tenant_id() and chain_seq > $1 order by chain_seq" + RowLimit.of(limit))
                .execute(Tuple.of(afterSeq)).map(rows -> all(rows, CheckpointRepository::checkpoint));
    }

    public Uni<List<Held>> withLedgerHashes(SqlConnection c) {
        return c.query("select c.id, c.chain_key, c.chain_seq, c.head_hash, c.signed_at, c.key_id, c.signature, l.hash as ledger_hash, l.event_id"
                + " from audit.checkpoints c left join audit.ledger l on l.chain_key = c.chain_key and l.chain_seq = c.chain_seq"
                + " where c.tenant_id = tenancy.current_tenant_id() order by c.chain_seq").execute()
                .map(rows -> all(rows, r -> new Held(checkpoint(r), r.getString("ledger_hash"), r.getUUID("event_id"))));
    }

    private static Checkpoint checkpoint(Row r) {
        OffsetDateTime signedAt = r.getOffsetDateTime("signed_at");
        return new Checkpoint(r.getUUID("id"), r.getString("chain_key"), r.getLong("chain_seq"), r.getString("head_hash"),
                signedAt.toInstant().toString(), r.getString("key_id"), r.getString("signature"));
    }
}
