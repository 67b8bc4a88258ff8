package io.palisade.tenant.mfa;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * TOTP second factor: enrolment (secret, provisioning URI, QR code), confirmation by a first code (which
 * yields the recovery codes, shown once), verification with single-use codes, and removal with a fresh code.
 * Every method works on the caller's connection, in a scope whose user is the account's.
 */
@ApplicationScoped
public class MfaService {

    public static final int RECOVERY_CODES = 10;

    private final MfaRepository repository;
    private final SecretBox secretBox;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.mfa.issuer", defaultValue = "Palisade")
    String issuer;

    MfaService(MfaRepository repository, SecretBox secretBox, AuditLog audit) {
        this.repository = repository;
        this.secretBox = secretBox;
        this.audit = audit;
    }

    /** What the user needs to add the authenticator: shown once, during enrolment. */
    public record Enrolment(String secret, String provisioningUri, String qrCodeSvg) {
    }

    public Uni<Enrolment> start(SqlConnection c, UUID userId) {
        return repository.lock(c, userId).chain(existing -> {
            if (existing.isPresent() && existing.get().confirmed()) {
                throw ProblemException.conflict("an authenticator is already enrolled; disable it first");
            }
            String secret = Totp.newSecret();
            return repository.saveUnconfirmed(c, userId, secretBox.encrypt(secret, associatedData(userId)))
                    .chain(() -> repository.email(c, userId))
                    .map(email -> {
                        String uri = Totp.provisioningUri(issuer, email, secret);
                        return new Enrolment(secret, uri, QrCodes.svg(uri));
                    });
        });
    }

    /**
     * Confirms enrolment with a first code. Returns the recovery codes (only their hashes are kept), or an
     * empty list if the code was wrong.
     */
    public Uni<List<String>> confirm(SqlConnection c, UUID userId, AuditEvent.Actor actor, UUID tenantId, String code) {
        return repository.lock(c, userId).chain(found -> {
            if (found.isEmpty()) {
                throw ProblemException.conflict("no enrolment was started");
            }
            if (found.get().confirmed()) {
                throw ProblemException.conflict("the authenticator is already enrolled");
            }
            OptionalLong step = Totp.matchingStep(secretBox.decrypt(found.get().secretSealed(), associatedData(userId)), code, Instant.now());
            if (step.isEmpty()) {
                return Uni.createFrom().item(List.<String>of());
            }
            List<String> codes = newRecoveryCodes();
            return repository.confirm(c, userId, step.getAsLong())
                    .chain(() -> repository.replaceRecoveryCodes(c, userId, codes.stream().map(MfaService::recoveryHash).toList()))
                    .chain(() -> audit.record(c, event(tenantId, "account.mfa_enabled", actor, userId)))
                    .replaceWith(codes);
        });
    }

    public Uni<Boolean> isEnrolled(SqlConnection c, UUID userId) {
        return repository.isEnrolled(c, userId);
    }

    /** A current code of the enrolled authenticator, never one of a time step already used. */
    public Uni<Boolean> verifyCode(SqlConnection c, UUID userId, String code) {
        return repository.lock(c, userId).chain(found -> {
            if (found.isEmpty() || !found.get().confirmed()) {
                return Uni.createFrom().item(false);
            }
            OptionalLong step = Totp.matchingStep(secretBox.decrypt(found.get().secretSealed(), associatedData(userId)), code, Instant.now());
            return step.isEmpty() ? Uni.createFrom().item(false) : repository.useStep(c, userId, step.getAsLong());
        });
    }

    public Uni<Boolean> useRecoveryCode(SqlConnection c, UUID userId, String code) {
        return code == null ? Uni.createFrom().item(false) : repository.useRecoveryCode(c, userId, recoveryHash(code));
    }

    /** Removes the authenticator and its recovery codes; needs a fresh code. False if the code was wrong. */
    public Uni<Boolean> disable(SqlConnection c, UUID userId, AuditEvent.Actor actor, UUID tenantId, String code) {
        return verifyCode(c, userId, code).chain(ok -> !ok ? Uni.createFrom().item(false)
                : repository.remove(c, userId).chain(() -> audit.record(c, event(tenantId, "account.mfa_disabled", actor, userId)))
                        .replaceWith(true));
    }

    private static AuditEvent event(UUID tenantId, String action, AuditEvent.Actor actor, UUID userId) {
        return new AuditEvent(tenantId, action, actor, "user", userId.toString(), AuditEvent.SUCCESS, null, null, new JsonObject());
    }

    public static String associatedData(UUID userId) {
        return "mfa-totp:" + userId;
    }

    /** Ten codes of 50 random bits each, as {@code xxxxx-xxxxx}. */
    static List<String> newRecoveryCodes() {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            String raw = Totp.newSecret().substring(0, 10).toLowerCase(Locale.ROOT);
            codes.add(raw.substring(0, 5) + "-" + raw.substring(5));
        }
        return codes;
    }

    /** Case, spaces and dashes do not matter when a code is typed back. */
    static String recoveryHash(String code) {
        return Hashes.sha256Hex(code.toLowerCase(Locale.ROOT).replaceAll("[\\s-]", ""));
    }
}
