package io.palisade.booking.holds;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.holdBody;
import static io.palisade.booking.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.booking.Api;
import io.palisade.booking.BookingServiceStack;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A visitor of tenant A's widget (DbScope.visitor) sees A's published offerings and their slots and nothing else, reads
 * no booking, guest or contact (not even A's), and may write a held booking for A alone (V18).
 */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class VisitorScopeTest {

    @Inject
    TenantTransactions tx;

    @Test
    void aVisitorSeesItsTenantsPublishedSlotsAndNoBookingGuestOrContact() {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String aSlot = Api.publishedSlot(a.ownerToken(), 2500, 5);
        String bSlot = Api.publishedSlot(b.ownerToken(), 2500, 5);
        String hidden = bearer(a.ownerToken()).body(Map.of("name", "Staff rehearsal", "priceMinor", 0, "currency", "EUR",
                "durationMinutes", 60, "published", false)).post("/offerings").then().statusCode(201).extract().path("id");
        json().body(holdBody(aSlot, 1)).post("/public/" + a.slug() + "/holds").then().statusCode(201);

        List<String> slots = read(a.id(), "select id::text from booking.slots");
        assertEquals(List.of(aSlot), slots, "A's published slot only, never B's " + bSlot);
        assertEquals(List.of(), read(a.id(), "select id::text from booking.offerings where id = '" + hidden + "'"));
        for (String table : List.of("bookings", "guests", "booking_contacts", "email_proofs", "notifications")) {
            assertEquals(List.of(), read(a.id(), "select tenant_id::text from booking." + table), table + " stays closed to a visitor");
        }
    }

    @Test
    void aVisitorWritesAHoldPricedFromItsSlotOfItsOwnTenantAndNothingElse() {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        UUID aSlot = UUID.fromString(Api.publishedSlot(a.ownerToken(), 2500, 5));
        UUID bSlot = UUID.fromString(Api.publishedSlot(b.ownerToken(), 2500, 5));
        UUID aGuest = UUID.randomUUID();
        asSuperuser("insert into booking.guests (id, tenant_id, name, email_lookup, email_sealed) values (?, ?, 'Known', ?, 'sealed')", aGuest, a.id(),
                "lookup-" + UUID.randomUUID());
        String insert = "insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at, guest_id)"
                + " values (gen_random_uuid(), $1, $2, 1, $3, $4, 'EUR', now() + interval '15 minutes', $5)";
        // B's slot, named as B's: the policy refuses the row.
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.from(Arrays.asList(b.id(), bSlot, "held", 2500L, null))));
        // Not a hold (pending_payment queues no message, so only the policy can refuse it), or not at the slot's price.
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.from(Arrays.asList(a.id(), aSlot, "pending_payment", 2500L, null))));
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.from(Arrays.asList(a.id(), aSlot, "held", 0L, null))));
        // A guest the tenant already knows: only a proven email attaches a booking to them.
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.from(Arrays.asList(a.id(), aSlot, "held", 2500L, aGuest))));
        assertThrows(RuntimeException.class, () -> write(a.id(), "update booking.slots set capacity = 500 where id = $1", Tuple.of(aSlot)));
        write(a.id(), insert, Tuple.from(Arrays.asList(a.id(), aSlot, "held", 2500L, null)));
        assertEquals(1L, PalisadeTestStack.get().count("select seats_taken::bigint from booking.slots where id = ?", aSlot),
                "the seat trigger took the seat under the visitor's scope");
    }

    @Test
    void aHoldOnASlotWhoseOfferingWasUnpublishedIsRefusedNotLeftUncounted() {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        UUID aSlot = UUID.fromString(Api.publishedSlot(a.ownerToken(), 0, 5));
        // The insert as a visitor that read the slot's terms just before staff unpublished the offering.
        String insert = "insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency,"
                + " hold_expires_at) values (gen_random_uuid(), $1, $2, 1, 'held', 0, 'EUR', now() + interval '15 minutes')";
        asSuperuser("update booking.offerings set published = false where id = (select offering_id from booking.slots where id = ?)", aSlot);
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.of(a.id(), aSlot)));
        assertEquals(0L, PalisadeTestStack.get().count("select count(*) from booking.bookings where slot_id = ?", aSlot));
    }

    private List<String> read(UUID tenant, String sql) {
        return tx.inScope(DbScope.visitor(tenant), c -> c.query(sql).execute()
                .map(rows -> { List<String> values = new java.util.ArrayList<>(); rows.forEach(r -> values.add(r.getString(0))); return values; }))
                .await().indefinitely();
    }

    private void write(UUID tenant, String sql, Tuple args) {
        tx.inScope(DbScope.visitor(tenant), c -> c.preparedQuery(sql).execute(args)).await().indefinitely();
    }

    private static void asSuperuser(String sql, Object... parameters) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                st.setObject(i + 1, parameters[i]);
            }
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
