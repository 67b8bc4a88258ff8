package io.palisade.booking.bookings;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** Staff work on their tenant's bookings: list and search, cancel. */
@ApplicationScoped
public class BookingService {

    @Inject
    TenantTransactions tx;

    @Inject
    BookingRepository bookings;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    Outbox outbox;

    @Inject
    AuditLog audit;

    public Uni<Page<BookingRepository.Booking>> list(BookingRepository.Filter filter, String cursor, int limit) {
        if (filter.status() != null && !BookingStatus.known(filter.status())) {
            throw ProblemException.badRequest("unknown status '" + filter.status() + "'");
        }
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> bookings.list(c, filter, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, b -> b, b -> new Cursor(b.createdAt(), b.id())));
    }

    /** Cancels a held, pending or confirmed booking: its seats are free at once. Anything else is a 409. */
    public Uni<BookingRepository.Booking> cancel(UUID id, String reason, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> bookings.lock(c, id).chain(found -> {
            BookingRepository.Booking booking = found.orElseThrow(() -> ProblemException.notFound("the booking"));
            if (!BookingStatus.canMove(booking.status(), BookingStatus.CANCELLED)) {
                throw ProblemException.conflict("a booking that is " + booking.status() + " cannot be cancelled");
            }
            return bookings.setStatus(c, id, BookingStatus.CANCELLED)
                    .chain(() -> outbox.append(c, caller.tenantId(), "booking.cancelled", id.toString(), new JsonObject()
                            .put("bookingId", id.toString()).put("previousStatus", booking.status()).put("amountMinor", booking.amountMinor())
                            .put("currency", booking.currency())))
                    .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "booking.cancelled", AuditEvent.Actor.of(caller, clientIp),
                            "booking", id.toString(), AuditEvent.SUCCESS, new JsonObject().put("status", booking.status()),
                            new JsonObject().put("status", BookingStatus.CANCELLED), new JsonObject().put("reason", reason))))
                    .chain(() -> bookings.lock(c, id)).map(java.util.Optional::orElseThrow);
        }));
    }
}
