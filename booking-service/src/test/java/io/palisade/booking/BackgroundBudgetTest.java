package io.palisade.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Background work never takes the connections requests need (issue: overlapping expiry runs once held the whole
 * pool and the widget timed out). Twice as much background work as the budget allows, each unit holding its
 * connection: the pool (8 in tests) still serves a request at once, before any of that work ends.
 */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class BackgroundBudgetTest {

    private static final String MARK = "background-budget-test";

    @Inject
    TenantTransactions tx;

    @Test
    void backgroundWorkBeyondItsBudgetWaitsAndRequestsStillGetAConnection() throws Exception {
        List<Long> backgroundEnded = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            tx.inBackground(DbScope.anonymous(), c -> c.query("select pg_sleep(3), '" + MARK + "'").execute())
                    .subscribe().with(done -> backgroundEnded.add(System.nanoTime()), e -> backgroundEnded.add(System.nanoTime()));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (sleeping() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(4, sleeping(), "the budget's four connections are busy");
        AtomicLong requestEnded = new AtomicLong();
        tx.inScope(DbScope.anonymous(), c -> c.query("select 1").execute()).await().atMost(Duration.ofSeconds(30));
        requestEnded.set(System.nanoTime());
        assertEquals(4, sleeping(), "and never more than four");
        assertTrue(backgroundEnded.isEmpty(), "the request was served while all background work still ran or waited");
        while (backgroundEnded.size() < 8 && System.nanoTime() < deadline + Duration.ofSeconds(30).toNanos()) {
            Thread.sleep(100);
        }
        assertEquals(8, backgroundEnded.size(), "the waiting half ran after the first");
        assertTrue(backgroundEnded.stream().allMatch(t -> t > requestEnded.get()));
    }

    /** Connections running this test's background statement now. */
    private static int sleeping() throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rows = st.executeQuery("select count(*) from pg_stat_activity where query like 'select pg_sleep(3), ''" + MARK
                        + "''%' and state = 'active'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
