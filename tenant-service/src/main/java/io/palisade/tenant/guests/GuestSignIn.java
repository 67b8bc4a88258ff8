package io.palisade.tenant.guests;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

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

/**
 * Magic-link sign-in for guests: a one-time token by email, valid 30 minutes, stored only as a hash, spent by
 * its first use or by a newer link. Redeeming it yields a guest token for that tenant and guest only.
 */
@ApplicationScoped
public class GuestSignIn {

    static final String EMAIL_PURPOSE = "guest-email";
    private static final Logger LOG = Logger.getLogger(GuestSignIn.class);

    private final TenantTransactions tx;
    private final GuestLinkRepository links;
    private final GuestLinkSettings settings;
    private final Pseudonyms pseudonyms;
    private final MailSender mail;
    private final AuditLog audit;
    private final AccessTokens accessTokens;

    GuestSignIn(TenantTransactions tx, GuestLinkRepository links, GuestLinkSettings settings, Pseudonyms pseudonyms, MailSender mail,
            AuditLog audit, AccessTokens accessTokens) {
        this.tx = tx;
        this.links = links;
        this.settings = settings;
        this.pseudonyms = pseudonyms;
        this.mail = mail;
        this.audit = audit;
        this.accessTokens = accessTokens;
    }

    /**
     * Sends a sign-in link to the email for the tenant. The answer is the same whether or not the guest was
     * known, and whether or not the sending limit held this link back.
     */
    public Uni<Void> requestLink(String tenantSlug, String email, String clientIp) {
        String token = Hashes.randomToken(32);
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).chain(tenantId -> links.issue(c, tenantId,
                        pseudonyms.email(EMAIL_PURPOSE, tenantId, email), Hashes.sha256Hex(token), settings.linkTtl(), settings.maxLinks(),
                        settings.maxLinksWindow(), clientIp, settings.maxLinksPerAddress())
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("the tenant")))
                .call(issued -> issued.guestId() == null ? Uni.createFrom().voidItem() : asGuest(c, issued.tenantId(), issued.guestId())
                        .chain(() -> audit.record(c, new AuditEvent(issued.tenantId(), "guest.sign_in_link_requested",
                                new AuditEvent.Actor(issued.guestId(), Roles.GUEST, null, clientIp), "guest", issued.guestId().toString(),
                                issued.issued() ? AuditEvent.SUCCESS : AuditEvent.FAILURE, null, null,
                                new JsonObject().put("sent", issued.issued())))))))
                .chain(issued -> issued.issued()
                        ? mail.send(new OutgoingMail(email, "Your sign-in link",
                                "Use this link within " + settings.linkTtl().toMinutes() + " minutes to see and manage your bookings:\n\n"
                                        + settings.signInUrl() + "#token=" + token + "\n\nIf you did not ask for it, ignore this message."))
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
        return tx.inScope(DbScope.anonymous(), c -> links.redeem(c, Hashes.sha256Hex(token))
                .map(found -> found.orElseThrow(() -> ProblemException.unauthorized("the sign-in link is not valid (it may have been used, replaced or expired)")))
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
