package io.palisade.audit.chains;

import java.util.UUID;

import io.palisade.common.tenancy.DbScope;

/**
 * The ledger's chains: one per tenant, keyed by its id, and one for platform-level events. Each is written and read
 * under its own scope, so work on one chain cannot reach another's entries (V7__chains_written_under_their_scope.sql).
 */
public final class Chains {

    public static final String PLATFORM = "platform";

    private Chains() {
    }

    /** The chain of a tenant's events, or the platform's for an event of no tenant. */
    public static String of(UUID tenantId) {
        return tenantId == null ? PLATFORM : tenantId.toString();
    }

    /** The tenant a chain belongs to, or null for the platform's. */
    public static UUID tenantOf(String chain) {
        return PLATFORM.equals(chain) ? null : UUID.fromString(chain);
    }

    /** The scope work on one chain runs under: its tenant's worker, or the platform worker. */
    public static DbScope scope(String chain) {
        return PLATFORM.equals(chain) ? DbScope.platformWorker() : DbScope.worker(UUID.fromString(chain));
    }
}
