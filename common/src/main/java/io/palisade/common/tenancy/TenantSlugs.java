package io.palisade.common.tenancy;

import java.util.Optional;
import java.util.UUID;

import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Public pages name a tenant by its slug; only an active tenant is found (tenancy.active_tenant_id), else 404. */
public final class TenantSlugs {

    private TenantSlugs() {
    }

    public static Uni<UUID> activeTenant(SqlConnection c, String slug) {
        return findActive(c, slug).map(id -> id.orElseThrow(() -> ProblemException.notFound("the tenant")));
    }

    public static Uni<Optional<UUID>> findActive(SqlConnection c, String slug) {
        return c.preparedQuery("select tenancy.active_tenant_id($1) as id").execute(Tuple.of(slug))
                .map(rows -> Optional.ofNullable(rows.iterator().next().getUUID("id")));
    }
}
