package io.palisade.booking.holds;

import io.palisade.common.events.BookingContract;

import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.booking.bookings.BookingRepository;
import io.palisade.booking.bookings.BookingStatus;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Holds that ran out free their seats: a bounded batch of due holds per run, oldest first, found across tenants by
 * one narrow definer; each is expired in its own transaction under the worker scope of its tenant, with the booking
 * locked and its status checked again (another instance may have expired it, a payment confirmed it), and announced
 * as booking.expired (payment-service cancels the hold's PaymentIntents). Runs never overlap; hold attempts that left
 * the limit window are dropped after each run.
 */
@ApplicationScoped
public class HoldExpiry {

    private static final Logger LOG = Logger.getLogger(HoldExpiry.class);
    /** Due holds expired per run: a backlog drains over several runs instead of one long transaction. */
    static final int BATCH = 500;

    private final TenantTransactions tx;
    private final BookingRepository bookings;
    private final Outbox outbox;
    private final HoldRepository holds;
    private final HoldSettings settings;

    HoldExpiry(TenantTransactions tx, BookingRepository bookings, HoldRepository holds, Outbox outbox, HoldSettings settings) {
        this.tx = tx;
        this.bookings = bookings;
        this.holds = holds;
        this.outbox = outbox;
        this.settings = settings;
    }

    @Scheduled(every = "${palisade.holds.expiry-check}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expireDue() {
        return tx.inBackground(DbScope.anonymous(), c -> holds.dueExpiries(c, BATCH))
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem().transformToUniAndConcatenate(due -> expire(due).onFailure().recoverWithItem(e -> {
                    // The next run finds it again.
                    LOG.warnf("hold %s of tenant %s did not expire this run: %s", due.bookingId(), due.tenantId(), e.getMessage());
                    return false;
                }))
                .filter(Boolean::booleanValue).collect().with(java.util.stream.Collectors.counting())
                .invoke(expired -> {
                    if (expired > 0) {
                        LOG.infof("%d hold(s) expired and freed their seats", expired);
                    }
                })
                // Under the upkeep scope, whose policies admit attempts older than 15 minutes alone (V16).
                .chain(() -> tx.inBackground(DbScope.upkeep(), c -> holds.forgetAttemptsBefore(c, settings.limitWindow())))
                .replaceWithVoid();
    }

    /** Whether the hold was still due and is now expired. */
    private Uni<Boolean> expire(HoldRepository.DueExpiry due) {
        return tx.inBackground(DbScope.worker(due.tenantId()), c -> bookings.lock(c, due.bookingId()).chain(found -> {
            if (found.isEmpty() || !BookingStatus.canMove(found.get().status(), BookingStatus.EXPIRED)
                    || found.get().holdExpiresAt() == null || found.get().holdExpiresAt().isAfter(OffsetDateTime.now())) {
                return Uni.createFrom().item(false);
            }
            BookingRepository.Booking booking = found.get();
            return bookings.markExpired(c, booking.id())
                    .chain(() -> outbox.append(c, due.tenantId(), BookingContract.EXPIRED, booking.id().toString(),
                            new BookingContract.BookingExpired(booking.id(), booking.amountMinor(), booking.currency())))
                    .replaceWith(true);
        }));
    }
}
