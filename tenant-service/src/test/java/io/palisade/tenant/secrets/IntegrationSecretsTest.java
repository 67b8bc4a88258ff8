package io.palisade.tenant.secrets;

import static io.palisade.tenant.Api.bearer;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.palisade.common.crypto.AesGcm;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.palisade.tenant.sso.FakeOidcProvider;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Integration credentials: envelope encryption per tenant, never returned, tamper-evident, master key rotation. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class IntegrationSecretsTest {

    @Inject
    IntegrationSecrets secrets;

    @Inject
    TenantTransactions tx;

    @Inject
    AuditLog audit;

    @Inject
    SecretRepository stored;

    @Inject
    @DataSource("migrations")
    Instance<AgroalDataSource> schemaOwner;

    private static final String VALUE = "mc-api-key-" + UUID.randomUUID();

    private static void put(String token, String provider, String name, String value) {
        bearer(token).body(Map.of("value", value)).put("/integrations/" + provider + "/secrets/" + name).then().statusCode(200)
                .body("set", equalTo(true)).body(not(containsString(value)));
    }

    private Optional<String> reveal(Api.TestTenant tenant, String provider, String name) {
        return tx.inScope(new DbScope(tenant.id(), tenant.ownerId(), TenantContext.STAFF),
                c -> secrets.reveal(c, tenant.id(), provider, name)).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aSecretIsStoredSealedAndNeverReturned() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        String owner = tenant.ownerToken();
        put(owner, "mailchimp", "api_key", VALUE);
        bearer(owner).get("/integrations/secrets").then().statusCode(200).body("name", contains("api_key"))
                .body("set", contains(true)).body(not(containsString(VALUE)));
        assertEquals(Optional.of(VALUE), reveal(tenant, "mailchimp", "api_key"));
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select s.ciphertext, k.wrapped_key from tenancy.integration_secrets s"
                        + " join tenancy.tenant_data_keys k on k.tenant_id = s.tenant_id and k.version = s.key_version where s.tenant_id = ?")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                assertFalse(rs.getString(1).contains(VALUE));
                assertFalse(new String(Base64.getDecoder().decode(rs.getString(1))).contains(VALUE));
                assertTrue(rs.getString(2).startsWith("v1:"), "the data key is wrapped by master key version 1");
            }
        }
        put(owner, "mailchimp", "api_key", VALUE + "-2");
        assertEquals(Optional.of(VALUE + "-2"), reveal(tenant, "mailchimp", "api_key"));
        bearer(owner).delete("/integrations/mailchimp/secrets/api_key").then().statusCode(204);
        assertEquals(Optional.empty(), reveal(tenant, "mailchimp", "api_key"));
        assertEquals(List.of("integration.secret_set", "integration.secret_set", "integration.secret_deleted"), auditActions(tenant.id()));
    }

    @Test
    void onlySettingsManagersTouchThemAndOnlyKnownIntegrations() {
        Api.TestTenant tenant = Api.newTenant("MEMBERS_MANAGE");
        bearer(tenant.staffToken()).get("/integrations/secrets").then().statusCode(403);
        bearer(tenant.staffToken()).body(Map.of("value", "x")).put("/integrations/hubspot/secrets/api_key").then().statusCode(403);
        bearer(tenant.ownerToken()).body(Map.of("value", "x")).put("/integrations/evilcorp/secrets/api_key").then().statusCode(404);
    }

    @Test
    void aTamperedCiphertextOrDataKeyOrACopiedValueFailsLoudly() throws SQLException {
        Api.TestTenant a = Api.newTenant(null);
        Api.TestTenant b = Api.newTenant(null);
        put(a.ownerToken(), "klaviyo", "api_key", VALUE);
        put(b.ownerToken(), "klaviyo", "api_key", "b-" + VALUE);

        // One flipped bit in the sealed value.
        superuser("update tenancy.integration_secrets set ciphertext = overlay(ciphertext placing"
                + " (case when substr(ciphertext, 20, 1) = 'A' then 'B' else 'A' end) from 20 for 1) where tenant_id = ?", a.id());
        assertThrows(AesGcm.TamperedException.class, () -> reveal(a, "klaviyo", "api_key"));

        // B's ciphertext copied into B's other row does not open there (bound to its place).
        superuser("insert into tenancy.integration_secrets (tenant_id, provider, name, key_version, ciphertext, updated_by)"
                + " select tenant_id, provider, 'copied_key', key_version, ciphertext, updated_by from tenancy.integration_secrets"
                + " where tenant_id = ? and name = 'api_key'", b.id());
        assertThrows(AesGcm.TamperedException.class, () -> reveal(b, "klaviyo", "copied_key"));

        // A tampered wrapped data key.
        superuser("update tenancy.tenant_data_keys set wrapped_key = overlay(wrapped_key placing"
                + " (case when substr(wrapped_key, 12, 1) = 'A' then 'B' else 'A' end) from 12 for 1) where tenant_id = ?", b.id());
        assertThrows(AesGcm.TamperedException.class, () -> reveal(b, "klaviyo", "api_key"));
    }

    @Test
    void rotatingTheMasterKeyRewrapsEveryDataKeyAndOldCiphertextsStillOpen() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        put(tenant.ownerToken(), "quickbooks", "oauth_refresh_token", VALUE);
        // Every kind of master-sealed value is present: SSO client secrets and stored idempotent responses too.
        try (FakeOidcProvider idp = new FakeOidcProvider("c", "s3cret")) {
            bearer(tenant.ownerToken()).body(Map.of("issuer", idp.issuer(), "clientId", "c", "clientSecret", "s3cret"))
                    .put("/tenant/sso").then().statusCode(200);
        }
        bearer(tenant.ownerToken()).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("email", "sealed@" + tenant.slug() + ".example", "role", "staff")).post("/invitations").then().statusCode(201);
        String oldKey = ConfigProvider.getConfig().getValue("palisade.crypto.master-key", String.class);
        String newKey = Base64.getEncoder().encodeToString(AesGcm.newKey());
        String ciphertextBefore = ciphertext(tenant.id());

        SecretBox rotated = new SecretBox(newKey, 2, Optional.of(Map.of("1", oldKey)));
        try {
            MasterKeyRotation.Result result = rotation(rotated).run();
            assertTrue(result.resealed() > 0);
            assertEquals(0, countSealedNotUnder("v2:"), "every master-sealed value is under version 2");
            assertEquals(ciphertextBefore, ciphertext(tenant.id()), "values sealed with data keys are not touched");
            // With only the new key, the old ciphertext still opens through its re-wrapped data key.
            SecretBox onlyNew = new SecretBox(newKey, 2, Optional.empty());
            assertEquals(Optional.of(VALUE), revealWith(onlyNew, tenant));
            // Running it again changes nothing.
            assertEquals(0, rotation(rotated).run().resealed());
        } finally {
            // Back to the key the running service holds, for the other tests of this JVM.
            rotation(new SecretBox(oldKey, 1, Optional.of(Map.of("2", newKey)))).run();
        }
        assertEquals(0, countSealedNotUnder("v1:"));
        assertEquals(Optional.of(VALUE), reveal(tenant, "quickbooks", "oauth_refresh_token"));
    }

    private MasterKeyRotation rotation(SecretBox box) {
        MasterKeyRotation rotation = new MasterKeyRotation(box);
        rotation.schemaOwner = schemaOwner;
        return rotation;
    }

    private Optional<String> revealWith(SecretBox box, Api.TestTenant tenant) {
        IntegrationSecrets withBox = new IntegrationSecrets(tx, new DataKeys(box, stored), stored, audit);
        return tx.inScope(new DbScope(tenant.id(), tenant.ownerId(), TenantContext.STAFF),
                c -> withBox.reveal(c, tenant.id(), "quickbooks", "oauth_refresh_token")).await().atMost(Duration.ofSeconds(10));
    }

    private static long countSealedNotUnder(String prefix) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select count(*) from (" + MasterKeyRotation.SEALED_VALUES + ") v (kind, id, sealed)"
                        + " where sealed not like ?")) {
            st.setString(1, prefix + "%");
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String ciphertext(UUID tenantId) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select ciphertext from tenancy.integration_secrets where tenant_id = ?")) {
            st.setObject(1, tenantId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static List<String> auditActions(UUID tenantId) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select type, data::text from tenancy.outbox where stream = 'audit' and tenant_id = ?"
                        + " and type like 'integration.%' order by seq")) {
            st.setObject(1, tenantId);
            List<String> actions = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    actions.add(rs.getString(1));
                    assertFalse(rs.getString(2).contains(VALUE), "an audit event holds the secret");
                }
            }
            return actions;
        }
    }

    private static void superuser(String sql, UUID tenantId) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, tenantId);
            st.executeUpdate();
        }
    }
}
