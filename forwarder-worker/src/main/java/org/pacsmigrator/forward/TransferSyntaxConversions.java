package org.pacsmigrator.forward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The transfer syntax conversions the migration team allowed, by source transfer syntax ("*" for
 * any). Consulted only after the new PACS refused an image's own transfer syntax.
 */
public final class TransferSyntaxConversions {
    public static final TransferSyntaxConversions NONE = new TransferSyntaxConversions(Map.of());

    private final Map<String, String> targetBySource;

    private TransferSyntaxConversions(Map<String, String> targetBySource) {
        this.targetBySource = Map.copyOf(targetBySource);
    }

    /** From (from, to) pairs, in configuration order; the first pair for a source wins. */
    public static TransferSyntaxConversions of(List<Map.Entry<String, String>> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        pairs.forEach(p -> map.putIfAbsent(p.getKey(), p.getValue()));
        return new TransferSyntaxConversions(map);
    }

    public Optional<String> targetFor(String sourceTransferSyntaxUid) {
        String target = targetBySource.get(sourceTransferSyntaxUid);
        return Optional.ofNullable(target != null ? target : targetBySource.get("*"));
    }
}
