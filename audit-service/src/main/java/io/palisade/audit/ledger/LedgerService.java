package io.palisade.audit.ledger;

import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.smallrye.mutiny.Uni;

/** A tenant's owners and admins read their own tenant's ledger (RLS) and check its hash chain. */
@ApplicationScoped
public class LedgerService {

    @Inject
    CurrentTenant currentTenant;

    @Inject
    TenantTransactions tx;

    @Inject
    LedgerRepository ledger;

    public Uni<Page<LedgerRepository.Entry>> list(LedgerRepository.Filter filter, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> ledger.list(c, filter, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, e -> e, e -> new Cursor(e.occurredAt(), e.eventId())));
    }

    public Uni<LedgerRepository.Verification> verify() {
        return tx.inTenant(currentTenant.get(), ledger::verify);
    }

    /** An optional ISO-8601 date-time with offset. */
    public static OffsetDateTime parse(String value) {
        return value == null || value.isBlank() ? null : OffsetDateTime.parse(value);
    }
}
