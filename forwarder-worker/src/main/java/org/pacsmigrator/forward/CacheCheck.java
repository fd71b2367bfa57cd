package org.pacsmigrator.forward;

import java.util.Locale;

/**
 * How the forwarder checks a cached image it sends unedited against what was recorded at receipt
 * ({@code forward.cacheCheck}): its SHA-256, read again in full ({@code hash}), or its size only
 * ({@code size}: trusting the receipt hash, computed while the object was written). An image the rules
 * edit is always hashed, on the way, at no extra read.
 */
public enum CacheCheck {
    HASH, SIZE;

    /** From the config value hash or size. */
    public static CacheCheck of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
