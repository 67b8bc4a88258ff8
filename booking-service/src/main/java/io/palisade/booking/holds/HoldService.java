package io.palisade.booking.holds;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.booking.Capacity;
import io.palisade.booking.guests.EmailProofService;
import io.palisade.booking.guests.GuestData;
import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The booking widget's side: what can be booked, and holding seats. Nobody is signed in; the tenant is known by
 * its public slug, and the database helpers expose only published offerings and free seats. Seats are taken by
 * the database in the same statement as the hold, and its CHECK constraint refuses an oversell under any
 * concurrency.
 */
@ApplicationScoped
public class HoldService {

    @Inject
    TenantTransactions tx;

    @ConfigProperty(name = "palisade.holds.ttl", defaultValue = "PT15M")
    Duration holdTtl;

    @ConfigProperty(name = "palisade.holds.limit-window", defaultValue = "PT15M")
    Duration limitWindow;

    @ConfigProperty(name = "palisade.holds.max-per-client", defaultValue = "30")
    int maxPerClient;

    @ConfigProperty(name = "palisade.holds.max-per-email", defaultValue = "5")
    int maxPerEmail;

    /** Holds per tenant and window from one network (ClientNetwork: an IPv4 /24, an IPv6 /56). */
    @ConfigProperty(name = "palisade.holds.max-per-network", defaultValue = "100")
    int maxPerNetwork;

    /** Seats one client may hold on one slot per window, over all its holds: nobody takes a slot from everyone else. */
    @ConfigProperty(name = "palisade.holds.max-seats-per-client-slot", defaultValue = "20")
    int maxSeatsPerClientSlot;

    /** Seats one anonymous hold may take: larger groups book through the operator. */
    @ConfigProperty(name = "palisade.holds.max-seats", defaultValue = "10")
    int maxSeats;

    @Inject
    GuestData guestData;

    @Inject
    EmailProofService proofs;

    @Inject
    Pseudonyms pseudonyms;

    @Inject
    GuestTokens tokens;

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
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).chain(tenantId -> c.preparedQuery(
                "select * from booking.availability($1, $2, $3)").execute(Tuple.of(tenantId, from, until))
                .map(rows -> all(rows, r -> new Availability(r.getUUID("offering_id"), r.getString("name"), r.getString("description"),
                        r.getLong("price_minor"), r.getString("currency"), r.getInteger("duration_minutes"), r.getUUID("slot_id"),
                        r.getOffsetDateTime("starts_at"), r.getOffsetDateTime("ends_at"), r.getInteger("free_seats"))))));
    }

    /**
     * Holds seats for a guest. A client address and a guest email may each make only so many holds per tenant and
     * window (429 with Retry-After beyond that), so nobody can squat a tenant's seats or flood a mailbox.
     */
    public Uni<Hold> hold(String tenantSlug, UUID slotId, int seats, GuestData.Details guest, String clientAddress) {
        if (seats > maxSeats) {
            throw new ProblemException(new io.palisade.common.web.Problem(422, "Unprocessable Content", "a booking from the widget takes at most "
                    + maxSeats + " seats; ask the operator for larger groups").with("errors", List.of(java.util.Map.of("field", "seats",
                            "message", "must be at most " + maxSeats))));
        }
        EmailProofService.Proof proof = proofs.newProof();
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.activeTenant(c, tenantSlug).chain(tenantId -> {
            GuestData.Sealed sealed = guestData.seal(tenantId, guest);
            return admit(c, tenantId, clientAddress, sealed.emailLookup(), slotId, seats).chain(() -> c.preparedQuery("select booking_id, public_ref, status, amount_minor, currency, hold_expires_at"
                    + " from booking.hold_seats($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .execute(Tuple.from(java.util.Arrays.asList(tenantId, slotId, seats, (int) holdTtl.toSeconds(), sealed.name(),
                            sealed.emailLookup(), sealed.email(), sealed.phone(), sealed.dietaryNeeds(), sealed.allergies(), proof.hash(),
                            (int) proofs.ttl().toSeconds())))
                    .map(rows -> first(rows).map(r -> {
                        String ref = r.getString("public_ref");
                        boolean free = r.getLong("amount_minor") == 0;
                        return new Hold(r.getUUID("booking_id"), ref, r.getString("status"), r.getLong("amount_minor"), r.getString("currency"),
                                r.getOffsetDateTime("hold_expires_at"),
                                free ? null : tokens.issue(GuestTokens.Domain.PAYMENT, tenantId, ref),
                                tokens.issue(GuestTokens.Domain.MANAGE, tenantId, ref), tokens.issue(GuestTokens.Domain.WAIVER, tenantId, ref), free);
                    }).orElseThrow(() -> ProblemException.notFound("the slot"))));
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

    @Inject
    MeterRegistry registry;

    private Uni<Void> admit(SqlConnection c, UUID tenantId, String clientAddress, String emailKey, UUID slotId, int seats) {
        return c.preparedQuery("select refused_by, retry_after_seconds from booking.admit_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(java.util.Arrays.asList(tenantId, pseudonyms.of("hold-client", clientAddress),
                        pseudonyms.of("hold-network", ClientNetwork.of(clientAddress)), emailKey, slotId, seats, (int) limitWindow.toSeconds(),
                        maxPerClient, maxPerNetwork, maxPerEmail, maxSeatsPerClientSlot)))
                .map(rows -> {
                    var r = rows.iterator().next();
                    String refusedBy = r.getString("refused_by");
                    if (refusedBy != null) {
                        throw ProblemException.tooManyRequests(switch (refusedBy) {
                            case "client" -> "too many holds from this client; try again later";
                            case "client_slot" -> "this client holds as many seats of this slot as one client may; try again later";
                            case "network" -> "too many holds from this client's network; try again later";
                            default -> "too many holds for this email address; try again later";
                        }, r.getInteger("retry_after_seconds"));
                    }
                    return null;
                });
    }
}
