package io.palisade.common.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/** The background budget: never more work at once than permits, in order, and every way out frees the permit. */
class ConnectionBudgetTest {

    /** Work that ends only when the test says so, counting how many run at once. */
    private static final class Gate {
        final List<UniEmitter<? super String>> running = new ArrayList<>();
        final AtomicInteger started = new AtomicInteger();

        Uni<String> work(String name) {
            return Uni.createFrom().emitter(emitter -> {
                started.incrementAndGet();
                running.add(emitter);
            });
        }
    }

    @Test
    void noMoreRunAtOnceThanPermitsAndTheRestFollowInOrder() {
        ConnectionBudget budget = new ConnectionBudget(2);
        Gate gate = new Gate();
        List<String> done = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            budget.run(() -> gate.work(name)).subscribe().with(done::add);
        }
        assertEquals(2, gate.started.get());
        assertEquals(2, budget.waiting());
        gate.running.get(0).complete("a");
        assertEquals(3, gate.started.get());
        gate.running.get(1).fail(new IllegalStateException("b failed"));
        assertEquals(4, gate.started.get());
        assertEquals(0, budget.waiting());
        gate.running.get(3).complete("d");
        gate.running.get(2).complete("c");
        assertEquals(List.of("a", "d", "c"), done);
        // Every permit came back: two more start at once.
        budget.run(() -> gate.work("e")).subscribe().with(done::add);
        budget.run(() -> gate.work("f")).subscribe().with(done::add);
        assertEquals(6, gate.started.get());
    }

    @Test
    void workCancelledWhileWaitingOrRunningGivesItsPermitBack() {
        ConnectionBudget budget = new ConnectionBudget(1);
        Gate gate = new Gate();
        Cancellable running = budget.run(() -> gate.work("a")).subscribe().with(ignored -> { });
        Cancellable waiting = budget.run(() -> gate.work("b")).subscribe().with(ignored -> { });
        waiting.cancel();
        running.cancel();
        assertEquals(1, gate.started.get(), "the cancelled waiter never ran");
        budget.run(() -> gate.work("c")).subscribe().with(ignored -> { });
        assertEquals(2, gate.started.get(), "both permits' holders are gone: the next runs at once");
    }

    @Test
    void aBudgetOfNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ConnectionBudget(0));
    }
}
