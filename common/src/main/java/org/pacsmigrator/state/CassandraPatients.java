package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.List;
import org.pacsmigrator.state.CassandraSchema.AddedColumn;

/** Demographics first seen per PatientID within its issuer (table patients, lightweight transactions only). */
final class CassandraPatients {
    static String table(String ks) {
        // From the images (from_images), or, in keyspaces of older versions, from the C-FIND answer (null).
        return "CREATE TABLE IF NOT EXISTS " + ks + ".patients ("
                + " issuer text, patient_id text, patient_name text, birth_date text, sex text, first_study_uid text,"
                + " from_images boolean, PRIMARY KEY ((issuer, patient_id)))";
    }

    static final List<AddedColumn> ADDED_COLUMNS = List.of(new AddedColumn("patients", "from_images", "boolean"));

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement replaceAnswered;

    CassandraPatients(CqlSession session, String ks) {
        this.session = session;
        insert = session.prepare("INSERT INTO " + ks + ".patients (issuer, patient_id, patient_name, birth_date,"
                + " sex, first_study_uid, from_images) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        replaceAnswered = session.prepare("UPDATE " + ks + ".patients SET patient_name = ?, birth_date = ?, sex = ?,"
                + " first_study_uid = ?, from_images = true WHERE issuer = ? AND patient_id = ? IF from_images != true");
    }

    PatientDemographics claim(PatientDemographics p) {
        Row r = session.execute(insert.bind(p.issuerOfPatientId(), p.patientId(), p.patientName(),
                p.patientBirthDate(), p.patientSex(), p.firstStudyInstanceUid(), p.fromImages())).one();
        if (r == null || r.getBool("[applied]")) {
            return p;
        }
        return new PatientDemographics(r.getString("patient_id"), r.getString("issuer"), r.getString("patient_name"),
                r.getString("birth_date"), r.getString("sex"), r.getString("first_study_uid"),
                !r.isNull("from_images") && r.getBool("from_images"));
    }

    boolean replaceAnswered(PatientDemographics fromImages) {
        return session.execute(replaceAnswered.bind(fromImages.patientName(), fromImages.patientBirthDate(),
                fromImages.patientSex(), fromImages.firstStudyInstanceUid(), fromImages.issuerOfPatientId(),
                fromImages.patientId())).wasApplied();
    }
}
