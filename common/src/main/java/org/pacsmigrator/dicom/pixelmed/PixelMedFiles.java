package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Set;
import org.pacsmigrator.cache.HashingInputStream;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.DatasetEdit;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.EditResult;
import org.pacsmigrator.dicom.OutgoingInstance;

/** Reading Part 10 files with PixelMed. */
public final class PixelMedFiles {
    private PixelMedFiles() {
    }

    /** Everything {@link #readInfo} returns lies at or before (0020,000E) Series Instance UID. */
    private static final AttributeTag LAST_OF_INFO = TagFromName.SeriesInstanceUID;
    /** The last tag of the Patient module's group. */
    private static final AttributeTag LAST_OF_PATIENT = new AttributeTag(0x0010, 0xFFFF);
    /** The last tag before (7FE0,xxxx): pixel data, float and double float pixel data. */
    private static final AttributeTag LAST_BEFORE_PIXELS = new AttributeTag(0x7FDF, 0xFFFF);

    public static DicomFileInfo readInfo(Path file) throws IOException {
        AttributeList list = readThrough(file, LAST_OF_INFO);
        return new DicomFileInfo(sopClassUid(list), sopInstanceUid(list),
                Attributes.string(list, TagFromName.StudyInstanceUID),
                Attributes.string(list, TagFromName.SeriesInstanceUID),
                Attributes.string(list, TagFromName.TransferSyntaxUID),
                list.get(TagFromName.PatientID) == null ? ""
                        : Attributes.text(list.get(TagFromName.PatientID), Attributes.charsetOf(list)));
    }

    /** The data set's SOP Class UID, else the meta group's. */
    private static String sopClassUid(AttributeList list) {
        String value = Attributes.string(list, TagFromName.SOPClassUID);
        return value.isEmpty() ? Attributes.string(list, TagFromName.MediaStorageSOPClassUID) : value;
    }

    /** The data set's SOP Instance UID, else the meta group's. */
    private static String sopInstanceUid(AttributeList list) {
        String value = Attributes.string(list, TagFromName.SOPInstanceUID);
        return value.isEmpty() ? Attributes.string(list, TagFromName.MediaStorageSOPInstanceUID) : value;
    }

    public static DicomDataset readAttributes(Path file) throws IOException {
        return Attributes.toDataset(readThrough(file, LAST_BEFORE_PIXELS));
    }

    /** Groups 0008 and 0010 (SOP common, study identification, patient): the rest is not parsed. */
    public static DicomDataset readPatientAttributes(Path file) throws IOException {
        return Attributes.toDataset(readThrough(file, LAST_OF_PATIENT));
    }

    /**
     * SHA-256 of the pixel data value: native data as little endian bytes, encapsulated data as the
     * concatenated compressed frames. Loads one instance's pixel data into memory.
     */
    public static String pixelDataSha256(Path file) throws IOException {
        AttributeList list = readWhole(file);
        Attribute pixels = list.get(TagFromName.PixelData);
        if (pixels == null) {
            throw new IOException("no pixel data in " + file);
        }
        try {
            MessageDigest sha = Sha256.newDigest();
            if (pixels instanceof OtherByteAttributeMultipleCompressedFrames frames) {
                for (byte[] frame : frames.getFrames()) {
                    sha.update(frame);
                }
            } else if (ValueRepresentation.isOtherWordVR(pixels.getVR())) {
                short[] words = pixels.getShortValues();
                ByteBuffer buffer = ByteBuffer.allocate(words.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asShortBuffer().put(words);
                sha.update(buffer.array());
            } else {
                sha.update(pixels.getByteValues());
            }
            return Sha256.hex(sha);
        } catch (DicomException e) {
            throw new IOException("cannot hash pixel data of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code edit} to the data set of {@code in} and writes the result to {@code out} (only
     * when something changed). When the pixel data is the file's last element with a defined length
     * in a little endian transfer syntax (nearly every image), only the header is parsed and
     * rewritten and the pixel data bytes are copied as they are: the costly part of an image is
     * never decoded. Anything else (encapsulated or big endian pixel data, elements after it) is
     * parsed and rewritten whole.
     *
     * <p>The source is read once, in order, and hashed on the way (every byte, to the end of the file),
     * and the written file is hashed as it is written: neither is read again to be hashed.
     *
     * @param hashUnchanged also read the source to its end to hash it when nothing changed (else only the
     *                      header is read and {@link EditResult#sourceSha256} is null)
     */
    public static EditResult edit(Path in, Path out, DatasetEdit edit, boolean hashUnchanged) throws Exception {
        try (InputStream file = Files.newInputStream(in)) {
            HashingInputStream source = new HashingInputStream(file);
            AttributeList header = new AttributeList();
            long stop;
            CharacterSetMask.Found[] found = new CharacterSetMask.Found[1];
            // Not closed: the rest of the file is read from `source` after the header (the try closes the file).
            DicomInputStream din = new DicomInputStream(new BufferedInputStream(CharacterSetMask.maskingPart10(source, found)));
            try {
                stop = header.read(din, TagFromName.PixelData);
            } catch (DicomException e) {
                throw new IOException("cannot parse " + in + ": " + e.getMessage(), e);
            }
            CharacterSetMask.restore(header, found[0]);
            String transferSyntax = Attributes.string(header, TagFromName.TransferSyntaxUID);
            long pixelDataStart = RawPixelData.startIfLast(in, stop, transferSyntax);
            if (pixelDataStart < 0) {
                return editWhole(in, out, edit, transferSyntax);
            }
            PixelMedEditableDataset dataset = new PixelMedEditableDataset(header);
            edit.apply(dataset);
            if (dataset.changes().isEmpty()) {
                if (!hashUnchanged) {
                    return new EditResult(dataset.changes(), null, null, null);
                }
                source.drain(null);
                return new EditResult(dataset.changes(), source.sha256(), null, null);
            }
            MessageDigest written = Sha256.newDigest();
            try (OutputStream os = hashedOutput(out, written)) {
                writeWithNewMeta(header, transferSyntax, os);
                // The pixel data's first bytes were read ahead with the header: read them again, unhashed.
                copyRange(in, pixelDataStart, source.bytesRead(), os);
                source.drain(os);
            }
            return new EditResult(dataset.changes(), source.sha256(), sent(out, header, transferSyntax), Sha256.hex(written));
        }
    }

    /** {@link #edit} of a file parsed whole (its pixel data cannot be copied as bytes); the source is always hashed. */
    private static EditResult editWhole(Path in, Path out, DatasetEdit edit, String transferSyntax) throws Exception {
        AttributeList list;
        String sourceSha256;
        try (InputStream file = Files.newInputStream(in)) {
            HashingInputStream source = new HashingInputStream(file);
            list = readWhole(in, source);
            source.drain(null); // whatever the parser left unread
            sourceSha256 = source.sha256();
        }
        PixelMedEditableDataset dataset = new PixelMedEditableDataset(list);
        edit.apply(dataset);
        if (dataset.changes().isEmpty()) {
            return new EditResult(dataset.changes(), sourceSha256, null, null);
        }
        MessageDigest written = Sha256.newDigest();
        try (OutputStream os = hashedOutput(out, written)) {
            writeWithNewMeta(list, transferSyntax, os);
        }
        return new EditResult(dataset.changes(), sourceSha256, sent(out, list, transferSyntax), Sha256.hex(written));
    }

    /** The written file as a C-STORE sends it: its header values, known without reading it again. */
    private static OutgoingInstance sent(Path file, AttributeList list, String transferSyntax) {
        return new OutgoingInstance(file, sopClassUid(list), sopInstanceUid(list), transferSyntax);
    }

    /** A buffered stream to {@code file} that feeds {@code digest} with what is written. */
    private static OutputStream hashedOutput(Path file, MessageDigest digest) throws IOException {
        return new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(file), digest), 1 << 16);
    }

    /** Bytes {@code [from, to)} of {@code file} to {@code out}. */
    private static void copyRange(Path file, long from, long to, OutputStream out) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            out.write(raw.readNBytes(Math.toIntExact(to - from)));
        }
    }

    /**
     * Writes preamble, a fresh meta group and the data set, every string value as its bytes ({@link VerbatimText}:
     * what no edit changed is written as it was read); leaves {@code os} open.
     */
    private static void writeWithNewMeta(AttributeList list, String transferSyntax, OutputStream os)
            throws IOException, DicomException {
        String sourceAe = Attributes.string(list, TagFromName.SourceApplicationEntityTitle);
        VerbatimText.freeze(list);
        list.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(list, transferSyntax,
                sourceAe.isEmpty() ? "PACSMIGRATOR" : sourceAe);
        OutputStream keepOpen = new FilterOutputStream(os) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // PixelMed closes what it wrote to; the pixel data still has to follow
            }
        };
        list.write(keepOpen, transferSyntax, true, false);
    }

    /** Uncompressed transfer syntaxes a file can be rewritten into without a codec. */
    public static final Set<String> UNCOMPRESSED = Set.of(
            "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2");

    public static void transcode(Path in, Path out, String target) throws IOException {
        if (!UNCOMPRESSED.contains(target)) {
            throw new IOException("conversion only into uncompressed transfer syntaxes, not " + target);
        }
        AttributeList list = readWhole(in);
        try {
            String source = Attributes.string(list, TagFromName.TransferSyntaxUID);
            if (!UNCOMPRESSED.contains(source)) {
                throw new IOException("cannot convert from compressed transfer syntax " + source + " (no codec)");
            }
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
                writeWithNewMeta(list, target, os);
            }
        } catch (DicomException e) {
            throw new IOException("cannot convert " + in + ": " + e.getMessage(), e);
        }
    }

    public static boolean isKnownKeyword(String keyword) {
        return PixelMedEditableDataset.isKnownKeyword(keyword);
    }

    /** Byte offset where the data set starts (after preamble, "DICM" and the meta group), from (0002,0000). */
    static long dataSetOffset(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            byte[] head = new byte[144];
            in.readFully(head);
            ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            boolean dicm = head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
            if (!dicm || b.getShort(132) != 0x0002 || b.getShort(134) != 0x0000 || head[136] != 'U' || head[137] != 'L') {
                throw new IOException("not a Part 10 file with a meta group length: " + file);
            }
            return 144L + (b.getInt(140) & 0xffffffffL);
        }
    }

    /** The whole file, compressed frames kept as they are (never decoded). */
    private static AttributeList readWhole(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readWhole(file, in);
        }
    }

    /** The whole data set from {@code source} (at the file's start), which is left open (and may hold bytes after it). */
    private static AttributeList readWhole(Path file, InputStream source) throws IOException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        CharacterSetMask.Found[] found = new CharacterSetMask.Found[1];
        InputStream keepOpen = new FilterInputStream(source) {
            @Override
            public void close() {
                // PixelMed closes what it read to the end; the caller may still drain it, then closes it
            }
        };
        try {
            list.read(new DicomInputStream(new BufferedInputStream(CharacterSetMask.maskingPart10(keepOpen, found))));
        } catch (DicomException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        CharacterSetMask.restore(list, found[0]);
        return list;
    }

    /** The file with its Specific Character Set hidden from PixelMed ({@link CharacterSetMask}); {@code found} gets the set. */
    private static InputStream openMasked(Path file, CharacterSetMask.Found[] found) throws IOException {
        return CharacterSetMask.maskingPart10(Files.newInputStream(file), found);
    }

    /**
     * Reads the data set's top-level attributes up to and including {@code last}, and no further:
     * whatever follows (however large) is neither parsed nor read, whichever attributes the file has.
     */
    private static AttributeList readThrough(Path file, AttributeTag last) throws IOException {
        AttributeList list = new AttributeList();
        CharacterSetMask.Found[] found = new CharacterSetMask.Found[1];
        try (DicomInputStream in = new DicomInputStream(new BufferedInputStream(openMasked(file, found)))) {
            // Only the top level decides: tags inside a sequence item come from another group's order.
            list.read(in, (readSoFar, next, bytesRead) -> readSoFar == list && next.compareTo(last) > 0);
        } catch (DicomException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        CharacterSetMask.restore(list, found[0]);
        return list;
    }
}
