package org.pacsmigrator.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.EditResult;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.dicom.OutgoingInstance;
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
 * Turns a cached instance into the file to send: checks it against what was recorded at retrieval
 * (a corrupt or missing cache object is never sent), applies the rule set into a scratch copy and says
 * what changed. The cached original is never modified. An edited instance is hashed while the edit
 * reads it, and its copy while it is written; an unedited one by its size and, under
 * {@link CacheCheck#HASH}, by its SHA-256 read again. What changed in a rejected instance is recorded
 * at once; for an instance to send it is recorded with its C-STORE status (one write).
 */
final class InstancePreparer {
    private static final Logger LOG = LoggerFactory.getLogger(InstancePreparer.class);
    private static final String HASH_DIFFERS = "SHA-256 of the cached object differs from the one recorded at retrieval";

    /** What to send and what the rules did to it, or why the instance must not be sent (category and detail). */
    record Prepared(OutgoingInstance outgoing, InstanceModification modification, FailureCategory failureCategory,
                    String detail) {
        static Prepared refused(FailureCategory category, String detail) {
            return new Prepared(null, null, category, detail);
        }

        Path file() {
            return outgoing == null ? null : outgoing.file();
        }

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
    private final CacheCheck cacheCheck;

    InstancePreparer(RuleSet rules, InstanceStore state, Path scratchDirectory, CacheCheck cacheCheck) {
        this.rules = rules;
        this.state = state;
        this.scratchDirectory = scratchDirectory;
        this.cacheCheck = cacheCheck;
    }

    Prepared prepare(InstanceRecord instance, Path cached, RuleContext context) throws IOException {
        String sizeProblem = sizeProblem(instance, cached);
        if (sizeProblem != null) {
            return corrupt(sizeProblem);
        }
        if (rules.isEmpty()) {
            if (cacheCheck == CacheCheck.HASH && !matchesRecordedHash(instance, Sha256.of(cached))) {
                return corrupt(HASH_DIFFERS);
            }
            return new Prepared(asRecorded(instance, cached), null, null, null);
        }
        return edit(instance, cached, context);
    }

    private Prepared edit(InstanceRecord instance, Path cached, RuleContext context) throws IOException {
        Path edited = scratchDirectory.resolve("forward-" + instance.sopInstanceUid() + ".dcm");
        RuleResult[] result = new RuleResult[1];
        EditResult edit;
        try {
            edit = DicomFiles.editHashing(cached, edited, ds -> result[0] = rules.apply(ds, context), cacheCheck == CacheCheck.HASH);
        } catch (Exception e) {
            Files.deleteIfExists(edited);
            // A file the rules cannot be applied to may be a corrupt one: that is what it is reported as, as before.
            return matchesRecordedHash(instance, Sha256.of(cached)) ? Prepared.refused(FailureCategory.VALIDATION_FAILED,
                    "cannot apply rules: " + e.getMessage()) : corrupt(HASH_DIFFERS);
        }
        if (edit.sourceSha256() != null && !matchesRecordedHash(instance, edit.sourceSha256())) {
            Files.deleteIfExists(edited);
            return corrupt(HASH_DIFFERS);
        }
        // Unchanged and not hashed (CacheCheck.SIZE): the hash recorded at retrieval stands for the file sent.
        String originalSha = edit.sourceSha256() != null ? edit.sourceSha256() : instance.sha256();
        RuleResult r = result[0];
        InstanceModification modification = new InstanceModification(instance.studyInstanceUid(), instance.sopInstanceUid(),
                r.appliedRules(), edit.changes().stream().map(EditableDataset.Change::toString).toList(), r.problems(),
                originalSha, r.rejected() ? null : (edit.changed() ? edit.writtenSha256() : originalSha), Instant.now());
        if (!r.problems().isEmpty()) {
            LOG.warn("instance {} of study {}: {}", instance.sopInstanceUid(), instance.studyInstanceUid(), r.problems());
        }
        if (r.rejected()) {
            Files.deleteIfExists(edited);
            state.recordModification(modification);
            return new Prepared(null, modification, FailureCategory.VALIDATION_FAILED, String.join("; ", r.problems()));
        }
        return new Prepared(edit.changed() ? edit.written() : asRecorded(instance, cached), modification, null, null);
    }

    /** Why the cached file cannot be the object recorded at retrieval by its size (absent, other size), or null. */
    private static String sizeProblem(InstanceRecord instance, Path cached) {
        if (instance.sha256() == null) {
            return null; // nothing recorded to check against
        }
        try {
            long size = Files.size(cached);
            return size == instance.sizeBytes() ? null
                    : "size of the cached object (" + size + " bytes) differs from the one recorded at retrieval ("
                    + instance.sizeBytes() + " bytes)";
        } catch (IOException e) {
            return "cached object unreadable: " + e.getMessage();
        }
    }

    private static boolean matchesRecordedHash(InstanceRecord instance, String sha256) {
        return instance.sha256() == null || instance.sha256().equals(sha256);
    }

    private static Prepared corrupt(String detail) {
        return Prepared.refused(FailureCategory.CACHE_OBJECT_CORRUPT, detail);
    }

    /** The cached file as recorded at retrieval: its header is not read again to send it. */
    private static OutgoingInstance asRecorded(InstanceRecord instance, Path cached) {
        return new OutgoingInstance(cached, instance.sopClassUid(), instance.sopInstanceUid(), instance.transferSyntaxUid());
    }
}
