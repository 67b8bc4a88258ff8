package io.palisade.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.POST;

import org.junit.jupiter.api.Test;

import io.palisade.common.idempotency.Idempotent;
import io.quarkus.arc.Arc;
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
    private static final Set<String> WITHOUT_IDEMPOTENCY = Set.of("AccountResource.signup", "AccountResource.login",
            "AccountResource.refresh", "AccountResource.logout", "AccountResource.accept", "PlatformResource.rotateSigningKey",
            "PasswordResource.change", "AccountResource.secondFactor", "AccountResource.startEnrolment",
            "AccountResource.confirmEnrolment", "MfaResource.enrol", "MfaResource.confirm", "MfaResource.disable",
            "GuestResource.requestLink", "GuestResource.redeem", "PlatformSupportResource.request", "PlatformSupportResource.start",
            "PlatformSupportResource.renew");

    @Test
    void everyPostIsIdempotentOrDeliberatelyExempt() {
        Set<String> posts = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            if (!type.getName().startsWith("io.palisade.")) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(POST.class)) {
                    String name = type.getSimpleName() + "." + method.getName();
                    posts.add(name);
                    boolean idempotent = method.isAnnotationPresent(Idempotent.class) || type.isAnnotationPresent(Idempotent.class);
                    if (!idempotent && !WITHOUT_IDEMPOTENCY.contains(name)) {
                        missing.add(name);
                    }
                }
            }
        }
        assertTrue(posts.containsAll(WITHOUT_IDEMPOTENCY), "stale exemptions: " + WITHOUT_IDEMPOTENCY + " vs " + posts);
        assertEquals(Set.of(), missing, "POST endpoints without @Idempotent");
    }
}
