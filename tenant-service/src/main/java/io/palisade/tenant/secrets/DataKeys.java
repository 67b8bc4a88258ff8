package io.palisade.tenant.secrets;

import java.util.Base64;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.crypto.AesGcm;
import io.palisade.common.crypto.SecretBox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Per-tenant data keys for envelope encryption. A data key is 32 random bytes, stored only wrapped by the
 * master key (SecretBox: AES-256-GCM, master key version in the stored form, bound to tenant and version).
 * Rotating the master key re-wraps data keys; the values they seal stay as they are.
 */
@ApplicationScoped
public class DataKeys {

    private final SecretBox masterKey;

    DataKeys(SecretBox masterKey) {
        this.masterKey = masterKey;
    }

    public record DataKey(int version, SecretKeySpec key) {
    }

    /** The tenant's newest data key, created on first use (within the caller's tenant-scoped transaction). */
    public Uni<DataKey> current(SqlConnection c, UUID tenantId) {
        return c.preparedQuery("select version, wrapped_key from tenancy.tenant_data_keys where tenant_id = $1 order by version desc limit 1")
                .execute(Tuple.of(tenantId))
                .chain(rows -> first(rows).map(r -> Uni.createFrom().item(unwrap(tenantId, r.getInteger("version"), r.getString("wrapped_key"))))
                        .orElseGet(() -> create(c, tenantId)));
    }

    public Uni<SecretKeySpec> version(SqlConnection c, UUID tenantId, int version) {
        return c.preparedQuery("select wrapped_key from tenancy.tenant_data_keys where tenant_id = $1 and version = $2")
                .execute(Tuple.of(tenantId, version))
                .map(rows -> unwrap(tenantId, version, first(rows)
                        .orElseThrow(() -> new IllegalStateException("data key " + version + " of a tenant is missing"))
                        .getString("wrapped_key")).key());
    }

    private Uni<DataKey> create(SqlConnection c, UUID tenantId) {
        byte[] raw = AesGcm.newKey();
        String wrapped = masterKey.encrypt(Base64.getEncoder().encodeToString(raw), associatedData(tenantId, 1));
        // Two first uses at once: one insert wins, both then use the stored key.
        return c.preparedQuery("insert into tenancy.tenant_data_keys (tenant_id, version, wrapped_key) values ($1, 1, $2)"
                + " on conflict do nothing").execute(Tuple.of(tenantId, wrapped))
                .chain(() -> current(c, tenantId));
    }

    private DataKey unwrap(UUID tenantId, int version, String wrapped) {
        return new DataKey(version, AesGcm.key(Base64.getDecoder().decode(masterKey.decrypt(wrapped, associatedData(tenantId, version)))));
    }

    static String associatedData(UUID tenantId, int version) {
        return "tenancy.tenant_data_keys:" + tenantId + "/" + version;
    }
}
