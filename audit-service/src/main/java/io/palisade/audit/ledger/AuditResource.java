package io.palisade.audit.ledger;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.web.ProblemException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

/**
 * The tenant's audit log for its owners and admins (AUDIT_READ): entries with filters and cursor pagination, as
 * JSON or CSV, and a check of the tenant's hash chain.
 */
@Path("/audit")
public class AuditResource {

    private final LedgerService ledger;

    AuditResource(LedgerService ledger) {
        this.ledger = ledger;
    }

    @GET
    @Path("entries")
    @Produces({ MediaType.APPLICATION_JSON, "text/csv" })
    @PermissionsAllowed("AUDIT_READ")
    public Uni<Response> entries(@QueryParam("action") String action, @QueryParam("actorId") UUID actorId,
            @QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit,
            @QueryParam("format") @DefaultValue("json") String format) {
        if (!format.equals("json") && !format.equals("csv")) {
            throw ProblemException.badRequest("format is json or csv");
        }
        LedgerRepository.Filter filter = new LedgerRepository.Filter(null, action, actorId, targetType, targetId, time(from), time(to));
        return ledger.list(filter, cursor, limit).map(page -> format.equals("csv")
                ? Response.ok(AuditCsv.of(page.items()), "text/csv").header("X-Next-Cursor", page.nextCursor()).build()
                : Response.ok(page, MediaType.APPLICATION_JSON).build());
    }

    /** Recomputes the tenant's hash chain: the number of entries, and the first break if there is one. */
    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    @PermissionsAllowed("AUDIT_READ")
    public Uni<LedgerRepository.Verification> verify() {
        return ledger.verify();
    }

    /** An optional ISO-8601 date-time with offset. */
    static OffsetDateTime time(String value) {
        try {
            return value == null || value.isBlank() ? null : OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("from and to are ISO-8601 date-times with offset");
        }
    }
}
