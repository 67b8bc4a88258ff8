package io.palisade.booking.notifications;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.booking.guests.GuestData;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Sends the queued messages (booking.notifications) through the platform's mail sender: SMTP in production,
 * files on the local platform. A message is claimed with a lease, written, sent, and marked; a failure puts it
 * back for another attempt (at most five). Logs never name the guest or the address.
 */
@ApplicationScoped
public class NotificationSender {

    private static final Logger LOG = Logger.getLogger(NotificationSender.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'UTC'");

    private final TenantTransactions tx;
    private final NotificationRepository notifications;
    private final MailSender mail;
    private final GuestData guestData;
    private final NotificationSettings settings;

    NotificationSender(TenantTransactions tx, NotificationRepository notifications, MailSender mail, GuestData guestData,
            NotificationSettings settings) {
        this.tx = tx;
        this.notifications = notifications;
        this.mail = mail;
        this.guestData = guestData;
        this.settings = settings;
    }

    @Scheduled(every = "${palisade.notifications.interval}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sendDue() {
        // The claim learns which messages and whose; each tenant's are read and sent under its worker scope.
        return tx.inBackground(DbScope.anonymous(), c -> notifications.claimDue(c, 50, (int) settings.lease().toSeconds()))
                .map(leases -> leases.stream().collect(Collectors.groupingBy(NotificationRepository.Lease::tenantId, LinkedHashMap::new,
                        Collectors.mapping(NotificationRepository.Lease::id, Collectors.toList()))))
                .onItem().transformToMulti(byTenant -> Multi.createFrom().iterable(byTenant.entrySet()))
                .onItem().transformToUniAndConcatenate(tenant -> tx.inBackground(DbScope.worker(tenant.getKey()),
                        c -> notifications.sending(c, tenant.getValue())))
                .collect().asList().map(lists -> lists.stream().flatMap(List::stream).toList())
                .chain(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::send).collect().asList())
                .invoke(sent -> {
                    if (!sent.isEmpty()) {
                        LOG.infof("%d notification(s) handled", sent.size());
                    }
                }).replaceWithVoid();
    }

    private Uni<Boolean> send(NotificationRepository.Due due) {
        return Uni.createFrom().item(() -> compose(due))
                .chain(message -> mail.send(message).replaceWith(true))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("notification %s not sent, will retry: %s", due.id(), e.getClass().getSimpleName());
                    return false;
                })
                .call(sent -> tx.inBackground(DbScope.worker(due.tenantId()), c -> notifications.finish(c, due.id(), sent)));
    }

    private OutgoingMail compose(NotificationRepository.Due due) {
        String email = guestData.open(due.tenantId(), due.emailLookup(), "email", due.emailSealed());
        String when = WHEN.format(due.startsAt());
        String what = due.seats() + " × " + due.offering() + " on " + when;
        return switch (due.kind()) {
            case "confirmation" -> new OutgoingMail(email, "Your booking is confirmed",
                    "Hello " + due.guestName() + ",\n\nyour booking is confirmed: " + what + ".\nTotal: " + OutgoingMail.money(due.amountMinor(), due.currency()) + "\n");
            case "reminder" -> new OutgoingMail(email, "See you tomorrow", "Hello " + due.guestName() + ",\n\na reminder: " + what + ".\n");
            case "rescheduled" -> new OutgoingMail(email, "Your booking was moved",
                    "Hello " + due.guestName() + ",\n\nyour booking was moved to another time: " + what + ".\n");
            case "cancellation" -> new OutgoingMail(email, "Your booking was cancelled",
                    "Hello " + due.guestName() + ",\n\nyour booking was cancelled: " + what + ".\n");
            default -> throw new IllegalStateException("no mail for notifications of kind " + due.kind());
        };
    }
}
