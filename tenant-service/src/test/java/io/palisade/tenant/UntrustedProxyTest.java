package io.palisade.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.lockout.LoginThrottle;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * X-Forwarded-For counts only from a trusted proxy: here the only trusted proxy is elsewhere, so a client on loopback
 * that sends the header is recorded (and locked out) by its own address. The other way round, every other test
 * (loopback trusted) sees the forwarded address, e.g. LockoutTest.everyFailureAndLockIsAnAuditEvent.
 */
@QuarkusTest
@TestProfile(UntrustedProxyTest.ProxyElsewhere.class)
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class UntrustedProxyTest {

    public static class ProxyElsewhere implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.trusted-proxies", "192.0.2.10");
        }
    }

    @Inject
    LoginThrottle throttle;

    @Test
    void aForwardedAddressFromAnUntrustedSenderIsIgnored() throws Exception {
        String claimed = "203.0.113." + (1 + new java.util.Random().nextInt(250));
        String email = "nobody-" + UUID.randomUUID() + "@example.com";
        Api.jsonFrom(claimed).body(Map.of("email", email, "password", "Wrong-Passw0rd-1")).post("/auth/login").then().statusCode(401);
        List<String> recorded = new java.util.ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select data->'actor'->>'clientIp' from tenancy.outbox where stream = 'audit'"
                        + " and type = 'auth.login_failed' and data->'details'->>'identifier' = ?")) {
            st.setString(1, throttle.identifier(email));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    recorded.add(rs.getString(1));
                }
            }
        }
        assertEquals(List.of("127.0.0.1"), recorded, "the connection's own address, never the claimed " + claimed);
    }
}
