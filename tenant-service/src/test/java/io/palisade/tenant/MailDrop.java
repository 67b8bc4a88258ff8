package io.palisade.tenant;

import io.palisade.devstack.testing.TestDirectories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.vertx.core.json.JsonObject;

/** The mail the service under test sent (transport "directory"), read back as a mailbox. */
public final class MailDrop {

    public static final Path DIRECTORY = TestDirectories.create("palisade-mail");

    private MailDrop() {
    }

    /** Every message sent to the address, oldest first. */
    public static List<JsonObject> to(String address) {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted(Comparator.comparing(Path::getFileName))
                    .map(MailDrop::read).filter(m -> address.equals(m.getString("to"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token of the newest sign-in link sent to the address. */
    public static String latestLinkToken(String address) {
        List<JsonObject> mails = to(address);
        if (mails.isEmpty()) {
            throw new AssertionError("no mail to " + address);
        }
        Matcher token = Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(mails.get(mails.size() - 1).getString("text"));
        if (!token.find()) {
            throw new AssertionError("no sign-in link in the mail to " + address);
        }
        return token.group(1);
    }

    private static JsonObject read(Path file) {
        try {
            return new JsonObject(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
