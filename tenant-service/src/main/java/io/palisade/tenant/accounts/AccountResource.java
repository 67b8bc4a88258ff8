package io.palisade.tenant.accounts;

import java.net.URI;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.web.ProblemException;
import io.palisade.tenant.mfa.MfaService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The public account endpoints: nobody is signed in yet when these are called. */
@Path("/")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private final AccountService accounts;
    private final SignupService signups;
    private final EmailProofs emailProofs;
    private final SecondFactor secondFactor;
    private final UnlockLinks unlockLinks;

    AccountResource(AccountService accounts, SignupService signups, EmailProofs emailProofs, SecondFactor secondFactor,
            UnlockLinks unlockLinks) {
        this.accounts = accounts;
        this.signups = signups;
        this.emailProofs = emailProofs;
        this.secondFactor = secondFactor;
        this.unlockLinks = unlockLinks;
    }

    /**
     * Signup continues by mail (docs/accounts.md): the answer is the same whether or not the email has an account, and
     * the mail carries the link that finishes it.
     */
    @POST
    @Path("signup")
    public Uni<Response> signup(@Valid @NotNull AccountRequests.Signup request) {
        return signups.request(request).map(ignored -> Response.accepted(Map.of("detail",
                "to finish signing up, open the link on its way to " + request.email().toLowerCase(java.util.Locale.ROOT))).build());
    }

    /** The signup link's token: the account, the tenant and its owner are created. */
    @POST
    @Path("signup/complete")
    public Uni<Response> completeSignup(@Valid @NotNull AccountRequests.LinkToken request, @Context HttpServerRequest http) {
        return signups.complete(request.token(), http.remoteAddress().hostAddress()).map(created -> Response.created(URI.create("/tenant"))
                .entity(Map.of("tenantId", created.tenantId(), "tenantSlug", created.tenantSlug(), "userId", created.userId()))
                .build());
    }

    /** The link mailed to an account an invitation created: its email is proven. */
    @POST
    @Path("auth/confirm-email")
    public Uni<Response> confirmEmail(@Valid @NotNull AccountRequests.LinkToken request) {
        return emailProofs.prove(request.token()).map(ignored -> Response.noContent().build());
    }

    @POST
    @Path("auth/login")
    public Uni<TokenResponse> login(@Valid @NotNull AccountRequests.Login request, @Context HttpServerRequest http) {
        return accounts.login(request, http.remoteAddress().hostAddress());
    }

    /**
     * An unlock link for a locked identifier, by mail to its owner (docs/lockout.md). The answer is the same whether
     * or not the email has an account, is locked, or was sent a link.
     */
    @POST
    @Path("auth/unlock")
    public Uni<Response> unlock(@Valid @NotNull AccountRequests.Unlock request, @Context HttpServerRequest http) {
        return unlockLinks.request(request.email(), http.remoteAddress().hostAddress())
                .map(ignored -> Response.accepted(Map.of("detail", "if this email's sign-in is locked, a code to unlock it is on its way")).build());
    }

    /** The second factor of a sign-in: a code from the authenticator, or one recovery code. */
    @POST
    @Path("auth/mfa")
    public Uni<TokenResponse> secondFactor(@Valid @NotNull AccountRequests.SecondFactor request, @Context HttpServerRequest http) {
        if ((request.code() == null) == (request.recoveryCode() == null)) {
            throw ProblemException.unprocessable("send either code or recoveryCode");
        }
        return secondFactor.verify(request.mfaToken(), request.code(), request.recoveryCode(), http.remoteAddress().hostAddress());
    }

    /** Enrolment during a sign-in to a tenant that requires MFA of its owners and admins. */
    @POST
    @Path("auth/mfa/enrolment")
    public Uni<MfaService.Enrolment> startEnrolment(@Valid @NotNull AccountRequests.MfaEnrolment request) {
        return secondFactor.startEnrolment(request.mfaToken());
    }

    @POST
    @Path("auth/mfa/enrolment/confirm")
    public Uni<SecondFactor.Enrolled> confirmEnrolment(@Valid @NotNull AccountRequests.SecondFactor request,
            @Context HttpServerRequest http) {
        if (request.code() == null) {
            throw ProblemException.unprocessable("code is required");
        }
        return secondFactor.confirmEnrolment(request.mfaToken(), request.code(), http.remoteAddress().hostAddress());
    }

    @POST
    @Path("auth/refresh")
    public Uni<TokenResponse> refresh(@Valid @NotNull AccountRequests.Refresh request) {
        return accounts.refresh(request.refreshToken());
    }

    @POST
    @Path("auth/logout")
    public Uni<Response> logout(@Valid @NotNull AccountRequests.Refresh request) {
        return accounts.logout(request.refreshToken()).map(ignored -> Response.noContent().build());
    }

    @POST
    @Path("invitations/accept")
    public Uni<Map<String, Object>> accept(@Valid @NotNull AccountRequests.AcceptInvitation request, @Context HttpServerRequest http) {
        return accounts.acceptInvitation(request, http.remoteAddress().hostAddress()).map(joined -> Map.of("tenantId", joined.tenantId(), "userId", joined.userId()));
    }
}
