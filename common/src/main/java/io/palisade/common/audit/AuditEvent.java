package io.palisade.common.audit;

import java.util.Objects;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * One privileged action, as the audit ledger records it (schema: docs/audit-events.md, version 1).
 *
 * @param tenantId the tenant acted on; null for platform-level events (a failed login names no tenant)
 * @param action what happened, such as {@code auth.login_failed} or {@code member.role_changed}
 * @param actor who acted
 * @param targetType the kind of thing acted on ({@code user}, {@code tenant}, {@code login_identifier}, ...)
 * @param targetId its id
 * @param outcome {@code success}, {@code failure} or {@code denied}
 * @param before changed fields before the action, secrets and PII already left out
 * @param after the same fields after it
 * @param details anything else the action needs to be understood
 */
public record AuditEvent(UUID tenantId, String action, Actor actor, String targetType, String targetId, String outcome,
        JsonObject before, JsonObject after, JsonObject details) {

    public static final int SCHEMA_VERSION = 1;
    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";

    /**
     * @param userId the acting user, null when nobody could be identified
     * @param role the role the actor held (owner, admin, staff, guest, platform-admin, anonymous)
     * @param impersonatorId the platform admin acting under support access, else null
     * @param clientIp the client's address as the service saw it, null for internal actions
     */
    public record Actor(UUID userId, String role, UUID impersonatorId, String clientIp) {

        /** The caller of a tenant request; under support access the platform admin is named as impersonator. */
        public static Actor of(io.palisade.common.tenancy.TenantContext caller, String clientIp) {
            String role = caller.roles().stream().sorted().findFirst().orElse(caller.principal());
            return new Actor(caller.userId(), role, caller.impersonatorId(), clientIp);
        }

        public static Actor anonymous(String clientIp) {
            return new Actor(null, "anonymous", null, clientIp);
        }

        JsonObject toJson() {
            return new JsonObject().put("userId", text(userId)).put("role", role).put("impersonatorId", text(impersonatorId))
                    .put("clientIp", clientIp);
        }
    }

    public AuditEvent {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** The event's data member, as consumers of the audit topic read it. */
    public JsonObject toJson(String requestId) {
        return new JsonObject()
                .put("schemaVersion", SCHEMA_VERSION)
                .put("action", action)
                .put("tenantId", text(tenantId))
                .put("actor", actor.toJson())
                .put("target", new JsonObject().put("type", targetType).put("id", targetId))
                .put("outcome", outcome)
                .put("before", before)
                .put("after", after)
                .put("details", details == null ? new JsonObject() : details)
                .put("requestId", requestId);
    }

    private static String text(UUID id) {
        return id == null ? null : id.toString();
    }
}
