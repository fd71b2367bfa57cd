package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.SCUSCPRoleSelection;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Presentation context lists for our association requests (at most 128 per association). */
final class PresentationContexts {
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    static final String JPEG_LS_NEAR = "1.2.840.10008.1.2.4.81";
    static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";
    static final String RLE = "1.2.840.10008.1.2.5";

    /** Compressed syntaxes a C-GET offers for image SOP classes, each in its own context (see {@link #forGet}). */
    static final List<String> COMPRESSED = List.of(JPEG_LOSSLESS_SV1, JPEG_BASELINE, JPEG_2000_LOSSLESS, JPEG_2000,
            JPEG_LS_LOSSLESS, RLE, JPEG_LOSSLESS, JPEG_EXTENDED, JPEG_LS_NEAR, DEFLATED);

    /** The image SOP classes that make up nearly all of a PACS; they get per-transfer-syntax contexts in a C-GET. */
    static final List<String> MAIN_IMAGE_CLASSES = List.of(SOPClass.CTImageStorage, SOPClass.MRImageStorage,
            SOPClass.ComputedRadiographyImageStorage, SOPClass.DigitalXRayImageStorageForPresentation,
            SOPClass.DigitalMammographyXRayImageStorageForPresentation, SOPClass.UltrasoundImageStorage,
            SOPClass.UltrasoundMultiframeImageStorage, SOPClass.SecondaryCaptureImageStorage,
            SOPClass.XRayAngiographicImageStorage, SOPClass.NuclearMedicineImageStorage);

    private static final int MAX_CONTEXTS = 128;

    private PresentationContexts() {
    }

    /** One context for a non-storage SOP class (echo, find, move) with both uncompressed little endian syntaxes. */
    static LinkedList<PresentationContext> forService(String sopClassUid) {
        LinkedList<PresentationContext> list = new LinkedList<>();
        list.add(context(1, sopClassUid, EXPLICIT_LE, IMPLICIT_LE));
        return list;
    }

    /**
     * Contexts for a C-GET. The SCP chooses one transfer syntax per context, so to let it keep a compressed
     * original each (SOP class, compressed syntax) pair needs its own context. 128 contexts do not allow that
     * for all ~140 storage classes: the main image classes get uncompressed plus one context per common
     * compressed syntax (as many as fit), every other storage class an uncompressed context, in a fixed order,
     * until the limit is reached. Instances of a class left out fail as sub-operations (the PACS reports them).
     */
    static LinkedList<PresentationContext> forGet(String getSopClassUid) {
        LinkedList<PresentationContext> list = new LinkedList<>();
        list.add(context(1, getSopClassUid, EXPLICIT_LE, IMPLICIT_LE));
        Set<String> storage = new TreeSet<>(SOPClass.getSetOfStorageSOPClasses());
        storage.removeAll(MAIN_IMAGE_CLASSES);
        int compressedPerClass = 6; // JPEG lossless SV1, baseline, J2K lossless, J2K, JPEG-LS lossless, RLE
        int id = 3;
        for (String sop : MAIN_IMAGE_CLASSES) {
            list.add(context(id, sop, EXPLICIT_LE, IMPLICIT_LE));
            id += 2;
            for (String ts : COMPRESSED.subList(0, compressedPerClass)) {
                list.add(context(id, sop, ts));
                id += 2;
            }
        }
        for (String sop : storage) {
            if (list.size() >= MAX_CONTEXTS) {
                break;
            }
            list.add(context(id, sop, EXPLICIT_LE, IMPLICIT_LE));
            id += 2;
        }
        return list;
    }

    /** SCP role for every storage class in the list, so the C-GET SCP may send us C-STORE requests. */
    static LinkedList<SCUSCPRoleSelection> scpRoles(List<PresentationContext> contexts) {
        Set<String> classes = new LinkedHashSet<>();
        for (PresentationContext pc : contexts) {
            if (SOPClass.isStorage(pc.getAbstractSyntaxUID())) {
                classes.add(pc.getAbstractSyntaxUID());
            }
        }
        LinkedList<SCUSCPRoleSelection> roles = new LinkedList<>();
        for (String sop : classes) {
            roles.add(new SCUSCPRoleSelection(sop, false, true));
        }
        return roles;
    }

    /**
     * One context per distinct (SOP class, transfer syntax) of the files to send: no transcoding. Then,
     * as far as the limit allows, an implicit VR little endian context for each SOP class not already
     * offered in it: every SCP of a SOP class must accept that default syntax, so when an image's own
     * context is refused, the probe tells a refused transfer syntax from a refused SOP class.
     */
    static LinkedList<PresentationContext> forStore(Set<List<String>> sopClassAndTransferSyntax) {
        LinkedList<PresentationContext> list = new LinkedList<>();
        int id = 1;
        for (List<String> pair : sopClassAndTransferSyntax) {
            if (list.size() >= MAX_CONTEXTS) {
                return list;
            }
            list.add(context(id, pair.get(0), pair.get(1)));
            id += 2;
        }
        Set<String> probed = new LinkedHashSet<>();
        for (List<String> pair : sopClassAndTransferSyntax) {
            String sop = pair.get(0);
            if (list.size() < MAX_CONTEXTS && !sopClassAndTransferSyntax.contains(List.of(sop, IMPLICIT_LE))
                    && probed.add(sop)) {
                list.add(context(id, sop, IMPLICIT_LE));
                id += 2;
            }
        }
        return list;
    }

    private static PresentationContext context(int id, String abstractSyntax, String... transferSyntaxes) {
        LinkedList<String> ts = new LinkedList<>(List.of(transferSyntaxes));
        return new PresentationContext((byte) id, abstractSyntax, ts);
    }
}
