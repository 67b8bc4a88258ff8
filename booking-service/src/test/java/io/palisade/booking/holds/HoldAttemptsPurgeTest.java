package io.palisade.booking.holds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.booking.BookingServiceStack;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Hold attempts past the limit window go, under the upkeep scope; attempts a client's limit still counts stay, even
 * from a statement that names no window: the policy bounds the purge (V16).
 */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class HoldAttemptsPurgeTest {

    @Inject
    HoldExpiry expiry;

    @Inject
    TenantTransactions tx;

    @Test
    void theExpiryRunDropsAttemptsPastTheWindowAndKeepsTheRest() throws SQLException {
        String old = attempt("20 minutes");
        String recent = attempt("1 minute");
        expiry.expireDue().await().indefinitely();
        assertEquals(0L, attempts(old));
        assertEquals(1L, attempts(recent), "the window (PT15M) still counts it");
    }

    @Test
    void theUpkeepScopeCannotDeleteAnAttemptTheWindowStillCounts() throws SQLException {
        String recent = attempt("10 minutes");
        String old = attempt("16 minutes");
        // Asks for both (and it may read made_at alone): the policy lets the older one go.
        tx.inScope(DbScope.upkeep(), c -> c.query("delete from booking.hold_attempts where made_at > now() - interval '17 minutes'").execute())
                .await().indefinitely();
        assertEquals(0L, attempts(old));
        assertEquals(1L, attempts(recent));
    }

    /** One attempt made that long ago, by a client of its own; returns the client. */
    private static String attempt(String ago) throws SQLException {
        String client = UUID.randomUUID().toString();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "insert into booking.hold_attempts (tenant_id, client_key, email_key, made_at) values (?, ?, 'e', now() - ?::interval)")) {
            st.setObject(1, UUID.randomUUID());
            st.setString(2, client);
            st.setString(3, ago);
            st.executeUpdate();
        }
        return client;
    }

    private static long attempts(String client) {
        return PalisadeTestStack.get().count("select count(*) from booking.hold_attempts where client_key = ?", client);
    }
}
