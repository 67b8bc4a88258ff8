package io.palisade.booking.bookings;

import io.palisade.common.events.BookingContract;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.Capacity;
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

    private final TenantTransactions tx;
    private final BookingRepository bookings;
    private final CurrentTenant currentTenant;
    private final Outbox outbox;
    private final BookingCancellation cancellation;
    private final AuditLog audit;

    BookingService(TenantTransactions tx, BookingRepository bookings, CurrentTenant currentTenant, Outbox outbox,
            BookingCancellation cancellation, AuditLog audit) {
        this.tx = tx;
        this.bookings = bookings;
        this.currentTenant = currentTenant;
        this.outbox = outbox;
        this.cancellation = cancellation;
        this.audit = audit;
    }

    public Uni<Page<BookingRepository.Booking>> list(BookingRepository.Filter filter, String cursor, int limit) {
        if (filter.status() != null && !BookingStatus.known(filter.status())) {
            throw ProblemException.badRequest("unknown status '" + filter.status() + "'");
        }
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> bookings.list(c, filter, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, b -> b, b -> new Cursor(b.createdAt(), b.id())));
    }

    public record Rebooked(UUID fromSlotId, UUID toSlotId, int moved) {
    }

    /**
     * Moves the active bookings of one slot (or the listed ones) to another, all or nothing: if the target has too
     * few free seats for all of them, nothing moves (the database's capacity CHECK fails the one statement).
     */
    public Uni<Rebooked> rebook(UUID fromSlot, UUID toSlot, java.util.List<UUID> only, String clientIp) {
        if (fromSlot.equals(toSlot)) {
            throw ProblemException.unprocessable("the target slot is the same slot");
        }
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> bookings.slotExists(c, toSlot).chain(exists -> {
            if (!exists) {
                throw ProblemException.notFound("the target slot");
            }
            return bookings.lockActive(c, fromSlot, only);
        }).chain(moving -> {
            if (moving.isEmpty()) {
                throw ProblemException.unprocessable("there are no active bookings to move");
            }
            if (only != null && moving.size() != new java.util.HashSet<>(only).size()) {
                throw ProblemException.unprocessable("every listed booking must be an active booking of the source slot");
            }
            java.util.List<UUID> ids = moving.stream().map(BookingRepository.Booking::id).toList();
            return bookings.move(c, ids, toSlot).chain(() -> io.smallrye.mutiny.Multi.createFrom().iterable(moving)
                    .onItem().transformToUniAndConcatenate(b -> outbox.append(c, caller.tenantId(), BookingContract.REBOOKED, b.id().toString(),
                            new BookingContract.BookingRebooked(b.id(), fromSlot, toSlot))
                            .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "booking.rebooked", AuditEvent.Actor.of(caller, clientIp),
                                    "booking", b.id().toString(), AuditEvent.SUCCESS, new JsonObject().put("slotId", fromSlot.toString()),
                                    new JsonObject().put("slotId", toSlot.toString()), new JsonObject().put("bulk", ids.size())))))
                    .collect().asList())
                    .replaceWith(new Rebooked(fromSlot, toSlot, ids.size()));
        })).onFailure(Capacity::exceeded)
                .transform(e -> ProblemException.conflict("the target slot has too few free seats for all of these bookings; nothing was moved"));
    }

    /** Cancels a held, pending or confirmed booking: its seats are free at once. Anything else is a 409. */
    public Uni<BookingRepository.Booking> cancel(UUID id, String reason, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> bookings.lock(c, id).chain(found -> cancellation.cancel(c, caller.tenantId(),
                found.orElseThrow(() -> ProblemException.notFound("the booking")), AuditEvent.Actor.of(caller, clientIp),
                BookingCancellation.BY_STAFF, reason))
                .chain(() -> bookings.lock(c, id)).map(java.util.Optional::orElseThrow));
    }
}
