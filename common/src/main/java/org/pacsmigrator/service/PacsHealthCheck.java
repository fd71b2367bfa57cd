package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;

/** Healthy when the PACS answers a C-ECHO. */
public final class PacsHealthCheck extends HealthCheck {
    private final DicomClient dicom;
    private final DicomNode pacs;

    public PacsHealthCheck(DicomClient dicom, DicomNode pacs) {
        this.dicom = dicom;
        this.pacs = pacs;
    }

    @Override
    protected Result check() {
        try {
            dicom.echo(pacs);
            return Result.healthy("C-ECHO " + pacs + " ok");
        } catch (DicomException e) {
            return Result.unhealthy("C-ECHO " + pacs + ": " + e.deadLetterCategory() + ": " + e.getMessage());
        }
    }
}
