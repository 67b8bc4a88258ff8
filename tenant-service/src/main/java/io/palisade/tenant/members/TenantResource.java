package io.palisade.tenant.members;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.members.MemberViews.InvitationView;
import io.palisade.tenant.members.MemberViews.MemberView;
import io.palisade.common.web.Page;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The caller's own tenant, its members and invitations. The tenant is the token's, never a parameter. */
@Path("/")
@RolesAllowed({ Roles.OWNER, Roles.ADMIN, Roles.STAFF })
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {

    private final MemberService members;

    TenantResource(MemberService members) {
        this.members = members;
    }

    @GET
    @Path("tenant")
    public Uni<MemberRepository.Tenant> tenant() {
        return members.tenant();
    }

    @PATCH
    @Path("tenant")
    @RolesAllowed({ Roles.OWNER, Roles.ADMIN })
    public Uni<MemberRepository.Tenant> rename(@Valid @NotNull MemberRequests.RenameTenant request, @Context HttpServerRequest http) {
        return members.rename(request.name(), http.remoteAddress().hostAddress());
    }

    @PUT
    @Path("tenant/mfa-requirement")
    @RolesAllowed(Roles.OWNER)
    public Uni<MemberRepository.Tenant> requireMfa(@Valid @NotNull MemberRequests.MfaRequirement request,
            @Context HttpServerRequest http) {
        return members.requireMfaForAdmins(request.requireMfaForAdmins(), http.remoteAddress().hostAddress());
    }

    @GET
    @Path("members")
    public Uni<Page<MemberView>> members(@QueryParam("cursor") String cursor,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return members.members(cursor, limit);
    }

    @GET
    @Path("members/{userId}")
    public Uni<MemberView> member(@PathParam("userId") UUID userId) {
        return members.member(userId);
    }

    @PATCH
    @Path("members/{userId}")
    @PermissionsAllowed("MEMBERS_MANAGE")
    public Uni<MemberView> update(@PathParam("userId") UUID userId, @Valid @NotNull MemberRequests.UpdateMember request,
            @Context HttpServerRequest http) {
        return members.update(userId, request, http.remoteAddress().hostAddress());
    }

    @DELETE
    @Path("members/{userId}")
    @PermissionsAllowed("MEMBERS_MANAGE")
    public Uni<Response> remove(@PathParam("userId") UUID userId, @Context HttpServerRequest http) {
        return members.remove(userId, http.remoteAddress().hostAddress()).map(ignored -> Response.noContent().build());
    }

    @POST
    @Path("invitations")
    @PermissionsAllowed("MEMBERS_MANAGE")
    @Idempotent
    public Uni<Response> invite(@Valid @NotNull MemberRequests.Invite request, @Context HttpServerRequest http) {
        return members.invite(request, http.remoteAddress().hostAddress()).map(created -> Response.status(201).entity(created).build());
    }

    @GET
    @Path("invitations")
    @PermissionsAllowed("MEMBERS_MANAGE")
    public Uni<List<InvitationView>> invitations() {
        return members.invitations();
    }

    @GET
    @Path("invitations/{id}")
    @PermissionsAllowed("MEMBERS_MANAGE")
    public Uni<InvitationView> invitation(@PathParam("id") UUID id) {
        return members.invitation(id);
    }

    @DELETE
    @Path("invitations/{id}")
    @PermissionsAllowed("MEMBERS_MANAGE")
    public Uni<Response> revoke(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return members.revokeInvitation(id, http.remoteAddress().hostAddress()).map(ignored -> Response.noContent().build());
    }
}
