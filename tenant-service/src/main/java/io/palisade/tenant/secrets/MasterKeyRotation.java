package io.palisade.tenant.secrets;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import static io.palisade.common.db.Rows.all;

import io.palisade.common.crypto.SecretBox;
import io.palisade.common.idempotency.IdempotencyKeys;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.tenant.mfa.MfaService;
import io.palisade.tenant.sso.SsoProviders;
import io.palisade.tenant.tokens.SigningKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * After a new master key version is configured (with the old one among the previous keys), seals every value
 * that the master key seals directly under the new version: tenants' data keys, authenticator secrets, token
 * signing keys, SSO client secrets and stored idempotent responses. Values sealed with data keys need nothing: their data keys are only re-wrapped. Run by
 * the service's {@code rotate-master-key} command; safe to repeat and to interrupt.
 */
@ApplicationScoped
public class MasterKeyRotation {

    private static final Logger LOG = Logger.getLogger(MasterKeyRotation.class);

    @Inject
    TenantTransactions tx;

    @Inject
    SecretBox masterKey;

    public record Result(int resealed, int current) {
    }

    private record Sealed(String kind, String id, String value) {
    }

    public Uni<Result> run() {
        return tx.inScope(DbScope.anonymous(), c -> c.query("select kind, id, sealed from tenancy.master_sealed_values()").execute()
                .map(rows -> all(rows, r -> new Sealed(r.getString("kind"), r.getString("id"), r.getString("sealed")))))
                .chain(values -> {
                    List<Sealed> stale = values.stream().filter(v -> masterKey.isStale(v.value())).toList();
                    return Multi.createFrom().iterable(stale).onItem().transformToUniAndConcatenate(this::reseal)
                            .collect().asList()
                            .map(done -> new Result((int) done.stream().filter(Boolean::booleanValue).count(), values.size() - stale.size()));
                })
                .invoke(result -> LOG.infof("master key rotation: %d values sealed again, %d were current", result.resealed(), result.current()));
    }

    /** One value per transaction: opened with whichever version sealed it, sealed under the current one. */
    private Uni<Boolean> reseal(Sealed sealed) {
        String aad = associatedData(sealed);
        String resealed = masterKey.encrypt(masterKey.decrypt(sealed.value(), aad), aad);
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select tenancy.reseal_master_sealed_value($1, $2, $3, $4) as done")
                .execute(Tuple.of(sealed.kind(), sealed.id(), sealed.value(), resealed))
                .map(rows -> rows.iterator().next().getBoolean("done")));
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
