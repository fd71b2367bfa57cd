package org.pacsmigrator.topics;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pacsmigrator.dicom.DicomException;

/**
 * Why a stage gave up on a study. The {@link #label()} is stored (the study's failure category in Cassandra,
 * the {@code dlq.category} header of a dead letter, reports) and typed by operators ({@code replay --category}):
 * never change a label. Stored labels are read back with {@link #parse} (a label of an older release is not
 * known, and is shown as it is: {@link #actionFor}).
 *
 * <p>A <em>permanent</em> failure is dead-lettered at its first attempt: trying again cannot help until an
 * operator removed the cause. A <em>transient</em> one (a PACS down, a timeout) is retried by the stage's
 * consumer ({@link StageConsumer.RetryPolicy}) and dead-lettered only when the attempts are used up.
 */
public enum FailureCategory {
    // any stage
    UNDECODABLE("undecodable", true),
    UNKNOWN_STUDY("unknown study", true),
    /** An exception without a category, in a consumer that belongs to no stage. */
    UNEXPECTED("unexpected", false),
    RETRIEVER_ERROR("retriever error", false),
    FORWARDER_ERROR("forwarder error", false),
    VERIFIER_ERROR("verifier error", false),
    // DICOM networking, toward either PACS: refused = nothing listens (PACS down), rejected = the PACS turned our
    // association down (AE title, load)
    ASSOCIATION_REFUSED("association refused", false),
    ASSOCIATION_REJECTED("association rejected", false),
    TIMEOUT("timeout", false),
    FAILURE_STATUS("failure status", false),
    NOT_NEGOTIATED("not negotiated", false),
    DICOM_ERROR("dicom error", false),
    // retrieve
    REFUSED_BY_SOURCE("refused by source", false),
    CACHE_WRITE_FAILED("cache write failed", false),
    /** Our own storage SCP turned the source's associations away (at its limit): not the source's fault. */
    STORAGE_SCP_SATURATED("storage SCP saturated", false),
    MISSING_INSTANCES("missing instances", true),
    /** The source sent an instance whose data set was cut short or malformed, on every attempt. */
    INCOMPLETE_DATASET("incomplete dataset from source", true),
    /** The source sent data sets whose SOP Class/Instance UID differ from their C-STORE command. */
    INCONSISTENT_DATASET("dataset does not match its command", true),
    UID_COLLISION("UID collision", true),
    // forward
    NOT_RETRIEVED("not retrieved", true),
    PATIENT_ID_CONFLICT("patient ID conflict", true),
    /** The forwarder found the cached object altered (and removed it): a new retrieval cures it. */
    CACHE_OBJECT_CORRUPT("cache object corrupt", true),
    CACHE_OBJECT_MISSING("cache object missing", true),
    VALIDATION_FAILED("validation failed", true),
    TRANSFER_SYNTAX_NOT_ACCEPTED("transfer syntax not accepted", true),
    SOP_CLASS_NOT_SUPPORTED("SOP class not supported", true),
    UNREADABLE_IMAGE("unreadable image", true),
    REJECTED_BY_DESTINATION("rejected by destination", true),
    /** Forward: an instance was not sent; verify: the study has instances never sent. */
    NOT_SENT("not sent", true),
    // verify
    NOT_FORWARDED("not forwarded", true),
    MISSING_IN_DESTINATION("missing in destination", true),
    NOT_COMMITTED("not committed", true),
    COMMITMENT_TIMEOUT("commitment timeout", true),
    /** Not a stage's: the report queued the study again because instances were missing in the new PACS. */
    MISSING_IN_NEW_PACS("missing in new PACS", true);

    /** The action for a study that stopped for a reason a re-send helps. */
    public static final String RESEND = "re-send: pacs-migrator report --resend-missing, then run";
    /** The documented choice on a UID collision, for the report, the console and the dead letter. */
    public static final String UID_COLLISION_ACTION = "UID collision: the old PACS holds two different objects under "
            + "one UID. Resolve it there (merge the patients if they are one person, otherwise give one study or "
            + "instance new UIDs), then replay --category 'UID collision' (the study is checked again from scratch)";

    private static final Map<String, FailureCategory> BY_LABEL = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(FailureCategory::label, Function.identity()));

    private final String label;
    private final boolean permanent;

    FailureCategory(String label, boolean permanent) {
        this.label = label;
        this.permanent = permanent;
    }

    /** The stored text: never change it. */
    public String label() {
        return label;
    }

    /** Dead-lettered at the first attempt (no retries). */
    public boolean permanent() {
        return permanent;
    }

    /** The stage that a dead letter of {@code stage} in this category is replayed into. */
    public StageId replayTarget(StageId stage) {
        boolean retrieveAgain = this == CACHE_OBJECT_CORRUPT || this == CACHE_OBJECT_MISSING;
        return stage == StageId.FORWARD && retrieveAgain ? StageId.RETRIEVE : stage;
    }

    /** What an operator does about a study that stopped in this category. */
    public String action() {
        return switch (this) {
            case MISSING_IN_NEW_PACS -> RESEND;
            case PATIENT_ID_CONFLICT -> "patient ID conflict: set forward.patientIdConflict (send or rule) or add a "
                    + "rule, then replay --category 'patient ID conflict'";
            case UID_COLLISION -> UID_COLLISION_ACTION;
            case CACHE_OBJECT_CORRUPT, CACHE_OBJECT_MISSING ->
                    "replay --category '" + label + "' (the study is retrieved again)";
            default -> defaultAction(label);
        };
    }

    /**
     * The action for a stored label, known or not (one wording for the report's reconciliation, the HTML report and
     * the console); none: re-send what is missing. A re-send helps only a study that did not stop for a reason that
     * would stop it again.
     */
    public static String actionFor(String label) {
        if (label == null || label.isBlank()) {
            return RESEND;
        }
        return parse(label).map(FailureCategory::action).orElse(defaultAction(label));
    }

    /** The category of a stored label; empty for a label this release does not know (or none). */
    public static Optional<FailureCategory> parse(String label) {
        return Optional.ofNullable(label == null ? null : BY_LABEL.get(label));
    }

    /**
     * The category of an exception a stage's handler threw: its own ({@link StageFailure}, {@link
     * CategorizedFailure}, {@link DicomException}), else the stage's "error" category.
     */
    public static FailureCategory of(Throwable e, StageId stage) {
        if (e instanceof StageFailure f) {
            return f.category();
        }
        if (e instanceof CategorizedFailure c) {
            return c.category();
        }
        if (e instanceof DicomException d) {
            return d.failureCategory();
        }
        return stageError(stage);
    }

    /** The category of an uncategorized exception in {@code stage} (null: no stage). */
    public static FailureCategory stageError(StageId stage) {
        if (stage == null) {
            return UNEXPECTED;
        }
        return switch (stage) {
            case RETRIEVE -> RETRIEVER_ERROR;
            case FORWARD -> FORWARDER_ERROR;
            case VERIFY -> VERIFIER_ERROR;
            case INDEX -> UNEXPECTED;
        };
    }

    private static String defaultAction(String label) {
        return "the study failed as '" + label + "': remove the cause, then replay --category '" + label + "'";
    }
}
