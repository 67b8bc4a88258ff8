package io.palisade.common.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/** Small helpers for reading reactive PostgreSQL results. */
public final class Rows {

    private Rows() {
    }

    public static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    public static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> list = new ArrayList<>();
        rows.forEach(r -> list.add(mapper.apply(r)));
        return list;
    }
}
