package io.palisade.booking.bookings;

import io.palisade.common.events.BookingContract;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Cancelling a booking, whoever cancels it (staff, or the guest with their manage link): one status rule, one
 * booking.cancelled event, one audit entry. The caller has locked the booking in its transaction and checked what is
 * its own to check (a guest may not cancel once the booking has started).
 */
@ApplicationScoped
public class BookingCancellation {

    public static final String BY_STAFF = "staff";
    public static final String BY_GUEST = "guest";

    private final BookingRepository bookings;
    private final Outbox outbox;
    private final AuditLog audit;

    BookingCancellation(BookingRepository bookings, Outbox outbox, AuditLog audit) {
        this.bookings = bookings;
        this.outbox = outbox;
        this.audit = audit;
    }

    /** 409 for a booking that can no longer be cancelled (cancelled, refunded or expired already). */
    public Uni<Void> cancel(SqlConnection c, UUID tenantId, BookingRepository.Booking booking, AuditEvent.Actor actor, String by, String reason) {
        if (!BookingStatus.canMove(booking.status(), BookingStatus.CANCELLED)) {
            throw ProblemException.conflict("a booking that is " + booking.status() + " cannot be cancelled");
        }
        UUID id = booking.id();
        return bookings.setStatus(c, id, BookingStatus.CANCELLED)
                .chain(() -> outbox.append(c, tenantId, BookingContract.CANCELLED, id.toString(),
                        new BookingContract.BookingCancelled(id, booking.status(), by, booking.amountMinor(), booking.currency())))
                .chain(() -> audit.record(c, new AuditEvent(tenantId, "booking.cancelled", actor, "booking", id.toString(), AuditEvent.SUCCESS,
                        new JsonObject().put("status", booking.status()), new JsonObject().put("status", BookingStatus.CANCELLED),
                        new JsonObject().put("by", by).put("reason", reason))));
    }
}
