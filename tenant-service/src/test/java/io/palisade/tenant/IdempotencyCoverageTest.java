package io.palisade.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;


import org.junit.jupiter.api.Test;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.devstack.testing.IdempotencyCoverage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every mutating POST of this service honours Idempotency-Key, except the credential endpoints named here. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class IdempotencyCoverageTest {

    /**
     * No tenant and principal to key on (the caller is not signed in), or a replay would hand out credentials
     * again: these must run every time.
     */
    private static final Set<String> WITHOUT_IDEMPOTENCY = Set.of("AccountResource.signup", "AccountResource.completeSignup", "AccountResource.confirmEmail", "AccountResource.login", "AccountResource.unlock",
            "AccountResource.refresh", "AccountResource.logout", "AccountResource.accept", "PlatformResource.rotateSigningKey",
            "PasswordResource.change", "AccountResource.secondFactor", "AccountResource.startEnrolment",
            "AccountResource.confirmEnrolment", "MfaResource.enrol", "MfaResource.confirm", "MfaResource.disable",
            "GuestResource.requestLink", "GuestResource.redeem", "PlatformSupportResource.request", "PlatformSupportResource.start",
            "PlatformSupportResource.renew");

    @Test
    void everyPostIsIdempotentOrDeliberatelyExempt() {
        IdempotencyCoverage.Report report = IdempotencyCoverage.of(Idempotent.class);
        assertEquals(Set.of(), report.staleExemptions(WITHOUT_IDEMPOTENCY), "stale exemptions");
        assertEquals(Set.of(), report.missing(WITHOUT_IDEMPOTENCY), "POST endpoints without @Idempotent");
    }
}
