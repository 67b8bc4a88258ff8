package io.palisade.booking;

import static io.palisade.booking.Api.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.vertx.core.json.JsonObject;

/** The mail booking-service sent in the tests (transport "directory"), read back as a mailbox. */
public final class Mailbox {

    private static final Pattern TOKEN = Pattern.compile("#token=([A-Za-z0-9_-]+)");

    private Mailbox() {
    }

    /** The first message to the address with the subject, waiting up to 20 s for it. */
    public static JsonObject await(String to, String subject) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonObject mail : to(to)) {
                if (subject.equals(mail.getString("subject"))) {
                    return mail;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no mail '" + subject + "' to " + to);
    }

    /** The token of the email proof link mailed to the address with its hold ("Confirm your ..."). */
    public static String proofToken(String to) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonObject mail : to(to)) {
                Matcher token = TOKEN.matcher(mail.getString("text"));
                if (mail.getString("subject").startsWith("Confirm your") && token.find()) {
                    return token.group(1);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no email proof link to " + to);
    }

    /** Opens the proof link mailed to the address, as its holder would; answers the booking's status. */
    public static String prove(String to) throws InterruptedException {
        return json().body(java.util.Map.of("token", proofToken(to))).post("/guest/booking/confirm-email").then().statusCode(200)
                .extract().path("status");
    }

    public static List<JsonObject> to(String address) {
        List<JsonObject> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(BookingServiceStack.MAIL)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonObject mail = new JsonObject(Files.readString(file));
                if (address.equals(mail.getString("to"))) {
                    found.add(mail);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
