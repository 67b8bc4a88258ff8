package io.palisade.tenant.secrets;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The scope's tenant's data keys (stored wrapped by the master key) and integration secrets (stored sealed by a data
 * key), under RLS. Nothing here wraps or opens: that is {@link DataKeys}' and {@link IntegrationSecrets}' work.
 */
@ApplicationScoped
public class SecretRepository {

    public record WrappedKey(int version, String wrapped) {
    }

    public record SecretStatus(String provider, String name, boolean set, OffsetDateTime updatedAt, UUID updatedBy) {
    }

    public record SealedSecret(int keyVersion, String ciphertext) {
    }

    public Uni<Optional<WrappedKey>> newestDataKey(SqlConnection c, UUID tenantId) {
        return c.preparedQuery("select version, wrapped_key from tenancy.tenant_data_keys where tenant_id = $1 order by version desc limit 1")
                .execute(Tuple.of(tenantId))
                .map(rows -> first(rows).map(r -> new WrappedKey(r.getInteger("version"), r.getString("wrapped_key"))));
    }

    public Uni<Optional<String>> dataKey(SqlConnection c, UUID tenantId, int version) {
        return c.preparedQuery("select wrapped_key from tenancy.tenant_data_keys where tenant_id = $1 and version = $2")
                .execute(Tuple.of(tenantId, version))
                .map(rows -> first(rows).map(r -> r.getString("wrapped_key")));
    }

    /** The tenant's first data key; of two first uses at once, one insert wins and both use the stored key. */
    public Uni<Void> insertFirstDataKey(SqlConnection c, UUID tenantId, String wrapped) {
        return c.preparedQuery("insert into tenancy.tenant_data_keys (tenant_id, version, wrapped_key) values ($1, 1, $2)"
                + " on conflict do nothing").execute(Tuple.of(tenantId, wrapped)).replaceWithVoid();
    }

    public Uni<List<SecretStatus>> secrets(SqlConnection c) {
        return c.query("select provider, name, updated_at, updated_by from tenancy.integration_secrets order by provider, name").execute()
                .map(rows -> all(rows, r -> new SecretStatus(r.getString("provider"), r.getString("name"), true,
                        r.getOffsetDateTime("updated_at"), r.getUUID("updated_by"))));
    }

    /** Whether the secret is set, its row locked until the transaction ends. */
    public Uni<Boolean> lockSecret(SqlConnection c, String provider, String name) {
        return c.preparedQuery("select 1 from tenancy.integration_secrets where provider = $1 and name = $2 for update")
                .execute(Tuple.of(provider, name)).map(rows -> rows.size() > 0);
    }

    /** Sets or replaces the secret; when it was stored. */
    public Uni<OffsetDateTime> putSecret(SqlConnection c, UUID tenantId, String provider, String name, SealedSecret sealed, UUID setBy) {
        return c.preparedQuery("insert into tenancy.integration_secrets"
                + " (tenant_id, provider, name, key_version, ciphertext, updated_by) values ($1, $2, $3, $4, $5, $6)"
                + " on conflict (tenant_id, provider, name) do update set key_version = excluded.key_version,"
                + " ciphertext = excluded.ciphertext, updated_by = excluded.updated_by, updated_at = now()"
                + " returning updated_at")
                .execute(Tuple.from(List.of(tenantId, provider, name, sealed.keyVersion(), sealed.ciphertext(), setBy)))
                .map(rows -> rows.iterator().next().getOffsetDateTime("updated_at"));
    }

    /** Whether there was such a secret. */
    public Uni<Boolean> deleteSecret(SqlConnection c, String provider, String name) {
        return c.preparedQuery("delete from tenancy.integration_secrets where provider = $1 and name = $2")
                .execute(Tuple.of(provider, name)).map(rows -> rows.rowCount() > 0);
    }

    public Uni<Optional<SealedSecret>> sealedSecret(SqlConnection c, String provider, String name) {
        return c.preparedQuery("select key_version, ciphertext from tenancy.integration_secrets where provider = $1 and name = $2")
                .execute(Tuple.of(provider, name))
                .map(rows -> first(rows).map(r -> new SealedSecret(r.getInteger("key_version"), r.getString("ciphertext"))));
    }
}
