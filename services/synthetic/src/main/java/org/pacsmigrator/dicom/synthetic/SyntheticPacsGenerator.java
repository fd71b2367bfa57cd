package org.pacsmigrator.dicom.synthetic;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Generates a synthetic PACS content, deterministic by seed: the same parameters produce byte-identical
 * files. Studies are spread evenly over {@code days} days starting at {@code firstDay} (inclusive), so the
 * last study date is {@code firstDay + days - 1}. Study i belongs to patient {@code i % patients}
 * (patient 0 is 'Müller^Jürgen', encoded ISO_IR 100), is CT or MR (512×512, 16-bit MONOCHROME2, ~0.5 MB per
 * instance, pixels derived from seed and instance), and every third study has an extra 8-bit Secondary
 * Capture series. UIDs are 2.25.&lt;decimal of 128 bits of SHA-256(seed, entity)&gt;.
 */
public final class SyntheticPacsGenerator {
    public record Patient(String patientId, String name, LocalDate birthDate, String sex) {
    }

    public record GeneratedSeries(String seriesInstanceUid, int seriesNumber, String modality, String sopClassUid,
                                  List<String> sopInstanceUids) {
    }

    public record GeneratedStudy(int index, String studyInstanceUid, LocalDate studyDate, LocalTime studyTime,
                                 String accessionNumber, Patient patient, String modality, List<GeneratedSeries> series) {
        public int instanceCount() {
            return series.stream().mapToInt(s -> s.sopInstanceUids().size()).sum();
        }

        public List<String> sopInstanceUids() {
            return series.stream().flatMap(s -> s.sopInstanceUids().stream()).toList();
        }
    }

    private static final String[] FAMILY = {"Müller", "Smith", "Åström", "Dubois", "García", "Nowak", "Jensen", "Rossi"};
    private static final String[] GIVEN = {"Jürgen", "John", "Märta", "Léa", "José", "Anna", "Søren", "Giulia"};
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss");
    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();
    private static final SpecificCharacterSet LATIN1 = new SpecificCharacterSet(new String[] {"ISO_IR 100"});
    /** Private creator of the synthetic vendor block (0009,0010) with one value at (0009,1001). */
    public static final String PRIVATE_CREATOR = "PACSMIG SYNTHETIC";
    private static final int SIZE = 512;
    private static final int SC_SIZE = 256;

    private final long seed;
    private final int studies;
    private final LocalDate firstDay;
    private final int days;
    private final int seriesPerStudy;
    private final int instancesPerSeries;
    private final int patients;
    /** Small mode: 16×16 images and no extra secondary-capture series (fast seeding of many studies). */
    private boolean small;
    /** Mixed mode: a study's series alternate CT and MR (starting with the study's modality). */
    private boolean mixed;

    public SyntheticPacsGenerator(long seed, int studies, LocalDate firstDay, int days, int seriesPerStudy,
                                  int instancesPerSeries, int patients) {
        if (studies < 0 || days < 1 || seriesPerStudy < 1 || instancesPerSeries < 1 || patients < 1) {
            throw new IllegalArgumentException("studies >= 0, days, series, instances and patients >= 1");
        }
        this.seed = seed;
        this.studies = studies;
        this.firstDay = firstDay;
        this.days = days;
        this.seriesPerStudy = seriesPerStudy;
        this.instancesPerSeries = instancesPerSeries;
        this.patients = patients;
    }

    /**
     * The same studies (same UIDs, dates and patients) with 16×16 pixel images and without the extra
     * secondary-capture series: for benchmarks that need thousands of studies, not pixel volume.
     */
    public SyntheticPacsGenerator small() {
        SyntheticPacsGenerator g = copy();
        g.small = true;
        return g;
    }

    /**
     * The same studies with series alternating CT and MR (ModalitiesInStudy CT and MR): for queries that must
     * tell a study's series apart by Modality (a capped SERIES-level answer split by modality).
     */
    public SyntheticPacsGenerator mixedSeries() {
        SyntheticPacsGenerator g = copy();
        g.mixed = true;
        return g;
    }

    private SyntheticPacsGenerator copy() {
        SyntheticPacsGenerator g = new SyntheticPacsGenerator(seed, studies, firstDay, days, seriesPerStudy,
                instancesPerSeries, patients);
        g.small = small;
        g.mixed = mixed;
        return g;
    }

    private int size() {
        return small ? 16 : SIZE;
    }

    /** The studies, in index order, without creating any file. */
    public Stream<GeneratedStudy> plan() {
        return IntStream.range(0, studies).mapToObj(this::study);
    }

    public Patient patient(int p) {
        SplittableRandom r = new SplittableRandom(mix(seed, "patient", p));
        String name = p == 0 ? "Müller^Jürgen" : FAMILY[p % FAMILY.length] + "^" + GIVEN[(p / FAMILY.length + p * 3) % GIVEN.length];
        return new Patient("SYN-" + Long.toUnsignedString(seed, 36).toUpperCase() + "-" + p, name,
                LocalDate.of(1930, 1, 1).plusDays(r.nextInt(365 * 85)), r.nextBoolean() ? "F" : "M");
    }

    private GeneratedStudy study(int i) {
        SplittableRandom r = new SplittableRandom(mix(seed, "study", i));
        LocalDate date = firstDay.plusDays((long) i * days / Math.max(1, studies));
        LocalTime time = LocalTime.of(7, 0).plusSeconds(r.nextInt(12 * 3600));
        String modality = r.nextBoolean() ? "CT" : "MR";
        List<GeneratedSeries> series = new ArrayList<>();
        int seriesCount = seriesPerStudy + (i % 3 == 2 && !small ? 1 : 0);
        for (int s = 0; s < seriesCount; s++) {
            boolean sc = s == seriesPerStudy; // the extra series
            List<String> instances = new ArrayList<>();
            int n = sc ? 1 : instancesPerSeries;
            for (int k = 0; k < n; k++) {
                instances.add(uid("instance", i, s, k));
            }
            String seriesModality = sc ? "OT" : mixed && s % 2 == 1 ? (modality.equals("CT") ? "MR" : "CT") : modality;
            String sopClass = sc ? SOPClass.SecondaryCaptureImageStorage
                    : seriesModality.equals("CT") ? SOPClass.CTImageStorage : SOPClass.MRImageStorage;
            series.add(new GeneratedSeries(uid("series", i, s), s + 1, seriesModality, sopClass, instances));
        }
        return new GeneratedStudy(i, uid("study", i), date, time, String.format("ACC%08d", Math.floorMod(mix(seed, "acc", i), 100_000_000L)),
                patient(i % patients), modality, series);
    }

    /** Writes the study's instances as explicit VR little endian Part 10 files into {@code dir}. */
    public List<Path> writeStudy(GeneratedStudy study, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (GeneratedSeries series : study.series()) {
            for (int k = 0; k < series.sopInstanceUids().size(); k++) {
                Path file = dir.resolve(series.sopInstanceUids().get(k) + ".dcm");
                try {
                    AttributeList list = instance(study, series, k);
                    FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "SYNTHETIC");
                    list.write(file.toFile(), "1.2.840.10008.1.2.1", true, true);
                } catch (DicomException e) {
                    throw new IOException("cannot build instance " + series.sopInstanceUids().get(k), e);
                }
                files.add(file);
            }
        }
        return files;
    }

    /** Receives one study's files; whatever it throws stops the generation. */
    @FunctionalInterface
    public interface StudyFilesHandler<E extends Exception> {
        void handle(GeneratedStudy study, List<Path> files) throws E;
    }

    /**
     * Writes every study in turn into {@code scratch}, hands its files to {@code handler} and deletes them:
     * never more than one study on disk, however large the data set (e.g. to C-STORE them into a PACS).
     */
    public <E extends Exception> void forEachStudyFiles(Path scratch, StudyFilesHandler<E> handler) throws IOException, E {
        for (GeneratedStudy study : (Iterable<GeneratedStudy>) plan()::iterator) {
            Path dir = scratch.resolve("study-" + study.index());
            List<Path> files = writeStudy(study, dir);
            try {
                handler.handle(study, files);
            } finally {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private AttributeList instance(GeneratedStudy study, GeneratedSeries series, int k) throws DicomException {
        boolean sc = series.sopClassUid().equals(SOPClass.SecondaryCaptureImageStorage);
        boolean ct = series.modality().equals("CT");
        AttributeList a = new AttributeList();
        Patient p = study.patient();
        String date = DA.format(study.studyDate());
        String time = TM.format(study.studyTime());
        put(a, "SpecificCharacterSet", "ISO_IR 100");
        put(a, "ImageType", sc ? "DERIVED\\SECONDARY" : "ORIGINAL\\PRIMARY\\AXIAL");
        put(a, "SOPClassUID", series.sopClassUid());
        put(a, "SOPInstanceUID", series.sopInstanceUids().get(k));
        put(a, "StudyDate", date);
        put(a, "SeriesDate", date);
        put(a, "ContentDate", date);
        put(a, "StudyTime", time);
        put(a, "SeriesTime", time);
        put(a, "ContentTime", time);
        put(a, "AccessionNumber", study.accessionNumber());
        put(a, "Modality", series.modality());
        put(a, "Manufacturer", "PACS Migrator Synthetic");
        put(a, "InstitutionName", "Klinikum Süd");
        put(a, "ReferringPhysicianName", "Weiß^Käthe");
        put(a, "StudyDescription", ct ? "CT Thorax" : "MR Schädel");
        put(a, "SeriesDescription", sc ? "Screenshot" : series.modality() + " series " + series.seriesNumber());
        put(a, "PatientName", p.name());
        put(a, "PatientID", p.patientId());
        put(a, "PatientBirthDate", DA.format(p.birthDate()));
        put(a, "PatientSex", p.sex());
        put(a, "StudyInstanceUID", study.studyInstanceUid());
        put(a, "SeriesInstanceUID", series.seriesInstanceUid());
        put(a, "StudyID", Integer.toString(study.index() + 1));
        put(a, "SeriesNumber", Integer.toString(series.seriesNumber()));
        put(a, "InstanceNumber", Integer.toString(k + 1));
        put(a, "PatientOrientation", "");
        put(a, "SamplesPerPixel", "1");
        put(a, "PhotometricInterpretation", "MONOCHROME2");
        if (sc) {
            put(a, "ConversionType", "WSD");
            put(a, "Rows", Integer.toString(SC_SIZE));
            put(a, "Columns", Integer.toString(SC_SIZE));
            put(a, "BitsAllocated", "8");
            put(a, "BitsStored", "8");
            put(a, "HighBit", "7");
            put(a, "PixelRepresentation", "0");
            OtherByteAttribute pixels = new OtherByteAttribute(TagFromName.PixelData);
            pixels.setValues(bytes(study, series, k));
            a.put(pixels);
            return a;
        }
        double z = k * 2.5;
        // A vendor's private block, as real modalities write: rules that strip private tags need one.
        LongStringAttribute creator = new LongStringAttribute(new AttributeTag(0x0009, 0x0010));
        creator.addValue(PRIVATE_CREATOR);
        a.put(creator);
        LongStringAttribute privateValue = new LongStringAttribute(new AttributeTag(0x0009, 0x1001));
        privateValue.addValue("protocol " + series.seriesNumber());
        a.put(privateValue);
        put(a, "BodyPartExamined", ct ? "CHEST" : "HEAD");
        put(a, "SliceThickness", "2.5");
        if (ct) {
            put(a, "KVP", "120");
        } else {
            put(a, "ScanningSequence", "SE");
            put(a, "SequenceVariant", "NONE");
            put(a, "ScanOptions", "");
            put(a, "MRAcquisitionType", "2D");
            put(a, "RepetitionTime", "500");
            put(a, "EchoTime", "15");
            put(a, "EchoTrainLength", "1");
            put(a, "MagneticFieldStrength", "1.5");
        }
        put(a, "ImagePositionPatient", "-175\\-175\\" + z);
        put(a, "ImageOrientationPatient", "1\\0\\0\\0\\1\\0");
        put(a, "FrameOfReferenceUID", uid("frame", study.index(), series.seriesNumber()));
        put(a, "PositionReferenceIndicator", "");
        put(a, "SliceLocation", Double.toString(z));
        put(a, "Rows", Integer.toString(size()));
        put(a, "Columns", Integer.toString(size()));
        put(a, "PixelSpacing", "0.68359375\\0.68359375");
        put(a, "BitsAllocated", "16");
        put(a, "BitsStored", "12");
        put(a, "HighBit", "11");
        put(a, "PixelRepresentation", "0");
        put(a, "WindowCenter", ct ? "40" : "600");
        put(a, "WindowWidth", ct ? "400" : "1200");
        put(a, "RescaleIntercept", ct ? "-1024" : "0");
        put(a, "RescaleSlope", "1");
        if (ct) {
            put(a, "RescaleType", "HU");
        }
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(words(study, series, k));
        a.put(pixels);
        return a;
    }

    /** A disc phantom whose size depends on the slice, plus seeded noise: different for every instance. */
    private short[] words(GeneratedStudy study, GeneratedSeries series, int k) {
        Random r = new Random(mix(seed, "pixels", study.index(), series.seriesNumber(), k));
        int size = size();
        short[] v = new short[size * size];
        double radius = 120 + 80 * Math.sin(k * 0.3 + study.index());
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d = Math.hypot(x - size / 2.0, y - size / 2.0);
                int base = d < radius ? 1064 : (d < 240 ? 900 : 0);
                v[y * size + x] = (short) Math.min(4095, base + r.nextInt(40));
            }
        }
        return v;
    }

    private byte[] bytes(GeneratedStudy study, GeneratedSeries series, int k) {
        Random r = new Random(mix(seed, "sc", study.index(), series.seriesNumber(), k));
        byte[] v = new byte[SC_SIZE * SC_SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (((i % SC_SIZE) ^ (i / SC_SIZE)) + r.nextInt(16));
        }
        return v;
    }

    private void put(AttributeList list, String keyword, String value) throws DicomException {
        AttributeTag tag = DICTIONARY.getTagFromName(keyword);
        Attribute attribute = AttributeFactory.newAttribute(tag, DICTIONARY.getValueRepresentationFromTag(tag), LATIN1);
        if (!value.isEmpty()) {
            for (String v : value.split("\\\\")) {
                attribute.addValue(v);
            }
        }
        list.put(tag, attribute);
    }

    private String uid(String kind, int... path) {
        return "2.25." + new BigInteger(1, digest(seed, kind, path), 0, 16);
    }

    private static long mix(long seed, String kind, int... path) {
        return new BigInteger(1, digest(seed, kind, path), 0, 8).longValue();
    }

    private static byte[] digest(long seed, String kind, int... path) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder s = new StringBuilder().append(seed).append('/').append(kind);
            for (int p : path) {
                s.append('/').append(p);
            }
            return sha.digest(s.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
