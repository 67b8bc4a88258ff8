package io.palisade.audit.ledger;

import java.util.List;

/**
 * Ledger entries as CSV (RFC 4180): one row per entry, the full entry in the last column as the exact JSON text its
 * hash covers, so an export can be checked against the chain and the signed checkpoints.
 */
final class AuditCsv {

    private static final String HEADER = "occurred_at,event_id,chain_seq,action,actor_id,actor_role,target_type,target_id,outcome,source,hash,entry";

    private AuditCsv() {
    }

    static String of(List<LedgerRepository.Entry> entries) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (LedgerRepository.Entry e : entries) {
            csv.append(field(e.occurredAt())).append(',').append(field(e.eventId())).append(',').append(e.chainSeq()).append(',')
                    .append(field(e.action())).append(',').append(field(e.actorId())).append(',').append(field(e.actorRole())).append(',')
                    .append(field(e.targetType())).append(',').append(field(e.targetId())).append(',').append(field(e.outcome())).append(',')
                    .append(field(e.source())).append(',').append(field(e.hash())).append(',').append(field(e.entryText())).append("\r\n");
        }
        return csv.toString();
    }

    /**
     * Quoted when needed; a leading =, +, -, @, tab or carriage return is prefixed with ' so a spreadsheet never runs it
     * as a formula (OWASP's CSV injection list).
     */
    private static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            text = "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
