package org.pacsmigrator.state;

import java.time.Instant;
import java.util.List;

/**
 * What the forwarder's rules did to one instance before it was sent: the rules that applied, each
 * attribute change (old → new), problems found by validation rules, and the SHA-256 of the file as
 * cached (original) and as sent, so the report can prove what changed and what did not.
 */
public record InstanceModification(
        String studyInstanceUid,
        String sopInstanceUid,
        List<String> rulesApplied,
        List<String> changes,
        List<String> problems,
        String originalSha256,
        String sentSha256,
        Instant at) {
}
