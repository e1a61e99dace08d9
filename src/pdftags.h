/* pdftags.h - the structure tree of a display written into a libharu
 * document (ISO 32000-1 14.7-14.8, tagged PDF): while pdf.c writes the
 * pages it numbers each marked-content sequence here (an MCID per page),
 * then lp_pdftags_write adds the /StructTreeRoot (Document, the display's
 * elements, OBJR kids for the widgets), its /ParentTree, the pages'
 * /StructParents and /Tabs /S, the widgets' /StructParent and the
 * catalog's /MarkInfo.
 */
#ifndef LP_PDFTAGS_H
#define LP_PDFTAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "display.h"
#include "util.h"

typedef struct lp_pdftags lp_pdftags;

/* A recorder for d's structure (d must outlive it); free with
 * lp_pdftags_free. */
lp_pdftags *lp_pdftags_new(const lp_display *d);
void lp_pdftags_free(lp_pdftags *pt);

/* Numbers the next marked-content sequence of page (0-based), which shows
 * content part part of element tag; returns its MCID. */
int lp_pdftags_mark(lp_pdftags *pt, size_t page, uint32_t tag, uint32_t part);

/* Records an annotation (a link's) of page that belongs to element tag:
 * it becomes an OBJR kid of the element and gets its /StructParent. */
void lp_pdftags_annot(lp_pdftags *pt, size_t page, uint32_t tag,
                      HPDF_Dict annot);

/* Writes the tree into pdf: pages[i] is the page of d->pages[i]; the
 * widgets are the catalog's /AcroForm /Fields, in the display's order. */
bool lp_pdftags_write(lp_pdftags *pt, HPDF_Doc pdf, HPDF_Page *pages,
                      lp_error *err);

/* The object numbers of what lp_pdftags_write wrote (the root, the
 * Document, the elements: dictionaries only, which objstm.c packs into
 * object streams once the document is saved); *n of them, owned by pt. */
const uint32_t *lp_pdftags_objects(const lp_pdftags *pt, size_t *n);

#endif
