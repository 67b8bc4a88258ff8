package io.palisade.tenant.platform;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;

/** The platform admin's overview, read under their own scope (a user, no tenant). */
@ApplicationScoped
public class PlatformService {

    private final TenantTransactions tx;
    private final PlatformRepository platform;

    PlatformService(TenantTransactions tx, PlatformRepository platform) {
        this.tx = tx;
        this.platform = platform;
    }

    public Uni<PlatformRepository.Overview> overview(UUID adminId) {
        // The token said platform admin; the database has the last word (an admin demoted since sees nothing).
        return tx.inScope(DbScope.user(adminId), platform::overview)
                .map(found -> found.orElseThrow(() -> ProblemException.forbidden("only a platform admin sees the platform's overview")));
    }
}
