package io.palisade.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/** The registry is the contract: producers' records read back as written, a breach is refused, and the docs show it. */
class EventContractsTest {

    private static final String START = "<!-- event-contracts:start -->\n";
    private static final String END = "<!-- event-contracts:end -->";

    @Test
    void docsEventsShowsTheRegistry() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "events.md"));
        String shown = docs.substring(docs.indexOf(START) + START.length(), docs.indexOf(END));
        assertEquals(EventContracts.markdownTable(), shown, "docs/events.md's table is EventContracts.markdownTable(), pasted");
    }

    @Test
    void everyTypeIsRegisteredOnceOnATopicItsServiceOwns() {
        Set<String> types = new HashSet<>();
        for (EventType<?> type : EventContracts.ALL) {
            assertTrue(types.add(type.type()), type.type() + " registered twice");
            assertTrue(Topics.OWNERS.containsKey(type.topic()), type.type() + " on " + type.topic());
            assertTrue(type.data().isRecord(), type.type() + "'s data is a record");
        }
    }

    @Test
    void aRecordReadsBackAsItWasWritten() {
        BookingContract.BookingCreated created = new BookingContract.BookingCreated(UUID.randomUUID(), "ref", UUID.randomUUID(), 2, "held", 9000,
                "EUR", OffsetDateTime.parse("2026-12-02T10:15:30.123456+01:00"));
        JsonObject written = BookingContract.CREATED.write(created);
        assertEquals(created, BookingContract.CREATED.read(written));
        assertEquals("2026-12-02T10:15:30.123456+01:00", written.getString("holdExpiresAt"));
        PaymentContract.PaymentSucceeded byGiftCards = PaymentContract.PaymentSucceeded.of(UUID.randomUUID(), null, null, null, 0, 4500, "EUR");
        JsonObject paid = PaymentContract.SUCCEEDED.write(byGiftCards);
        assertTrue(paid.containsKey("paymentIntentId"), "nulls are written too");
        assertEquals(4500, paid.getLong("amountMinor"));
        assertEquals(byGiftCards, PaymentContract.SUCCEEDED.read(paid));
    }

    @Test
    void dataThatBreaksTheContractIsRefusedAndAFieldAddedLaterIsNot() {
        JsonObject expired = BookingContract.EXPIRED.write(new BookingContract.BookingExpired(UUID.randomUUID(), 9000, "EUR"));
        assertEquals(9000, BookingContract.EXPIRED.read(expired.copy().put("addedInALaterVersion", true)).amountMinor());
        JsonObject missing = expired.copy();
        missing.remove("amountMinor");
        assertThrows(IllegalArgumentException.class, () -> BookingContract.EXPIRED.read(missing));
        assertThrows(IllegalArgumentException.class, () -> BookingContract.EXPIRED.read(expired.copy().putNull("amountMinor")));
        assertThrows(IllegalArgumentException.class, () -> BookingContract.EXPIRED.read(expired.copy().put("bookingId", "not a uuid")));
        assertThrows(IllegalArgumentException.class, () -> BookingContract.EXPIRED.read(null));
    }

    @Test
    void anEventIsReadOnlyAsItsOwnType() {
        JsonObject data = BookingContract.EXPIRED.write(new BookingContract.BookingExpired(UUID.randomUUID(), 9000, "EUR"));
        CloudEvent event = new CloudEvent(UUID.randomUUID().toString(), "booking.expired", "/booking-service", null, UUID.randomUUID(), null, null, data);
        assertEquals(9000, event.data(BookingContract.EXPIRED).amountMinor());
        assertThrows(IllegalArgumentException.class, () -> event.data(BookingContract.CANCELLED));
    }

    @Test
    void webhooksGetTheTypesMarkedForThem() {
        assertTrue(EventContracts.webhookTypes().contains("booking.created"));
        assertTrue(EventContracts.webhookTypes().contains("webhook.endpoint_disabled"));
        assertTrue(!EventContracts.webhookTypes().contains("booking.payment_unneeded"), "internal types are never delivered");
        assertTrue(!EventContracts.webhookTypes().contains("member.updated"));
    }
}
