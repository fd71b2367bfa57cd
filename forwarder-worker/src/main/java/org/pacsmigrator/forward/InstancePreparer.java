package org.pacsmigrator.forward;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.forward.rules.RuleContext;
import org.pacsmigrator.forward.rules.RuleResult;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.state.InstanceModification;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.InstanceStore;
import org.pacsmigrator.topics.FailureCategory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a cached instance into the file to send: checks it against its recorded SHA-256 (a corrupt
 * or missing cache object is never sent), applies the rule set into a scratch copy and says what
 * changed. The cached original is never modified. What changed in a rejected instance is recorded
 * at once; for an instance to send it is recorded with its C-STORE status (one write).
 */
final class InstancePreparer {
    private static final Logger LOG = LoggerFactory.getLogger(InstancePreparer.class);

    /** The file to send and what the rules did to it, or why the instance must not be sent (category and detail). */
    record Prepared(Path file, InstanceModification modification, FailureCategory failureCategory, String detail) {
        boolean rejected() {
            return failureCategory != null;
        }

        boolean corruptCacheObject() {
            return failureCategory == FailureCategory.CACHE_OBJECT_CORRUPT;
        }
    }

    private final RuleSet rules;
    private final InstanceStore state;
    private final Path scratchDirectory;

    InstancePreparer(RuleSet rules, InstanceStore state, Path scratchDirectory) {
        this.rules = rules;
        this.state = state;
        this.scratchDirectory = scratchDirectory;
    }

    Prepared prepare(InstanceRecord instance, Path cached, RuleContext context) throws IOException {
        String sha = Sha256.of(cached);
        if (instance.sha256() != null && !instance.sha256().equals(sha)) {
            return new Prepared(null, null, FailureCategory.CACHE_OBJECT_CORRUPT, "SHA-256 of the cached object differs from the one recorded at retrieval");
        }
        if (rules.isEmpty()) {
            return new Prepared(cached, null, null, null);
        }
        Path edited = scratchDirectory.resolve("forward-" + instance.sopInstanceUid() + ".dcm");
        RuleResult[] result = new RuleResult[1];
        List<EditableDataset.Change> changes;
        try {
            changes = DicomFiles.edit(cached, edited, ds -> result[0] = rules.apply(ds, context));
        } catch (Exception e) {
            return new Prepared(null, null, FailureCategory.VALIDATION_FAILED, "cannot apply rules: " + e.getMessage());
        }
        Path toSend = changes.isEmpty() ? cached : edited;
        RuleResult r = result[0];
        InstanceModification modification = new InstanceModification(instance.studyInstanceUid(), instance.sopInstanceUid(),
                r.appliedRules(), changes.stream().map(EditableDataset.Change::toString).toList(), r.problems(),
                sha, r.rejected() ? null : (changes.isEmpty() ? sha : Sha256.of(edited)), Instant.now());
        if (!r.problems().isEmpty()) {
            LOG.warn("instance {} of study {}: {}", instance.sopInstanceUid(), instance.studyInstanceUid(), r.problems());
        }
        if (r.rejected()) {
            state.recordModification(modification);
            return new Prepared(null, modification, FailureCategory.VALIDATION_FAILED, String.join("; ", r.problems()));
        }
        return new Prepared(toSend, modification, null, null);
    }
}
