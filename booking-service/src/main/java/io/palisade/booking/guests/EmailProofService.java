package io.palisade.booking.guests;

import io.palisade.common.events.BookingContract;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.booking.bookings.BookingRepository;
import io.palisade.booking.bookings.BookingStatus;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Proof that whoever made a hold controls the email they gave: a single-use link mailed to it (the token in the
 * fragment, only its SHA-256 stored). Opening it confirms a free booking, which until then is only held and expires
 * with its hold, and adds the booking to the guest the tenant already knows under that email, which an unproven hold
 * never does (docs/booking.md).
 */
@ApplicationScoped
public class EmailProofService {

    private static final Logger LOG = Logger.getLogger(EmailProofService.class);

    /** A proof link's token, and the hash the database keeps. */
    public record Proof(String token, String hash) {
    }

    public record Proven(String reference, String status) {
    }

    private final EmailProofSettings settings;
    private final TenantTransactions tx;
    private final BookingRepository bookings;
    private final GuestBookingRepository guestBookings;
    private final Outbox outbox;
    private final AuditLog audit;
    private final MailSender mail;

    EmailProofService(EmailProofSettings settings, TenantTransactions tx, BookingRepository bookings, GuestBookingRepository guestBookings,
            Outbox outbox, AuditLog audit, MailSender mail) {
        this.settings = settings;
        this.tx = tx;
        this.bookings = bookings;
        this.guestBookings = guestBookings;
        this.outbox = outbox;
        this.audit = audit;
        this.mail = mail;
    }

    public Proof newProof() {
        String token = Hashes.randomToken(32);
        return new Proof(token, Hashes.sha256Hex(token));
    }

    public Duration ttl() {
        return settings.ttl();
    }

    /** Mails the link; a failure is logged without the address and the hold stands (the guest may hold again). */
    public Uni<Void> send(String to, String name, boolean free, Proof proof) {
        String link = settings.url() + "#token=" + proof.token();
        OutgoingMail message = free
                ? new OutgoingMail(to, "Confirm your booking", "Hello " + name + ",\n\nyour free booking is held for you. Open this link to confirm it:\n"
                        + link + "\n\nUnconfirmed, the seats are released when the hold ends. If you did not book, ignore this message.\n")
                : new OutgoingMail(to, "Confirm your email address", "Hello " + name + ",\n\nopen this link to confirm that this address is yours:\n"
                        + link + "\n\nIf you did not book, ignore this message.\n");
        return mail.send(message).onFailure().recoverWithItem(e -> {
            LOG.warnf("the email proof link of a hold could not be sent: %s", e.getClass().getSimpleName());
            return null;
        });
    }

    /** Spends a link: once, before it expires; 404 otherwise, the same for every reason. */
    public Uni<Proven> prove(String token, String clientIp) {
        return tx.inScope(DbScope.anonymous(), c -> guestBookings.redeemEmailProof(c, Hashes.sha256Hex(token))
                .chain(proof -> {
                    var redeemed = proof.orElseThrow(() -> ProblemException.notFound("the link (it may have expired or been used)"));
                    UUID tenantId = redeemed.tenantId();
                    UUID bookingId = redeemed.bookingId();
                    // The token proved the tenant and the booking: the rest runs under row-level security, that tenant's only.
                    return tx.rescope(c, DbScope.worker(tenantId))
                            .chain(() -> bookings.attachToKnownGuest(c, bookingId))
                            .chain(attached -> bookings.lock(c, bookingId).chain(found -> {
                                var booking = found.orElseThrow(() -> ProblemException.notFound("the booking"));
                                boolean confirm = BookingStatus.HELD.equals(booking.status()) && booking.amountMinor() == 0;
                                Uni<Void> confirmed = !confirm ? Uni.createFrom().voidItem()
                                        : bookings.setStatus(c, bookingId, BookingStatus.CONFIRMED)
                                                .chain(() -> outbox.append(c, tenantId, BookingContract.CONFIRMED, bookingId.toString(),
                                                        new BookingContract.BookingSettled(bookingId, BookingStatus.CONFIRMED, 0, booking.currency(),
                                                                "email_proof")));
                                String status = confirm ? BookingStatus.CONFIRMED : booking.status();
                                return confirmed.chain(() -> audit.record(c, new AuditEvent(tenantId, "booking.email_proven",
                                        new AuditEvent.Actor(null, "guest", null, clientIp), "booking", bookingId.toString(), AuditEvent.SUCCESS,
                                        null, new JsonObject().put("status", status), new JsonObject().put("addedToKnownGuest", attached))))
                                        .replaceWith(new Proven(redeemed.reference(), status));
                            }));
                }));
    }
}
