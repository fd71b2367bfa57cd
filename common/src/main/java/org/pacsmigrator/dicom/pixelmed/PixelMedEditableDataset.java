package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttributeAffectedBySpecificCharacterSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pacsmigrator.dicom.EditableDataset;

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

    @Override
    public String get(String keyword) {
        Attribute a = list.get(tag(keyword));
        return a == null ? "" : a.getDelimitedStringValuesOrEmptyString();
    }

    @Override
    public boolean has(String keyword) {
        return list.get(tag(keyword)) != null;
    }

    @Override
    public void set(String keyword, String value) {
        AttributeTag tag = tag(keyword);
        String old = has(keyword) ? get(keyword) : null;
        if (value.equals(old)) {
            return;
        }
        try {
            Attribute a = AttributeFactory.newAttribute(tag, DICTIONARY.getValueRepresentationFromTag(tag), charset());
            if (!value.isEmpty()) {
                for (String v : value.split("\\\\", -1)) {
                    a.addValue(v);
                }
            }
            list.put(tag, a);
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new IllegalArgumentException("cannot set " + keyword + ": " + e.getMessage(), e);
        }
        changes.add(new Change(keyword, old, value));
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
                creators.add(a.getSingleStringValueOrEmptyString().trim());
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
            if (t.isPrivateCreator() && (creators.isEmpty() || creators.contains(a.getSingleStringValueOrEmptyString().trim()))) {
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

    @Override
    public boolean normaliseCharacterSetToUtf8() {
        if ("ISO_IR 192".equals(get("SpecificCharacterSet"))) {
            return false;
        }
        SpecificCharacterSet utf8 = new SpecificCharacterSet(new String[] {"ISO_IR 192"});
        try {
            for (Object o : new ArrayList<>(list.values())) {
                Attribute a = (Attribute) o;
                if (a instanceof StringAttributeAffectedBySpecificCharacterSet) {
                    Attribute copy = AttributeFactory.newAttribute(a.getTag(), a.getVR(), utf8);
                    String[] values = a.getStringValues(); // null for an empty attribute
                    for (String v : values == null ? new String[0] : values) {
                        copy.addValue(v);
                    }
                    list.put(a.getTag(), copy);
                }
            }
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new IllegalStateException("cannot re-encode in UTF-8: " + e.getMessage(), e);
        }
        set("SpecificCharacterSet", "ISO_IR 192");
        return true;
    }

    @Override
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    private SpecificCharacterSet charset() {
        return new SpecificCharacterSet(list);
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
