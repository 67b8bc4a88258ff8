package io.palisade.tenant.secrets;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.idempotency.IdempotencyKeys;
import io.palisade.tenant.mfa.MfaService;
import io.palisade.tenant.sso.SsoProviders;
import io.palisade.tenant.tokens.SigningKeys;
import io.quarkus.agroal.DataSource;

/**
 * After a new master key version is configured (with the old one among the previous keys), seals every value
 * that the master key seals directly under the new version: tenants' data keys, authenticator secrets, token
 * signing keys, SSO client secrets and stored idempotent responses. Values sealed with data keys need nothing: their
 * data keys are only re-wrapped. Run by the service's {@code rotate-master-key} command; safe to repeat and to interrupt.
 * <p>
 * It reads and writes every tenant's values, so it runs as the schema owner (the migrations datasource, active only in
 * an operator's run: docs/integration-secrets.md), never as the serving role: no request-serving code can reach all
 * tenants' sealed values.
 */
@ApplicationScoped
public class MasterKeyRotation {

    private static final Logger LOG = Logger.getLogger(MasterKeyRotation.class);

    /** Every master-sealed value, as (kind, id, sealed). */
    static final String SEALED_VALUES = """
            select 'data_key', tenant_id || '/' || version, wrapped_key from tenancy.tenant_data_keys
            union all select 'totp_secret', user_id::text, secret_sealed from tenancy.mfa_totp
            union all select 'signing_key', kid, private_key_sealed from tenancy.signing_keys
            union all select 'sso_client_secret', tenant_id::text, client_secret_sealed from tenancy.sso_providers
            union all select 'idempotency_response', tenant_id || ':' || principal || ':' || key, response_body_sealed
                        from tenancy.idempotency_keys where response_body_sealed is not null""";

    /** Per kind: writes one value back, only if it is still what was read (?: new, id, old). */
    private static final Map<String, String> RESEAL = Map.of(
            "data_key", "update tenancy.tenant_data_keys set wrapped_key = ?, rewrapped_at = now()"
                    + " where tenant_id || '/' || version = ? and wrapped_key = ?",
            "totp_secret", "update tenancy.mfa_totp set secret_sealed = ? where user_id::text = ? and secret_sealed = ?",
            "signing_key", "update tenancy.signing_keys set private_key_sealed = ? where kid = ? and private_key_sealed = ?",
            "sso_client_secret", "update tenancy.sso_providers set client_secret_sealed = ? where tenant_id::text = ? and client_secret_sealed = ?",
            "idempotency_response", "update tenancy.idempotency_keys set response_body_sealed = ?"
                    + " where tenant_id || ':' || principal || ':' || key = ? and response_body_sealed = ?");

    @Inject
    @DataSource("migrations")
    Instance<AgroalDataSource> schemaOwner;

    private final SecretBox masterKey;

    MasterKeyRotation(SecretBox masterKey) {
        this.masterKey = masterKey;
    }

    public record Result(int resealed, int current) {
    }

    private record Sealed(String kind, String id, String value) {
    }

    /** Each value in its own statement (autocommit): an interrupted run keeps what it did, and a rerun does the rest. */
    public Result run() throws SQLException {
        try (Connection c = schemaOwner.get().getConnection()) {
            c.setAutoCommit(true);
            List<Sealed> values = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SEALED_VALUES)) {
                while (rs.next()) {
                    values.add(new Sealed(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            int resealed = 0;
            int stale = 0;
            for (Sealed sealed : values) {
                if (masterKey.isStale(sealed.value())) {
                    stale++;
                    resealed += reseal(c, sealed);
                }
            }
            Result result = new Result(resealed, values.size() - stale);
            LOG.infof("master key rotation: %d values sealed again, %d were current", result.resealed(), result.current());
            return result;
        }
    }

    /** Opened with whichever version sealed it, sealed under the current one; 0 if it changed since it was read. */
    private int reseal(Connection c, Sealed sealed) throws SQLException {
        String aad = associatedData(sealed);
        try (PreparedStatement st = c.prepareStatement(RESEAL.get(sealed.kind()))) {
            st.setString(1, masterKey.encrypt(masterKey.decrypt(sealed.value(), aad), aad));
            st.setString(2, sealed.id());
            st.setString(3, sealed.value());
            return st.executeUpdate();
        }
    }

    private static String associatedData(Sealed sealed) {
        return switch (sealed.kind()) {
            case "data_key" -> {
                String[] parts = sealed.id().split("/");
                yield DataKeys.associatedData(UUID.fromString(parts[0]), Integer.parseInt(parts[1]));
            }
            case "totp_secret" -> MfaService.associatedData(UUID.fromString(sealed.id()));
            case "signing_key" -> SigningKeys.associatedData(sealed.id());
            case "sso_client_secret" -> SsoProviders.associatedData(UUID.fromString(sealed.id()));
            case "idempotency_response" -> {
                String[] parts = sealed.id().split(":", 3);
                yield IdempotencyKeys.associatedData("tenancy", UUID.fromString(parts[0]), UUID.fromString(parts[1]), parts[2]);
            }
            default -> throw new IllegalStateException("unknown sealed value kind " + sealed.kind());
        };
    }
}
