package org.pacsmigrator.forward.rules;

import java.util.List;
import org.pacsmigrator.dicom.EditableDataset;

/** What a rule does to a selected image. Validations return problems; modifications edit and return none. */
interface Action {
    List<String> apply(EditableDataset dataset, RuleContext context);
}
