package io.palisade.tenant.guests;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.tokens.AccessTokens;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Magic-link sign-in for guests: a one-time token by email, valid 30 minutes, stored only as a hash, spent by
 * its first use or by a newer link. Redeeming it yields a guest token for that tenant and guest only.
 */
@ApplicationScoped
public class GuestSignIn {

    static final String EMAIL_PURPOSE = "guest-email";
    private static final Logger LOG = Logger.getLogger(GuestSignIn.class);

    private final TenantTransactions tx;
    private final Pseudonyms pseudonyms;
    private final MailSender mail;
    private final AuditLog audit;
    private final AccessTokens accessTokens;

    @ConfigProperty(name = "palisade.guests.link-ttl", defaultValue = "PT30M")
    Duration linkTtl;

    @ConfigProperty(name = "palisade.guests.max-links", defaultValue = "5")
    int maxLinks;

    @ConfigProperty(name = "palisade.guests.max-links-window", defaultValue = "PT15M")
    Duration maxLinksWindow;

    /** Links one client address may ask for in the window, for any tenant and email. */
    @ConfigProperty(name = "palisade.guests.max-links-per-address", defaultValue = "20")
    int maxLinksPerAddress;

    /** Where the tenant's booking pages take the token from: {@code <url>#token=...} (a fragment never reaches a server log). */
    @ConfigProperty(name = "palisade.guests.sign-in-url")
    String signInUrl;

    GuestSignIn(TenantTransactions tx, Pseudonyms pseudonyms, MailSender mail, AuditLog audit, AccessTokens accessTokens) {
        this.tx = tx;
        this.pseudonyms = pseudonyms;
        this.mail = mail;
        this.audit = audit;
        this.accessTokens = accessTokens;
    }

    private record Issued(UUID tenantId, UUID guestId, boolean issued) {
    }

    /**
     * Sends a sign-in link to the email for the tenant. The answer is the same whether or not the guest was
     * known, and whether or not the sending limit held this link back.
     */
    public Uni<Void> requestLink(String tenantSlug, String email, String clientIp) {
        String token = Hashes.randomToken(32);
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).chain(tenantId -> c.preparedQuery(
                "select tenant_id, guest_id, issued from tenancy.issue_guest_link($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(java.util.List.of(tenantId, pseudonyms.email(EMAIL_PURPOSE, tenantId, email),
                        Hashes.sha256Hex(token), (int) linkTtl.toSeconds(), maxLinks, (int) maxLinksWindow.toSeconds(), clientIp,
                        maxLinksPerAddress)))
                .map(rows -> first(rows).map(r -> new Issued(r.getUUID("tenant_id"), r.getUUID("guest_id"), r.getBoolean("issued")))
                        .orElseThrow(() -> ProblemException.notFound("the tenant")))
                .call(issued -> issued.guestId() == null ? Uni.createFrom().voidItem() : asGuest(c, issued.tenantId(), issued.guestId())
                        .chain(() -> audit.record(c, new AuditEvent(issued.tenantId(), "guest.sign_in_link_requested",
                                new AuditEvent.Actor(issued.guestId(), Roles.GUEST, null, clientIp), "guest", issued.guestId().toString(),
                                issued.issued() ? AuditEvent.SUCCESS : AuditEvent.FAILURE, null, null,
                                new JsonObject().put("sent", issued.issued())))))))
                .chain(issued -> issued.issued()
                        ? mail.send(new OutgoingMail(email, "Your sign-in link",
                                "Use this link within " + linkTtl.toMinutes() + " minutes to see and manage your bookings:\n\n"
                                        + signInUrl + "#token=" + token + "\n\nIf you did not ask for it, ignore this message."))
                                // The link is stored either way; if the mail did not leave, the guest asks again.
                                .onFailure().recoverWithItem(e -> {
                                    LOG.errorf("a guest sign-in link could not be sent: %s", e.getClass().getSimpleName());
                                    return null;
                                })
                        : Uni.createFrom().voidItem());
    }

    public record GuestToken(String accessToken, String tokenType, long expiresIn, String tenantId, String guestId) {
    }

    /** Spends the link and signs the guest in. Used, superseded, expired and unknown links all get the same 401. */
    public Uni<GuestToken> redeem(String token, String clientIp) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select tenant_id, guest_id from tenancy.redeem_guest_link($1)")
                .execute(Tuple.of(Hashes.sha256Hex(token)))
                .map(rows -> first(rows).map(r -> new Issued(r.getUUID("tenant_id"), r.getUUID("guest_id"), true))
                        .orElseThrow(() -> ProblemException.unauthorized("the sign-in link is not valid (it may have been used, replaced or expired)")))
                .call(link -> asGuest(c, link.tenantId(), link.guestId())
                        .chain(() -> audit.record(c, new AuditEvent(link.tenantId(), "guest.signed_in",
                                new AuditEvent.Actor(link.guestId(), Roles.GUEST, null, clientIp), "guest", link.guestId().toString(),
                                AuditEvent.SUCCESS, null, null, new JsonObject())))))
                .map(link -> new GuestToken(accessTokens.forGuest(link.guestId(), link.tenantId()), "Bearer",
                        accessTokens.guestTtl().toSeconds(), link.tenantId().toString(), link.guestId().toString()));
    }

    /** From here on the transaction acts as the guest: row-level security lets it add the guest's audit events. */
    private Uni<Void> asGuest(SqlConnection c, UUID tenantId, UUID guestId) {
        return tx.rescope(c, new DbScope(tenantId, guestId, TenantContext.GUEST));
    }
}
