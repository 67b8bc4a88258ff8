package io.palisade.booking.guests;

import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.bookings.BookingCancellation;
import io.palisade.booking.bookings.BookingRepository;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * A guest's own booking, named by the verified manage token (its tenant and public reference): what the guest may see
 * of it, and cancelling it before it starts. Cancelling runs under the worker scope of the token's tenant, with the
 * same rule, event and audit entry as staff cancelling (BookingCancellation).
 */
@ApplicationScoped
public class GuestBookingService {

    public record GuestBooking(String reference, String status, int seats, long amountMinor, String currency, OffsetDateTime holdExpiresAt,
            OffsetDateTime startsAt, OffsetDateTime endsAt, String offering, String guestName) {
    }

    private final TenantTransactions tx;
    private final BookingRepository bookings;
    private final GuestBookingRepository guestBookings;
    private final BookingCancellation cancellation;

    GuestBookingService(TenantTransactions tx, BookingRepository bookings, GuestBookingRepository guestBookings,
            BookingCancellation cancellation) {
        this.tx = tx;
        this.bookings = bookings;
        this.guestBookings = guestBookings;
        this.cancellation = cancellation;
    }

    public Uni<GuestBooking> view(GuestTokens.Claims claims) {
        // The token verified tenant and booking: read under that tenant's worker scope, as any verified guest link.
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> guestBookings.find(c, claims.bookingRef()))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("the booking")));
    }

    /** 409 once the booking has started or ended; 404 for a booking the token's tenant does not have. */
    public Uni<GuestBooking> cancel(GuestTokens.Claims claims, String clientIp) {
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> bookings.lockByReference(c, claims.bookingRef()).chain(found -> {
            BookingRepository.Booking booking = found.orElseThrow(() -> ProblemException.notFound("the booking"));
            if (!booking.slotStartsAt().isAfter(OffsetDateTime.now())) {
                throw ProblemException.conflict("this booking can no longer be cancelled: it has started");
            }
            return cancellation.cancel(c, claims.tenantId(), booking, new AuditEvent.Actor(null, "guest", null, clientIp),
                    BookingCancellation.BY_GUEST, null);
        })).chain(() -> view(claims));
    }
}
