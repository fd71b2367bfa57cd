package org.pacsmigrator.report;

import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.find.SplitSettings;

/**
 * How the reconciliation's C-FINDs cope with capped answers: the indexer's splitting ({@code index.*}), each
 * PACS's known result limit ({@code index.findResultCap} for the old PACS, {@code verify.findResultCap} for the
 * new one; 0 = unknown, 0xFE00 is honoured anyway) and whether studies without a StudyDate are compared too
 * ({@code index.undatedStudies}, as the indexer finds them).
 */
public record ReconciliationQueries(SplitSettings split, int oldPacsCap, int newPacsCap, boolean undatedStudies) {
    public static ReconciliationQueries of(MigrationConfig c) {
        return new ReconciliationQueries(SplitSettings.of(c.index), c.index.findResultCap, c.verify.findResultCap,
                c.index.undatedStudies);
    }
}
