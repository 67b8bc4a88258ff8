package io.palisade.audit.archive;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.palisade.audit.chains.Chains;
import io.palisade.audit.checkpoints.CheckpointKeys;
import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.common.metrics.Gauges;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Every palisade.audit.checkpoint-interval, signs the head of each chain that moved, as the archive holds it: the
 * archive takes in only entries that continue the chain it already has (hashes recomputed), so a history rewritten
 * in the database is never signed. The database must still hold that entry with that hash; when it does not, the
 * ledger was changed after the fact, and that is logged as an error instead of signed.
 */
// Made at start, so its metrics are there from the first scrape.
@Startup
@ApplicationScoped
public class Checkpointer {

    private static final Logger LOG = Logger.getLogger(Checkpointer.class);

    /** When a round last signed every moved head (or the service started). */
    private volatile Instant lastRound = Instant.now();

    private final TenantTransactions tx;
    private final ArchiveRepository archiveRecords;
    private final CheckpointKeys keys;
    private final ArchiveWriter archive;

    Checkpointer(TenantTransactions tx, ArchiveRepository archiveRecords, CheckpointKeys keys, ArchiveWriter archive) {
        this.tx = tx;
        this.archiveRecords = archiveRecords;
        this.keys = keys;
        this.archive = archive;
    }

    @Inject
    void registerMetrics(MeterRegistry registry) {
        // Only where checkpoints are signed (the archiver): elsewhere the figure would only grow, and hide a dead archiver.
        if (!archive.enabled()) {
            return;
        }
        Gauges.register(registry, "palisade.audit.checkpoint.age", Tags.empty(), Gauge.builder("palisade.audit.checkpoint.age", this,
                checkpointer -> Duration.between(checkpointer.lastRound, Instant.now()).toSeconds())
                .description("since every moved chain head was last signed").baseUnit("seconds"));
    }

    @Scheduled(every = "${palisade.audit.checkpoint-interval:5m}", delayed = "${palisade.audit.checkpoint-interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> signArchivedHeads() {
        if (!archive.enabled()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, ArchiveWriter.Head> heads = archive.archivedHeads();
        if (heads.isEmpty()) {
            lastRound = Instant.now();
            return Uni.createFrom().voidItem();
        }
        return tx.inBackground(DbScope.anonymous(), archiveRecords::heads)
                .map(last -> last.stream().collect(Collectors.toMap(ArchiveRepository.ChainHead::chain, ArchiveRepository.ChainHead::lastCheckpointSeq)))
                .onItem().transformToMulti(last -> Multi.createFrom().iterable(heads.entrySet())
                        .filter(head -> head.getValue().seq() > last.getOrDefault(head.getKey(), 0L)))
                .onItem().transformToUniAndConcatenate(head -> sign(head.getKey(), head.getValue()))
                .collect().asList()
                .invoke(signed -> lastRound = Instant.now())
                .onFailure().invoke(e -> LOG.warnf("checkpoints not signed this round, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Stores a signed head under the chain's own scope; refuses one that is not the chain's entry at that position (the
     * ledger was changed after the archive took the entry in). Two instances signing the same head store it once.
     */
    private Uni<Boolean> sign(String chain, ArchiveWriter.Head head) {
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String signature = keys.sign(ArchiveVerifier.checkpointStatement(chain, head.seq(), head.hash(), signedAt.toString()));
        return tx.inBackground(Chains.scope(chain), c -> archiveRecords.entryHasHash(c, chain, head.seq(), head.hash())
                .chain(held -> {
                    if (!held) {
                        LOG.errorf("audit ledger: entry %d of chain %s is no longer the one the archive took in; it was changed after the fact."
                                + " Not signed", head.seq(), chain);
                        return Uni.createFrom().item(false);
                    }
                    return archiveRecords.insertCheckpoint(c, chain, Chains.tenantOf(chain), head.seq(), head.hash(),
                            signedAt.atOffset(ZoneOffset.UTC), keys.currentKeyId(), signature);
                }));
    }
}
