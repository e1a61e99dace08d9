/* forms.h - AcroForm fields inside a libharu document: text fields on
 * blanks, checkboxes, and signature fields that any standard signer (and
 * `letterpress sign`) can fill.
 *
 * Every field is a merged field/widget dictionary listed in its page's
 * /Annots and in the catalog's /AcroForm /Fields, with appearance streams so
 * it shows in every viewer.  Field names are made unique across the
 * document by appending _2, _3, ...  Typed text uses a CJK font of the
 * language (a non-embedded Adobe CJK font, which viewers substitute), or
 * Helvetica for other languages, named in the form's /DR.  No appearance
 * stream written here draws text (an empty text field, a stroked tick), so
 * that font, which cannot be embedded whole, is used for rendering only by
 * a viewer that fills a field: a PDF/A letter as written validates.
 */
#ifndef LP_FORMS_H
#define LP_FORMS_H

#include <stdbool.h>

#include <hpdf.h>

#include "display.h"
#include "util.h"

/* Adds the fields of every page of d (pages[i] is the libharu page of
 * d->pages[i]) and the /AcroForm.  Does nothing when there are none. */
bool lp_forms_write(HPDF_Doc pdf, HPDF_Page *pages, const lp_display *d,
                    lp_error *err);

#endif
