package io.palisade.booking.holds;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.holdBody;
import static io.palisade.booking.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.booking.Api;
import io.palisade.booking.BookingServiceStack;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
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
    void aVisitorWritesAHeldBookingOfItsOwnTenantAndNothingElse() {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        UUID aSlot = UUID.fromString(Api.publishedSlot(a.ownerToken(), 2500, 5));
        UUID bSlot = UUID.fromString(Api.publishedSlot(b.ownerToken(), 2500, 5));
        String insert = "insert into booking.bookings (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at)"
                + " values (gen_random_uuid(), $1, $2, 1, $3, 2500, 'EUR', now() + interval '15 minutes')";
        // B's slot, named as B's: the policy refuses the row.
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.of(b.id(), bSlot, "held")));
        // A confirmed booking is not a hold: a visitor may not skip payment or the email proof.
        assertThrows(RuntimeException.class, () -> write(a.id(), insert, Tuple.of(a.id(), aSlot, "confirmed")));
        assertThrows(RuntimeException.class, () -> write(a.id(), "update booking.slots set capacity = 500 where id = $1", Tuple.of(aSlot)));
        write(a.id(), insert, Tuple.of(a.id(), aSlot, "held"));
        assertEquals(1L, io.palisade.devstack.testing.PalisadeTestStack.get().count(
                "select seats_taken::bigint from booking.slots where id = ?", aSlot), "the seat trigger took the seat under the visitor's scope");
    }

    private List<String> read(UUID tenant, String sql) {
        return tx.inScope(DbScope.visitor(tenant), c -> c.query(sql).execute()
                .map(rows -> { List<String> values = new java.util.ArrayList<>(); rows.forEach(r -> values.add(r.getString(0))); return values; }))
                .await().indefinitely();
    }

    private void write(UUID tenant, String sql, Tuple args) {
        tx.inScope(DbScope.visitor(tenant), c -> c.preparedQuery(sql).execute(args)).await().indefinitely();
    }
}
