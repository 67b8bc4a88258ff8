package io.palisade.payment.webhooks;

import static io.palisade.payment.PaymentApi.await;
import static io.palisade.payment.PaymentApi.count;
import static io.palisade.payment.PaymentApi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.payment.PaymentApi;
import io.palisade.payment.PaymentServiceStack;
import io.palisade.payment.connect.ConnectService;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Stripe event worker applies an event under the worker scope of the tenant it was stored for: handed an event of
 * tenant A that names tenant B's PaymentIntent or account (as a wrong tenant, a bug or a forged row would), it finds
 * and changes nothing of B's.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class StripeWorkerScopeTest {

    @Inject
    GuestTokens tokens;

    @Inject
    ConnectService connect;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void anEventOfTenantANamingTenantBsPaymentIntentFindsNothing() throws Exception {
        TestTenancy.Tenant a = PaymentApi.connectedTenant(0);
        TestTenancy.Tenant b = PaymentApi.connectedTenant(0);
        String intent = PaymentApi.checkout(PaymentApi.heldBooking(tokens, b, UUID.randomUUID(), 4200));
        String accountOfB = PaymentApi.account(b);
        // Stripe's own events of B's checkout are applied first: then nothing but the forged event is left to move anything.
        await(() -> count("select count(*) from payment.stripe_events where account_id = '" + accountOfB + "' and processed_at is null") == 0,
                "B's own events are processed");
        String before = text("select status || ' ' || updated_at from payment.payments where payment_intent_id = '" + intent + "'");

        String event = storedEvent(a.id(), accountOfB, "payment_intent.canceled", intent);
        await(() -> count("select count(*) from payment.stripe_events where event_id = '" + event + "' and processed_at is not null") == 1,
                "the worker processes the event");

        assertEquals("unknown_intent", text("select outcome from payment.stripe_events where event_id = '" + event + "'"),
                "under A's scope B's payment does not exist");
        assertEquals(before, text("select status || ' ' || updated_at from payment.payments where payment_intent_id = '" + intent + "'"),
                "B's payment is untouched");
    }

    @Test
    void anAccountUpdateForTenantANamingTenantBsAccountChangesNothing() throws Exception {
        TestTenancy.Tenant a = PaymentApi.connectedTenant(0);
        TestTenancy.Tenant b = PaymentApi.connectedTenant(0);
        String accountOfB = PaymentApi.account(b);

        connect.applyAccountState(a.id(), new StripeGateway.AccountState(accountOfB, false, false)).await().indefinitely();

        assertEquals(1L, count("select count(*) from payment.connected_accounts where stripe_account_id = '" + accountOfB + "' and charges_enabled"),
                "B still takes payments");
    }

    /** A Stripe event as the webhook intake stores it, for the tenant given. */
    private static String storedEvent(UUID tenant, String account, String type, String objectId) throws SQLException {
        String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "insert into payment.stripe_events (event_id, tenant_id, account_id, type, object_id, payload) values (?, ?, ?, ?, ?, '{}')")) {
            st.setString(1, id);
            st.setObject(2, tenant);
            st.setString(3, account);
            st.setString(4, type);
            st.setString(5, objectId);
            st.executeUpdate();
        }
        return id;
    }
}
