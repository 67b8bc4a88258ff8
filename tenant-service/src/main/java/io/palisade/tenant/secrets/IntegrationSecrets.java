package io.palisade.tenant.secrets;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;


import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.AesGcm;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A tenant's integration credentials (API keys, OAuth tokens), sealed with the tenant's data key. Nothing
 * here returns a stored value to a client: only whether it is set, and when and by whom it was set. The
 * integrations themselves read values with {@link #reveal}.
 */
@ApplicationScoped
public class IntegrationSecrets {

    private final TenantTransactions tx;
    private final DataKeys dataKeys;
    private final SecretRepository secrets;
    private final AuditLog audit;

    IntegrationSecrets(TenantTransactions tx, DataKeys dataKeys, SecretRepository secrets, AuditLog audit) {
        this.tx = tx;
        this.dataKeys = dataKeys;
        this.secrets = secrets;
        this.audit = audit;
    }

    public Uni<List<SecretRepository.SecretStatus>> list(TenantContext caller) {
        return tx.inTenant(caller, secrets::secrets);
    }

    public Uni<SecretRepository.SecretStatus> put(TenantContext caller, String provider, String name, String value, String clientIp) {
        return tx.inTenant(caller, c -> secrets.lockSecret(c, provider, name).chain(existed -> dataKeys.current(c, caller.tenantId())
                .chain(key -> secrets.putSecret(c, caller.tenantId(), provider, name, new SecretRepository.SealedSecret(key.version(),
                        AesGcm.encrypt(key.key(), value, associatedData(caller.tenantId(), provider, name))), caller.userId()))
                .chain(updatedAt -> audit.record(c, event(caller, "integration.secret_set", provider, name, existed, true, clientIp))
                        .replaceWith(new SecretRepository.SecretStatus(provider, name, true, updatedAt, caller.userId())))));
    }

    public Uni<Void> delete(TenantContext caller, String provider, String name, String clientIp) {
        return tx.inTenant(caller, c -> secrets.deleteSecret(c, provider, name).chain(existed -> {
            if (!existed) {
                throw ProblemException.notFound("the secret");
            }
            return audit.record(c, event(caller, "integration.secret_deleted", provider, name, true, false, clientIp));
        }));
    }

    /** The plaintext, for the integration that uses it (inside the service only). A tampered value fails loudly. */
    public Uni<Optional<String>> reveal(SqlConnection c, UUID tenantId, String provider, String name) {
        return secrets.sealedSecret(c, provider, name)
                .chain(found -> found.map(sealed -> dataKeys.version(c, tenantId, sealed.keyVersion())
                        .map(key -> Optional.of(AesGcm.decrypt(key, sealed.ciphertext(), associatedData(tenantId, provider, name)))))
                        .orElse(Uni.createFrom().item(Optional.empty())));
    }

    private static AuditEvent event(TenantContext caller, String action, String provider, String name, boolean before, boolean after,
            String clientIp) {
        return new AuditEvent(caller.tenantId(), action, AuditEvent.Actor.of(caller, clientIp), "integration_secret",
                provider + "/" + name, AuditEvent.SUCCESS, new JsonObject().put("set", before), new JsonObject().put("set", after),
                new JsonObject().put("provider", provider).put("name", name));
    }

    /** Binds a ciphertext to its tenant and place: copied to another row or tenant, it does not open. */
    static String associatedData(UUID tenantId, String provider, String name) {
        return "tenancy.integration_secrets:" + tenantId + "/" + provider + "/" + name;
    }
}
