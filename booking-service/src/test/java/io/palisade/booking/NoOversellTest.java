package io.palisade.booking;

import static io.palisade.booking.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Never oversell: hundreds of concurrent holds on one slot, and the database constraint behind the code. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class NoOversellTest {

    private static final int CAPACITY = 50;
    private static final int REQUESTS = 500;

    @Test
    void fiveHundredConcurrentHoldsTakeExactlyTheFiftySeats() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 2500, CAPACITY);
        ExecutorService clients = Executors.newFixedThreadPool(64);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                // Each client from a network of its own (198.18.0.0/15 holds 512 /24s): the per-network limit stays out of it.
                String client = "198." + (18 + i / 256) + "." + (i % 256) + ".1";
                answers.add(clients.submit(() -> {
                    start.await();
                    return json().header("X-Forwarded-For", client).body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").statusCode();
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            int created = 0;
            int conflicts = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                if (status == 201) {
                    created++;
                } else if (status == 409) {
                    conflicts++;
                }
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            System.out.printf("NoOversellTest: %d concurrent holds on %d seats in %.2f s (%.0f requests/s): %d created, %d refused%n",
                    REQUESTS, CAPACITY, seconds, REQUESTS / seconds, created, conflicts);
            assertEquals(CAPACITY, created);
            assertEquals(REQUESTS - CAPACITY, conflicts);
        } finally {
            clients.shutdown();
        }
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select s.seats_taken, (select coalesce(sum(b.seats), 0) from booking.bookings b"
                        + " where b.slot_id = s.id and b.status in ('held', 'pending_payment', 'confirmed')) from booking.slots s where s.id = ?")) {
            st.setObject(1, UUID.fromString(slot));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(CAPACITY, rs.getInt(1));
                assertEquals(CAPACITY, rs.getInt(2));
            }
        }
    }

    @Test
    void theDatabaseRefusesAnOversellEvenFromTheSchemaOwner() throws SQLException {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 2500, 2);
        json().body(Api.holdBody(slot, 2)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        try (Connection c = PalisadeTestStack.get().connectAs("booking_owner"); Statement st = c.createStatement()) {
            SQLException oversold = assertThrows(SQLException.class, () -> st.execute(
                    "insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency)"
                            + " values (gen_random_uuid(), '" + tenant.id() + "', '" + slot + "', 1, 'confirmed', 0, 'EUR')"));
            assertEquals("23514", oversold.getSQLState());
            assertTrue(oversold.getMessage().contains("slots_never_oversold"));
            assertThrows(SQLException.class, () -> st.execute("update booking.slots set seats_taken = capacity + 1 where id = '" + slot + "'"));
        }
    }
}
