package io.palisade.tenant.panache;

import java.io.Serializable;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A read-only view of tenancy.memberships, only to prove the Panache path of TenantTransactions. */
@Entity
@Table(schema = "tenancy", name = "memberships")
@IdClass(MembershipRow.Key.class)
public class MembershipRow extends PanacheEntityBase {

    @Id
    public UUID tenantId;

    @Id
    public UUID userId;

    public String role;

    public String status;

    public record Key(UUID tenantId, UUID userId) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
