package io.palisade.tenant.panache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.tenant.Api;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The Panache path of TenantTransactions sets the same scope as the SQL path: RLS sees exactly one tenant. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PanacheScopeTest {

    @Inject
    TenantTransactions tx;

    @Inject
    Vertx vertx;

    static TestTenant a;
    static TestTenant b;

    @BeforeEach
    void tenants() {
        if (a == null) {
            a = Api.newTenant(null);
            b = Api.newTenant(null);
        }
    }

    @Test
    void entitiesSeeOnlyTheScopedTenant() throws Exception {
        TenantContext ownerOfA = new TenantContext(a.id(), a.ownerId(), TenantContext.STAFF, Set.of("owner"), 0, null, null);
        var rows = onVertx(() -> tx.withTenant(ownerOfA, () -> MembershipRow.<MembershipRow>listAll()));
        assertEquals(Set.of(a.ownerId(), a.staffId()), Set.copyOf(rows.stream().map(r -> r.userId).toList()));
        Long asNonMember = onVertx(() -> tx.withScope(new DbScope(a.id(), b.ownerId(), TenantContext.STAFF), () -> MembershipRow.count()));
        assertEquals(0L, asNonMember.longValue(), "a member of B with A's id");
        Long unscoped = onVertx(() -> tx.withScope(DbScope.anonymous(), () -> MembershipRow.count()));
        assertEquals(0L, unscoped.longValue(), "no scope");
    }

    /** Hibernate Reactive runs on a (safe, duplicated) Vert.x context, as a request would. */
    private <T> T onVertx(Supplier<Uni<T>> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.get().subscribe().with(result::complete, result::completeExceptionally));
        return result.get(30, TimeUnit.SECONDS);
    }
}
