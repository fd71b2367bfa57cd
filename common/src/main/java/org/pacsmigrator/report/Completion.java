package org.pacsmigrator.report;

import java.util.Locale;

/** The completion criterion (config key verify.completion). */
public enum Completion {
    /** Every retrieved instance was stored in the new PACS (C-STORE success). */
    SENT("sent", "sent"),
    /** Sent, and every instance listed by the new PACS in an IMAGE-level C-FIND. */
    SENT_AND_CFIND("sent-and-cfind", "c-find"),
    /** Sent, and every instance committed by the new PACS (Storage Commitment). */
    SENT_AND_COMMITTED("sent-and-committed", "storage-commitment");

    private final String key;
    private final String method;

    Completion(String key, String method) {
        this.key = key;
        this.method = method;
    }

    /** The config value. */
    public String key() {
        return key;
    }

    /** How instances are confirmed under this criterion (report column "verification method"). */
    public String method() {
        return method;
    }

    public static Completion of(String key) {
        for (Completion c : values()) {
            if (c.key.equals(key == null ? null : key.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown completion criterion '" + key + "' (sent, sent-and-cfind, sent-and-committed)");
    }
}
