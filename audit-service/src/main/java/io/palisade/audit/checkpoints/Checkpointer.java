package io.palisade.audit.checkpoints;

import static io.palisade.common.db.Rows.all;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.palisade.audit.archive.ArchiveVerifier;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/** Signs the head of every chain that moved since its last checkpoint, every palisade.audit.checkpoint-interval. */
@ApplicationScoped
public class Checkpointer {

    private static final Logger LOG = Logger.getLogger(Checkpointer.class);

    record Head(String chainKey, long chainSeq, String headHash) {
    }

    @Inject
    TenantTransactions tx;

    @Inject
    CheckpointKeys keys;

    @Scheduled(every = "${palisade.audit.checkpoint-interval:5m}", delayed = "${palisade.audit.checkpoint-interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> signMovedHeads() {
        return tx.inScope(DbScope.anonymous(), c -> c.query("select chain_key, chain_seq, head_hash from audit.heads_to_checkpoint()").execute()
                .map(rows -> all(rows, r -> new Head(r.getString("chain_key"), r.getLong("chain_seq"), r.getString("head_hash")))))
                .onItem().transformToMulti(heads -> Multi.createFrom().iterable(heads))
                .onItem().transformToUniAndConcatenate(this::sign)
                .collect().asList()
                .onFailure().invoke(e -> LOG.warnf("checkpoints not signed this round, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Boolean> sign(Head head) {
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String signature = keys.sign(ArchiveVerifier.checkpointStatement(head.chainKey(), head.chainSeq(), head.headHash(), signedAt.toString()));
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select audit.record_checkpoint($1, $2, $3, $4, $5, $6, $7) as stored")
                .execute(Tuple.from(List.of(UUID.randomUUID(), head.chainKey(), head.chainSeq(), head.headHash(), signedAt.atOffset(ZoneOffset.UTC),
                        keys.currentKeyId(), signature)))
                .map(rows -> rows.iterator().next().getBoolean("stored")));
    }
}
