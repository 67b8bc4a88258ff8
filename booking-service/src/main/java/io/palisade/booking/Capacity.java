package io.palisade.booking;

import io.vertx.pgclient.PgException;

/** The database's answer when a write would sell more seats than a slot has (CHECK slots_never_oversold). */
public final class Capacity {

    private Capacity() {
    }

    public static boolean exceeded(Throwable e) {
        return e instanceof PgException pg && "23514".equals(pg.getSqlState()) && String.valueOf(pg.getMessage()).contains("slots_never_oversold");
    }
}
