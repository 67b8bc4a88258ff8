package io.palisade.payment.payments;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;

/** What staff see of their tenant's payments: a list with filters and cursor pagination, and one payment with its refunds. */
@ApplicationScoped
public class StaffPayments {

    private static final Set<String> STATUSES = Set.of("creating", "requires_payment", "processing", "succeeded", "canceled");

    public record PaymentWithRefunds(PaymentRepository.Payment payment, List<PaymentRepository.Refund> refunds) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final PaymentRepository payments;

    StaffPayments(CurrentTenant currentTenant, TenantTransactions tx, PaymentRepository payments) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.payments = payments;
    }

    public Uni<Page<PaymentRepository.Payment>> list(UUID bookingId, String status, String cursor, int limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("unknown status '" + status + "'; one of " + new java.util.TreeSet<>(STATUSES));
        }
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> payments.list(c, bookingId, status, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, p -> p, p -> new Cursor(p.createdAt(), p.id())));
    }

    public Uni<PaymentWithRefunds> get(UUID id) {
        return tx.inTenant(currentTenant.get(), c -> payments.find(c, id).chain(found -> {
            PaymentRepository.Payment payment = found.orElseThrow(() -> ProblemException.notFound("the payment"));
            return payments.refunds(c, id).map(refunds -> new PaymentWithRefunds(payment, refunds));
        }));
    }
}
