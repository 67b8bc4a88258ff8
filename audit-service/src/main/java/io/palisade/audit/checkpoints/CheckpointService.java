package io.palisade.audit.checkpoints;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;

/** The caller's tenant's signed checkpoints, read under its scope. */
@ApplicationScoped
public class CheckpointService {

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final CheckpointRepository checkpoints;

    CheckpointService(CurrentTenant currentTenant, TenantTransactions tx, CheckpointRepository checkpoints) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.checkpoints = checkpoints;
    }

    /** At most {@code limit} checkpoints after position {@code afterSeq} of the tenant's chain, in order. */
    public Uni<List<CheckpointRepository.Checkpoint>> list(long afterSeq, int limit) {
        return tx.inTenant(currentTenant.get(), c -> checkpoints.list(c, afterSeq, limit));
    }
}
