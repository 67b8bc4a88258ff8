package io.palisade.tenant.secrets;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.AesGcm;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A tenant's integration credentials (API keys, OAuth tokens), sealed with the tenant's data key. Nothing
 * here returns a stored value to a client: only whether it is set, and when and by whom it was set. The
 * integrations themselves read values with {@link #reveal}.
 */
@ApplicationScoped
public class IntegrationSecrets {

    private final TenantTransactions tx;
    private final DataKeys dataKeys;
    private final AuditLog audit;

    IntegrationSecrets(TenantTransactions tx, DataKeys dataKeys, AuditLog audit) {
        this.tx = tx;
        this.dataKeys = dataKeys;
        this.audit = audit;
    }

    public record SecretStatus(String provider, String name, boolean set, OffsetDateTime updatedAt, UUID updatedBy) {
    }

    public Uni<List<SecretStatus>> list(TenantContext caller) {
        return tx.inTenant(caller, c -> c.query("select provider, name, updated_at, updated_by from tenancy.integration_secrets"
                + " order by provider, name").execute()
                .map(rows -> all(rows, r -> new SecretStatus(r.getString("provider"), r.getString("name"), true,
                        r.getOffsetDateTime("updated_at"), r.getUUID("updated_by")))));
    }

    public Uni<SecretStatus> put(TenantContext caller, String provider, String name, String value, String clientIp) {
        return tx.inTenant(caller, c -> exists(c, provider, name).chain(existed -> dataKeys.current(c, caller.tenantId())
                .chain(key -> c.preparedQuery("insert into tenancy.integration_secrets"
                        + " (tenant_id, provider, name, key_version, ciphertext, updated_by) values ($1, $2, $3, $4, $5, $6)"
                        + " on conflict (tenant_id, provider, name) do update set key_version = excluded.key_version,"
                        + " ciphertext = excluded.ciphertext, updated_by = excluded.updated_by, updated_at = now()"
                        + " returning updated_at")
                        .execute(Tuple.from(List.of(caller.tenantId(), provider, name, key.version(),
                                AesGcm.encrypt(key.key(), value, associatedData(caller.tenantId(), provider, name)), caller.userId()))))
                .chain(rows -> audit.record(c, event(caller, "integration.secret_set", provider, name, existed, true, clientIp))
                        .replaceWith(new SecretStatus(provider, name, true, rows.iterator().next().getOffsetDateTime("updated_at"),
                                caller.userId())))));
    }

    public Uni<Void> delete(TenantContext caller, String provider, String name, String clientIp) {
        return tx.inTenant(caller, c -> c.preparedQuery("delete from tenancy.integration_secrets where provider = $1 and name = $2")
                .execute(Tuple.of(provider, name)).chain(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("the secret");
                    }
                    return audit.record(c, event(caller, "integration.secret_deleted", provider, name, true, false, clientIp));
                }));
    }

    /** The plaintext, for the integration that uses it (inside the service only). A tampered value fails loudly. */
    public Uni<Optional<String>> reveal(SqlConnection c, UUID tenantId, String provider, String name) {
        return c.preparedQuery("select key_version, ciphertext from tenancy.integration_secrets where provider = $1 and name = $2")
                .execute(Tuple.of(provider, name))
                .chain(rows -> first(rows).map(r -> dataKeys.version(c, tenantId, r.getInteger("key_version"))
                        .map(key -> Optional.of(AesGcm.decrypt(key, r.getString("ciphertext"), associatedData(tenantId, provider, name)))))
                        .orElse(Uni.createFrom().item(Optional.empty())));
    }

    private Uni<Boolean> exists(SqlConnection c, String provider, String name) {
        return c.preparedQuery("select 1 from tenancy.integration_secrets where provider = $1 and name = $2 for update")
                .execute(Tuple.of(provider, name)).map(rows -> rows.size() > 0);
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
