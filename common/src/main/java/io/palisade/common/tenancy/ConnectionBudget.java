package io.palisade.common.tenancy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * At most {@code permits} units of work at once; the others wait their turn, in order, without blocking a thread.
 * Background work (consumers, scheduled jobs, the outbox relay) runs within one, so that however much of it piles
 * up, the rest of the connection pool stays free for requests.
 */
final class ConnectionBudget {

    private final int permits;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private int inUse;

    ConnectionBudget(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("a budget of " + permits + " connections lets no work run");
        }
        this.permits = permits;
    }

    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int LEFT = 2;
    private static final int RELEASED = 3;

    /** Runs the work once a permit is free, and frees it when the work ends, fails or is cancelled. */
    <T> Uni<T> run(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            AtomicInteger state = new AtomicInteger(WAITING);
            return Uni.createFrom().<Void>emitter(emitter -> {
                // Cancelled while waiting: the permit, once it comes, goes straight on.
                emitter.onTermination(() -> state.compareAndSet(WAITING, LEFT));
                acquire(() -> {
                    if (state.compareAndSet(WAITING, GRANTED)) {
                        emitter.complete(null);
                    } else {
                        release();
                    }
                });
            }).chain(ignored -> work.get()).eventually(() -> {
                if (state.compareAndSet(GRANTED, RELEASED)) {
                    release();
                }
            });
        });
    }

    /** Work waiting for a permit. */
    synchronized int waiting() {
        return waiting.size();
    }

    private void acquire(Runnable granted) {
        synchronized (this) {
            if (inUse == permits) {
                waiting.addLast(granted);
                return;
            }
            inUse++;
        }
        granted.run();
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                inUse--;
            }
        }
        if (next != null) {
            // The permit passes straight to the next in line.
            next.run();
        }
    }
}
