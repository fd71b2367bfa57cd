package org.pacsmigrator.dicom.find;

import java.time.Duration;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;

/**
 * How {@link SplittingFinder} splits a capped answer (the {@code index.*} keys; the same for every PACS):
 *
 * @param minSplit          the shortest StudyTime span a capped day is split into before splitting by modality
 * @param modalities        ModalitiesInStudy values queried one by one for a span that is still capped
 * @param patientIdPrefixes characters a capped undated pass is split by (PatientID wildcard prefixes)
 */
public record SplitSettings(Duration minSplit, List<String> modalities, String patientIdPrefixes) {
    public SplitSettings {
        modalities = List.copyOf(modalities);
    }

    public static SplitSettings of(MigrationConfig.Index index) {
        return new SplitSettings(Duration.ofMinutes(index.minSplitMinutes), index.splitModalities, index.patientIdPrefixes);
    }
}
