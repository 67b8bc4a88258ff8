package io.palisade.tenant.secrets;

import java.util.Base64;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.AesGcm;
import io.palisade.common.crypto.SecretBox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Per-tenant data keys for envelope encryption. A data key is 32 random bytes, stored only wrapped by the
 * master key (SecretBox: AES-256-GCM, master key version in the stored form, bound to tenant and version).
 * Rotating the master key re-wraps data keys; the values they seal stay as they are.
 */
@ApplicationScoped
public class DataKeys {

    private final SecretBox masterKey;
    private final SecretRepository secrets;

    DataKeys(SecretBox masterKey, SecretRepository secrets) {
        this.masterKey = masterKey;
        this.secrets = secrets;
    }

    public record DataKey(int version, SecretKeySpec key) {
    }

    /** The tenant's newest data key, created on first use (within the caller's tenant-scoped transaction). */
    public Uni<DataKey> current(SqlConnection c, UUID tenantId) {
        return secrets.newestDataKey(c, tenantId)
                .chain(found -> found.map(k -> Uni.createFrom().item(unwrap(tenantId, k.version(), k.wrapped())))
                        .orElseGet(() -> create(c, tenantId)));
    }

    public Uni<SecretKeySpec> version(SqlConnection c, UUID tenantId, int version) {
        return secrets.dataKey(c, tenantId, version)
                .map(wrapped -> unwrap(tenantId, version, wrapped
                        .orElseThrow(() -> new IllegalStateException("data key " + version + " of a tenant is missing"))).key());
    }

    private Uni<DataKey> create(SqlConnection c, UUID tenantId) {
        byte[] raw = AesGcm.newKey();
        String wrapped = masterKey.encrypt(Base64.getEncoder().encodeToString(raw), associatedData(tenantId, 1));
        return secrets.insertFirstDataKey(c, tenantId, wrapped).chain(() -> current(c, tenantId));
    }

    private DataKey unwrap(UUID tenantId, int version, String wrapped) {
        return new DataKey(version, AesGcm.key(Base64.getDecoder().decode(masterKey.decrypt(wrapped, associatedData(tenantId, version)))));
    }

    static String associatedData(UUID tenantId, int version) {
        return "tenancy.tenant_data_keys:" + tenantId + "/" + version;
    }
}
