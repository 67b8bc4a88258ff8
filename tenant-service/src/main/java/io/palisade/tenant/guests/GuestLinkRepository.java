package io.palisade.tenant.guests;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Guests' sign-in links, before any guest is known: two allow-listed definers, one that files a link (counting links
 * per email and per address across tenants) and one that spends it. What follows runs under the guest's own scope.
 */
@ApplicationScoped
public class GuestLinkRepository {

    /** The guest a link is for (none if the tenant knows no guest by that email), and whether the limits let it be sent. */
    public record Link(UUID tenantId, UUID guestId, boolean issued) {
    }

    /** Files a link for the guest the tenant knows by this email lookup, within the limits; empty if there is no such tenant. */
    public Uni<Optional<Link>> issue(SqlConnection c, UUID tenantId, String emailLookup, String tokenHash, Duration ttl, int maxLinks,
            Duration window, String clientIp, int maxLinksPerAddress) {
        return c.preparedQuery("select tenant_id, guest_id, issued from tenancy.issue_guest_link($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(List.of(tenantId, emailLookup, tokenHash, (int) ttl.toSeconds(), maxLinks, (int) window.toSeconds(), clientIp,
                        maxLinksPerAddress)))
                .map(rows -> first(rows).map(r -> new Link(r.getUUID("tenant_id"), r.getUUID("guest_id"), r.getBoolean("issued"))));
    }

    /** Spends an unexpired, unused, newest link by its hash; the tenant and guest it signs in. */
    public Uni<Optional<Link>> redeem(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select tenant_id, guest_id from tenancy.redeem_guest_link($1)").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new Link(r.getUUID("tenant_id"), r.getUUID("guest_id"), true)));
    }
}
