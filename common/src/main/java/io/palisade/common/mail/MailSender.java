package io.palisade.common.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;

/**
 * Sends mail through SMTP ({@code palisade.mail.transport=smtp}, the Quarkus mailer's settings), or, on the
 * local platform and in tests, drops each message as a JSON file into {@code palisade.mail.directory}
 * ({@code directory}), where a developer or a test reads it. Logs say that a message left, never to whom or
 * what it said.
 */
@ApplicationScoped
public class MailSender {

    private static final Logger LOG = Logger.getLogger(MailSender.class);

    private final String transport;
    private final Optional<Path> directory;
    private final String from;
    private final ReactiveMailer smtp;

    MailSender(@ConfigProperty(name = "palisade.mail.transport", defaultValue = "smtp") String transport,
            @ConfigProperty(name = "palisade.mail.directory") Optional<Path> directory,
            @ConfigProperty(name = "palisade.mail.from", defaultValue = "Palisade <no-reply@palisade.local>") String from, ReactiveMailer smtp) {
        this.transport = transport;
        this.directory = directory;
        this.from = from;
        this.smtp = smtp;
    }

    public Uni<Void> send(OutgoingMail mail) {
        Uni<Void> sent = switch (transport) {
            case "smtp" -> smtp.send(Mail.withText(mail.to(), mail.subject(), mail.text()).setFrom(from));
            case "directory" -> Uni.createFrom().item(() -> drop(mail)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid();
            default -> Uni.createFrom().failure(new IllegalStateException("unknown palisade.mail.transport " + transport));
        };
        return sent.invoke(() -> LOG.infof("mail sent (%s)", transport));
    }

    private Path drop(OutgoingMail mail) {
        Path dir = directory.orElseThrow(() -> new IllegalStateException("palisade.mail.directory is not set"));
        try {
            Files.createDirectories(dir);
            String name = Instant.now().toEpochMilli() + "-" + UUID.randomUUID() + ".json";
            Path partial = dir.resolve(name + ".part");
            Files.writeString(partial, new JsonObject().put("from", from).put("to", mail.to()).put("subject", mail.subject())
                    .put("text", mail.text()).put("sentAt", Instant.now().toString()).encodePrettily(), StandardCharsets.UTF_8);
            return Files.move(partial, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the mail file", e);
        }
    }
}
