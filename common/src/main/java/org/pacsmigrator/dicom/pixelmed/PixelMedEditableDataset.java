package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.dicom.text.DicomCharset;

/** {@link EditableDataset} over a PixelMed attribute list (top level only). */
final class PixelMedEditableDataset implements EditableDataset {
    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();

    private final AttributeList list;
    private final List<Change> changes = new ArrayList<>();

    PixelMedEditableDataset(AttributeList list) {
        this.list = list;
    }

    AttributeList list() {
        return list;
    }

    /** Text decoded by the image's own Specific Character Set ({@link Attributes#text}). */
    @Override
    public String get(String keyword) {
        Attribute a = list.get(tag(keyword));
        return a == null ? "" : Attributes.text(a, Attributes.charsetOf(list));
    }

    @Override
    public boolean has(String keyword) {
        return list.get(tag(keyword)) != null;
    }

    /**
     * Text VRs are encoded by the image's Specific Character Set, which is never changed behind the
     * rule's back: a value it cannot hold is refused (normalise the set to UTF-8 first).
     */
    @Override
    public void set(String keyword, String value) {
        AttributeTag tag = tag(keyword);
        String old = has(keyword) ? get(keyword) : null;
        if (value.equals(old)) {
            return;
        }
        list.put(tag, attribute(tag, DICTIONARY.getValueRepresentationFromTag(tag), value, Attributes.charsetOf(list), keyword));
        changes.add(new Change(keyword, old, value));
    }

    private static Attribute attribute(AttributeTag tag, byte[] vr, String value, DicomCharset charset, String name) {
        if (Attributes.textInCharacterSet(vr)) {
            byte[] bytes = charset.encode(value, ValueRepresentation.isPersonNameVR(vr)).orElseThrow(() ->
                    new IllegalArgumentException("cannot set " + name + ": the value has characters the image's character set "
                            + charset + " cannot hold"));
            return new VerbatimText(tag, vr, bytes);
        }
        try {
            Attribute a = AttributeFactory.newAttribute(tag, vr);
            if (!value.isEmpty()) {
                for (String v : value.split("\\\\", -1)) {
                    a.addValue(v);
                }
            }
            return a;
        } catch (DicomException e) {
            throw new IllegalArgumentException("cannot set " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(String keyword) {
        if (has(keyword)) {
            String old = get(keyword);
            list.remove(tag(keyword));
            changes.add(new Change(keyword, old, null));
        }
    }

    @Override
    public List<String> privateCreators() {
        List<String> creators = new ArrayList<>();
        for (Object o : list.values()) {
            Attribute a = (Attribute) o;
            AttributeTag t = a.getTag();
            if (t.isPrivateCreator()) {
                creators.add(Attributes.text(a, Attributes.charsetOf(list)).trim());
            }
        }
        return creators;
    }

    @Override
    public int removePrivateAttributes(Set<String> creators) {
        Set<AttributeTag> doomed = new HashSet<>();
        Set<String> blocks = new HashSet<>(); // "group:block" owned by a chosen creator
        for (Object o : list.values()) {
            Attribute a = (Attribute) o;
            AttributeTag t = a.getTag();
            if (t.isPrivateCreator() && (creators.isEmpty()
                    || creators.contains(Attributes.text(a, Attributes.charsetOf(list)).trim()))) {
                blocks.add(t.getGroup() + ":" + t.getElement());
            }
        }
        for (Object o : list.values()) {
            AttributeTag t = ((Attribute) o).getTag();
            if (!t.isPrivate()) {
                continue;
            }
            boolean owned = t.isPrivateCreator()
                    ? blocks.contains(t.getGroup() + ":" + t.getElement())
                    : blocks.contains(t.getGroup() + ":" + (t.getElement() >> 8));
            if (creators.isEmpty() || owned) {
                doomed.add(t);
            }
        }
        for (AttributeTag t : doomed) {
            Attribute a = list.remove(t);
            changes.add(new Change(t.toString(), a == null ? "" : "private", null));
        }
        return doomed.size();
    }

    /** Every text value, in sequence items too, decoded by its set and written again in UTF-8. */
    @Override
    public boolean normaliseCharacterSetToUtf8() {
        if ("ISO_IR 192".equals(get("SpecificCharacterSet"))) {
            return false;
        }
        reencode(list, Attributes.charsetOf(list), false);
        set("SpecificCharacterSet", "ISO_IR 192");
        return true;
    }

    private static void reencode(AttributeList items, DicomCharset inherited, boolean item) {
        DicomCharset charset = items.get(TagFromName.SpecificCharacterSet) == null ? inherited : Attributes.charsetOf(items);
        for (Object o : new ArrayList<>(items.values())) {
            Attribute a = (Attribute) o;
            if (a instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    AttributeList nested = sequence.getItem(i).getAttributeList();
                    if (nested != null) {
                        reencode(nested, charset, true);
                    }
                }
            } else if (Attributes.textInCharacterSet(a.getVR()) && (a instanceof StringAttribute || a instanceof VerbatimText)) {
                String text = Attributes.text(a, charset);
                items.put(a.getTag(), new VerbatimText(a.getTag(), a.getVR(), text.getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (item && items.get(TagFromName.SpecificCharacterSet) != null) { // the top level's is set as a change
            items.put(TagFromName.SpecificCharacterSet, new VerbatimText(TagFromName.SpecificCharacterSet,
                    new byte[] {'C', 'S'}, "ISO_IR 192".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Override
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    private static AttributeTag tag(String keyword) {
        AttributeTag tag = DICTIONARY.getTagFromName(keyword);
        if (tag == null) {
            throw new IllegalArgumentException("unknown DICOM keyword: " + keyword);
        }
        return tag;
    }

    static boolean isKnownKeyword(String keyword) {
        return DICTIONARY.getTagFromName(keyword) != null;
    }

}
