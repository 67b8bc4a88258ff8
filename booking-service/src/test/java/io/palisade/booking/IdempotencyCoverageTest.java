package io.palisade.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.devstack.testing.IdempotencyCoverage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every mutating POST of booking-service honours Idempotency-Key, except the guest-facing ones named here. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class IdempotencyCoverageTest {

    /**
     * No tenant member to key on: the widget's holds (each one a new booking by design; a retry after a lost
     * answer holds seats again until the first hold expires) and guests' own actions (idempotent by their state:
     * a second cancel or signature is a 409, a second use of an email proof link a 404).
     */
    private static final Set<String> WITHOUT_IDEMPOTENCY = Set.of("PublicBookingResource.hold", "GuestBookingResource.cancel",
            "GuestBookingResource.confirmEmail", "WaiverResource.sign");

    @Test
    void everyPostIsIdempotentOrDeliberatelyExempt() {
        IdempotencyCoverage.Report report = IdempotencyCoverage.of(Idempotent.class);
        assertEquals(Set.of(), report.staleExemptions(WITHOUT_IDEMPOTENCY), "stale exemptions");
        assertEquals(Set.of(), report.missing(WITHOUT_IDEMPOTENCY), "POST endpoints without @Idempotent");
    }
}
