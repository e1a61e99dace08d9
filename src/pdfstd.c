/* pdfstd.c - PDF/A and PDF/UA additions and the trailer /ID (see
 * pdfstd.h). */
#include "pdfstd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdfobj.h"
#include "xmp.h"

bool lp_pdfstd_any(const lp_dmeta *m) { return m->pdfa_part || m->pdfua; }

/* The catalog's /Metadata: the XMP packet, unfiltered so that it can be
 * read without PDF tools (19005-2 6.6.2.1 recommends it). */
static bool write_metadata(HPDF_Doc pdf, const lp_dmeta *m) {
  lp_buf xmp = {0};
  bool ok = lp_xmp_write(m, &xmp);
  HPDF_Dict s = ok ? HPDF_DictStream_New(pdf->mmgr, pdf->xref) : NULL;
  ok = s && HPDF_Dict_AddName(s, "Type", "Metadata") == HPDF_OK &&
       HPDF_Dict_AddName(s, "Subtype", "XML") == HPDF_OK &&
       HPDF_Stream_Write(s->stream, xmp.data, (HPDF_UINT)xmp.len) == HPDF_OK &&
       HPDF_Dict_Add(pdf->catalog, "Metadata", s) == HPDF_OK;
  if (s) s->filter = HPDF_STREAM_FILTER_NONE;
  lp_buf_free(&xmp);
  return ok;
}

/* The catalog's /OutputIntents: one GTS_PDFA1 intent (the subtype PDF/A
 * parts 1 to 3 use) with the sRGB profile, which also covers the gray of
 * the text (19005-2 6.2.3). */
static bool write_output_intent(HPDF_Doc pdf, lp_error *err) {
  lp_buf icc = {0};
  if (!lp_read_file(LP_SRGB_ICC, &icc, NULL)) {
    lp_buf_free(&icc);
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF/A needs the sRGB colour profile %s: install the "
                   "Debian package libgs-common",
                   LP_SRGB_ICC);
  }
  HPDF_Dict profile = lp_pdfobj_stream(pdf, icc.data, icc.len);
  lp_buf_free(&icc);
  HPDF_Dict intent = HPDF_Dict_New(pdf->mmgr);
  HPDF_Array intents = HPDF_Array_New(pdf->mmgr);
  bool ok = profile && intent && intents &&
            HPDF_Dict_AddNumber(profile, "N", 3) == HPDF_OK &&
            HPDF_Dict_AddName(intent, "Type", "OutputIntent") == HPDF_OK &&
            HPDF_Dict_AddName(intent, "S", "GTS_PDFA1") == HPDF_OK &&
            HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                          HPDF_String_New(pdf->mmgr, "sRGB IEC61966-2.1",
                                          NULL)) == HPDF_OK &&
            HPDF_Dict_Add(intent, "Info",
                          HPDF_String_New(pdf->mmgr, "sRGB IEC61966-2.1",
                                          NULL)) == HPDF_OK &&
            HPDF_Dict_Add(intent, "DestOutputProfile", profile) == HPDF_OK &&
            HPDF_Array_Add(intents, intent) == HPDF_OK &&
            HPDF_Dict_Add(pdf->catalog, "OutputIntents", intents) == HPDF_OK;
  return ok ? true
            : lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                      "PDF writer: could not write the output intent");
}

/* PDF/UA-1 7.1: the title bar shows the document's title, not its file
 * name. */
static bool write_viewer_prefs(HPDF_Doc pdf) {
  HPDF_Dict prefs = HPDF_Dict_New(pdf->mmgr);
  return prefs &&
         HPDF_Dict_AddBoolean(prefs, "DisplayDocTitle", HPDF_TRUE) == HPDF_OK &&
         HPDF_Dict_Add(pdf->catalog, "ViewerPreferences", prefs) == HPDF_OK;
}

/* A record's JSON as an associated file of the document (PDF/A-3,
 * 19005-3 6.8; PDF 2.0 14.13): an embedded file stream and its file
 * specification with /AFRelationship /Data, added to the catalog's /AF
 * and to names, the /Names /EmbeddedFiles array (so viewers list it). */
static bool write_attachment(HPDF_Doc pdf, const lp_dattach *a,
                             const char *date, HPDF_Array af,
                             HPDF_Array names) {
  HPDF_MMgr mm = pdf->mmgr;
  size_t len = strlen(a->json);
  HPDF_Dict file = lp_pdfobj_stream(pdf, a->json, len);
  HPDF_Dict params = HPDF_Dict_New(mm), ef = HPDF_Dict_New(mm);
  HPDF_Dict spec = lp_pdfobj_indirect_dict(pdf);
  return file && params && ef && spec &&
         HPDF_Dict_AddName(file, "Type", "EmbeddedFile") == HPDF_OK &&
         HPDF_Dict_AddName(file, "Subtype", "application/json") == HPDF_OK &&
         HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)len) == HPDF_OK &&
         HPDF_Dict_Add(params, "ModDate", HPDF_String_New(mm, date, NULL)) ==
             HPDF_OK &&
         HPDF_Dict_Add(file, "Params", params) == HPDF_OK &&
         HPDF_Dict_AddName(spec, "Type", "Filespec") == HPDF_OK &&
         HPDF_Dict_Add(spec, "F", HPDF_String_New(mm, a->name, NULL)) ==
             HPDF_OK &&
         HPDF_Dict_Add(spec, "UF", HPDF_String_New(mm, a->name, NULL)) ==
             HPDF_OK &&
         HPDF_Dict_Add(spec, "Desc",
                       HPDF_String_New(mm, "The data this letter was made from",
                                       NULL)) == HPDF_OK &&
         HPDF_Dict_AddName(spec, "AFRelationship", "Data") == HPDF_OK &&
         HPDF_Dict_Add(ef, "F", file) == HPDF_OK &&
         HPDF_Dict_Add(ef, "UF", file) == HPDF_OK &&
         HPDF_Dict_Add(spec, "EF", ef) == HPDF_OK &&
         HPDF_Array_Add(af, spec) == HPDF_OK &&
         HPDF_Array_Add(names, HPDF_String_New(mm, a->name, NULL)) ==
             HPDF_OK &&
         HPDF_Array_Add(names, spec) == HPDF_OK;
}

/* Every record's data (one in a letter, one per record in a combined
 * merge, in record order so that the name array is sorted) as associated
 * files: the catalog's /AF and /Names /EmbeddedFiles. */
static bool write_attachments(HPDF_Doc pdf, const lp_dmeta *m) {
  HPDF_MMgr mm = pdf->mmgr;
  char date[32];
  if (!lp_pdfobj_date_string(m->date, date)) return false;
  HPDF_Dict names = HPDF_Dict_New(mm), embedded = HPDF_Dict_New(mm);
  HPDF_Array af = HPDF_Array_New(mm), list = HPDF_Array_New(mm);
  bool ok = names && embedded && af && list;
  for (size_t i = 0; ok && i < m->nattachments; i++)
    ok = write_attachment(pdf, &m->attachments[i], date, af, list);
  return ok && HPDF_Dict_Add(pdf->catalog, "AF", af) == HPDF_OK &&
         HPDF_Dict_Add(embedded, "Names", list) == HPDF_OK &&
         HPDF_Dict_Add(names, "EmbeddedFiles", embedded) == HPDF_OK &&
         HPDF_Dict_Add(pdf->catalog, "Names", names) == HPDF_OK;
}

bool lp_pdfstd_write(HPDF_Doc pdf, const lp_dmeta *m, lp_error *err) {
  if (m->nattachments && !write_attachments(pdf, m))
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not attach the record's data");
  if (!lp_pdfstd_any(m)) return true;
  if (!write_metadata(pdf, m))
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not write the XMP metadata");
  if (m->pdfa_part && !write_output_intent(pdf, err)) return false;
  if (m->pdfua && !write_viewer_prefs(pdf))
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not write the viewer preferences");
  return true;
}

bool lp_pdfstd_set_id(HPDF_Doc pdf, const unsigned char digest[32],
                      lp_error *err) {
  HPDF_Array id = HPDF_Array_New(pdf->mmgr);
  bool ok = id &&
            HPDF_Array_Add(id, HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)digest,
                                               16)) == HPDF_OK &&
            HPDF_Array_Add(id, HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)digest,
                                               16)) == HPDF_OK &&
            HPDF_Dict_Add(pdf->xref->trailer, "ID", id) == HPDF_OK;
  return ok ? true
            : lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                      "PDF writer: could not write the document /ID");
}
