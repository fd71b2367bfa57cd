package org.pacsmigrator.console;

import java.util.List;

/** Pending dead letters of one stage and category ({@code GET /api/failures}), with what to do about them. */
public record FailureGroup(String stage, String category, long count, List<String> studies, String lastMessage,
                           String lastFailedAt, String action) {
}
