package io.palisade.tenant.platform;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** What the platform's admins see of the platform as a whole: counts, through the one definer that gives nothing else. */
@ApplicationScoped
public class PlatformRepository {

    public record Overview(long tenants, long users, long runningSupportSessions) {
    }

    /** The counts, for the scope's user only if the database knows them as an active platform admin. */
    public Uni<Optional<Overview>> overview(SqlConnection c) {
        return c.query("select tenants, users, running_support_sessions from tenancy.platform_counts()").execute()
                .map(rows -> first(rows).map(r -> new Overview(r.getLong("tenants"), r.getLong("users"), r.getLong("running_support_sessions"))));
    }
}
