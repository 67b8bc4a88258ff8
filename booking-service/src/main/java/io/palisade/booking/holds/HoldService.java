package io.palisade.booking.holds;

import io.palisade.common.events.BookingContract;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.Capacity;
import io.palisade.booking.bookings.BookingStatus;
import io.palisade.booking.guests.EmailProofService;
import io.palisade.booking.guests.GuestData;
import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The booking widget's side: what can be booked, and holding seats. Nobody is signed in; the tenant is known by
 * its public slug, and the rest runs as a visitor of that tenant's widget (DbScope.visitor), whose policies show
 * only published offerings and their slots and admit the inserts of a hold. Seats are taken by the database in the
 * same statement as the hold, and its CHECK constraint refuses an oversell under any concurrency.
 */
@ApplicationScoped
public class HoldService {

    private final TenantTransactions tx;
    private final HoldSettings settings;
    private final GuestData guestData;
    private final EmailProofService proofs;
    private final Pseudonyms pseudonyms;
    private final GuestTokens tokens;
    private final HoldRepository holds;
    private final Outbox outbox;
    private final MeterRegistry registry;

    HoldService(TenantTransactions tx, HoldSettings settings, GuestData guestData, EmailProofService proofs, Pseudonyms pseudonyms,
            GuestTokens tokens, HoldRepository holds, Outbox outbox, MeterRegistry registry) {
        this.tx = tx;
        this.settings = settings;
        this.guestData = guestData;
        this.proofs = proofs;
        this.pseudonyms = pseudonyms;
        this.tokens = tokens;
        this.holds = holds;
        this.outbox = outbox;
        this.registry = registry;
    }

    public record Availability(UUID offeringId, String name, String description, long priceMinor, String currency,
            int durationMinutes, UUID slotId, OffsetDateTime startsAt, OffsetDateTime endsAt, int freeSeats) {
    }

    /**
     * What the widget gets back: the booking's state and the guest's tokens for the next steps (to pay, to see
     * or cancel the booking), which name the booking by its public reference only.
     */
    public record Hold(UUID bookingId, String reference, String status, long amountMinor, String currency, OffsetDateTime holdExpiresAt,
            String paymentToken, String manageToken, String waiverToken, boolean awaitingEmailProof) {
    }

    public Uni<List<Availability>> availability(String tenantSlug, OffsetDateTime from, OffsetDateTime until) {
        // The tenant the public slug names, then the rest as a visitor of its widget alone (the read pipelined behind
        // the new scope).
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug)
                .chain(tenantId -> TenantTransactions.pipelined(tx.rescope(c, DbScope.visitor(tenantId)), holds.availability(c, from, until))));
    }

    /**
     * Holds seats for a guest. A client address and a guest email may each make only so many holds per tenant and
     * window (429 with Retry-After beyond that), so nobody can squat a tenant's seats or flood a mailbox. Everything
     * that does not need the slot (limits, sealing, the guest) comes before the insert that takes its seats.
     */
    public Uni<Hold> hold(String tenantSlug, UUID slotId, int seats, GuestData.Details guest, String clientAddress) {
        if (seats > settings.maxSeats()) {
            throw new ProblemException(new io.palisade.common.web.Problem(422, "Unprocessable Content", "a booking from the widget takes at most "
                    + settings.maxSeats() + " seats; ask the operator for larger groups").with("errors", List.of(java.util.Map.of("field", "seats",
                            "message", "must be at most " + settings.maxSeats()))));
        }
        EmailProofService.Proof proof = proofs.newProof();
        UUID bookingId = UUID.randomUUID();
        // The public reference guest links name: random, never the booking's id.
        String reference = UUID.randomUUID().toString().replace("-", "");
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).chain(tenantId -> {
            GuestData.Sealed sealed = guestData.seal(tenantId, guest);
            UUID newGuest = UUID.randomUUID();
            // The visitor's scope, the limits, the slot's terms and the guest leave together (the client pipelines them
            // and PostgreSQL runs them in this order); a refusal or a missing slot is answered once all are back, and
            // the rollback undoes what the others did.
            return Uni.combine().all().unis(tx.rescope(c, DbScope.visitor(tenantId)), admit(c, tenantId, clientAddress, sealed.emailLookup(), slotId, seats),
                            holds.terms(c, slotId, seats, (int) settings.ttl().toSeconds()), holds.addGuest(c, tenantId, newGuest, sealed))
                    .collectFailures().asTuple()
                    .onFailure().transform(TenantTransactions::firstFailure)
                    .chain(checked -> {
                        HoldRepository.Terms terms = checked.getItem3().orElseThrow(() -> ProblemException.notFound("the slot"));
                        boolean added = checked.getItem4();
                        // The event, the seats and the COMMIT leave together, the seats last: the slot's row is locked
                        // from the insert that takes them until the commit right behind it, with no round trip between.
                        return tx.commitWith(c, Uni.combine().all().unis(outbox.append(c, tenantId, BookingContract.CREATED, bookingId.toString(),
                                        new BookingContract.BookingCreated(bookingId, reference, slotId, seats, BookingStatus.HELD, terms.amountMinor(),
                                                terms.currency(), terms.holdExpiresAt())),
                                holds.insertHold(c, tenantId, bookingId, reference, slotId, seats, terms, added ? newGuest : null, sealed,
                                        proof.hash(), (int) proofs.ttl().toSeconds()))
                                .collectFailures().discardItems()
                                .onFailure().transform(TenantTransactions::firstFailure))
                                .map(ignored -> {
                                    boolean free = terms.amountMinor() == 0;
                                    return new Hold(bookingId, reference, BookingStatus.HELD, terms.amountMinor(), terms.currency(),
                                            terms.holdExpiresAt(), free ? null : tokens.issue(GuestTokens.Domain.PAYMENT, tenantId, reference),
                                            tokens.issue(GuestTokens.Domain.MANAGE, tenantId, reference),
                                            tokens.issue(GuestTokens.Domain.WAIVER, tenantId, reference), free);
                                });
                    });
        }))
                // After the commit: the link names a booking that exists.
                .call(hold -> proofs.send(guest.email(), guest.name(), hold.awaitingEmailProof(), proof))
                .onFailure(Capacity::exceeded)
                .transform(e -> ProblemException.conflict("not enough free seats on this slot"))
                .invoke(hold -> registry.counter("palisade.holds", "outcome", "created").increment())
                .onFailure(ProblemException.class).invoke(e -> registry.counter("palisade.holds", "outcome", refusal((ProblemException) e)).increment());
    }

    /** Why a hold was refused, as the holds metric counts it: no seats left, a limit, or no such slot. */
    private static String refusal(ProblemException e) {
        return switch (e.problem().status) {
            case 409 -> "refused_full";
            case 429 -> "refused_limit";
            default -> "refused_other";
        };
    }

    private Uni<Void> admit(SqlConnection c, UUID tenantId, String clientAddress, String emailKey, UUID slotId, int seats) {
        return holds.admit(c, tenantId, pseudonyms.of("hold-client", clientAddress), pseudonyms.of("hold-network", ClientNetwork.of(clientAddress)),
                emailKey, slotId, seats, new HoldRepository.Limits((int) settings.limitWindow().toSeconds(), settings.maxPerClient(), settings.maxPerNetwork(),
                        settings.maxPerEmail(), settings.maxSeatsPerClientSlot()))
                .map(refusal -> {
                    refusal.ifPresent(r -> {
                        throw ProblemException.tooManyRequests(switch (r.limit()) {
                            case "client" -> "too many holds from this client; try again later";
                            case "client_slot" -> "this client holds as many seats of this slot as one client may; try again later";
                            case "network" -> "too many holds from this client's network; try again later";
                            default -> "too many holds for this email address; try again later";
                        }, r.retryAfterSeconds());
                    });
                    return null;
                });
    }
}
