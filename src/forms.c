/* forms.c - AcroForm text fields, checkboxes and signature fields. */
#include "forms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "locales.h"
#include "pdfobj.h"

/* Name of the typed-text font in the form's /DR. */
#define FORM_FONT "LPF"
/* Widget annotation flag: print (PDF 32000-1 12.5.3). */
#define ANNOT_PRINT 4
/* AcroForm /SigFlags bit: the document has signature fields. */
#define SIG_FLAGS_EXIST 1
/* The check mark of a checkbox, as fractions of the box, and its line. */
#define TICK_WIDTH 0.09 /* of the box height */

/* Adobe's CJK fonts that viewers supply or substitute, by language: typed
 * text in a CJK letter needs one (PDF 32000-1 9.7.5.2, predefined CMaps). */
static const struct {
  lp_han_forms forms;
  const char *font, *ordering, *cmap;
  int supplement;
} cjk_fonts[] = {
    {LP_HAN_JP, "KozMinPr6N-Regular", "Japan1", "UniJIS-UCS2-H", 6},
    {LP_HAN_KR, "HYSMyeongJo-Medium", "Korea1", "UniKS-UCS2-H", 1},
    {LP_HAN_TC, "MSung-Light", "CNS1", "UniCNS-UCS2-H", 0},
    {LP_HAN_HK, "MSung-Light", "CNS1", "UniCNS-UCS2-H", 0},
    {LP_HAN_SC, "STSong-Light", "GB1", "UniGB-UCS2-H", 2},
};

typedef struct forms {
  HPDF_Doc pdf;
  lp_error *err;
  HPDF_Array fields; /* the AcroForm's /Fields */
  bool has_signature;
} forms;

static bool fail(forms *f, const char *what) {
  return lp_fail(f->err, LP_ERR_PDF, NULL, 0, 0,
                 "PDF writer: libharu error 0x%04lX while %s",
                 (unsigned long)HPDF_GetError(f->pdf), what);
}

/* An array of reals. */
static HPDF_Array real_array(forms *f, const double *v, int n) {
  HPDF_Array a = HPDF_Array_New(f->pdf->mmgr);
  for (int i = 0; a && i < n; i++)
    if (HPDF_Array_AddReal(a, (HPDF_REAL)v[i]) != HPDF_OK) return NULL;
  return a;
}

/* A Form XObject of size w x h drawing content (may be ""). */
static HPDF_Dict appearance(forms *f, double w, double h, const char *content) {
  HPDF_Dict s = lp_pdfobj_stream(f->pdf, content, strlen(content));
  double box[4] = {0, 0, w, h};
  if (!s || HPDF_Dict_AddName(s, "Type", "XObject") != HPDF_OK ||
      HPDF_Dict_AddName(s, "Subtype", "Form") != HPDF_OK ||
      HPDF_Dict_Add(s, "BBox", real_array(f, box, 4)) != HPDF_OK ||
      HPDF_Dict_Add(s, "Resources", HPDF_Dict_New(f->pdf->mmgr)) != HPDF_OK)
    return NULL;
  return s;
}

/* The Type0 font for typed text: an Adobe CJK font for CJK languages
 * (not embedded: it must show whatever the user types), else NULL. */
static HPDF_Dict cjk_font(forms *f, const char *lang) {
  size_t k = 0, n = sizeof cjk_fonts / sizeof cjk_fonts[0];
  lp_han_forms han = lp_locales_han_forms(lang);
  while (k < n && cjk_fonts[k].forms != han) k++;
  if (k == n) return NULL;
  HPDF_MMgr m = f->pdf->mmgr;
  HPDF_Dict info = HPDF_Dict_New(m), desc = HPDF_Dict_New(m);
  HPDF_Dict cid = HPDF_Dict_New(m), type0 = HPDF_Dict_New(m);
  HPDF_Array kids = HPDF_Array_New(m);
  if (!info || !desc || !cid || !type0 || !kids) return NULL;
  double bbox[4] = {-100, -200, 1100, 900};
  bool ok =
      HPDF_Dict_Add(info, "Registry", HPDF_String_New(m, "Adobe", NULL)) == HPDF_OK &&
      HPDF_Dict_Add(info, "Ordering",
                    HPDF_String_New(m, cjk_fonts[k].ordering, NULL)) == HPDF_OK &&
      HPDF_Dict_AddNumber(info, "Supplement", cjk_fonts[k].supplement) == HPDF_OK &&
      HPDF_Dict_AddName(desc, "Type", "FontDescriptor") == HPDF_OK &&
      HPDF_Dict_AddName(desc, "FontName", cjk_fonts[k].font) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "Flags", 6) == HPDF_OK &&
      HPDF_Dict_Add(desc, "FontBBox", real_array(f, bbox, 4)) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "ItalicAngle", 0) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "Ascent", 880) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "Descent", -120) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "CapHeight", 880) == HPDF_OK &&
      HPDF_Dict_AddNumber(desc, "StemV", 80) == HPDF_OK &&
      HPDF_Dict_AddName(cid, "Type", "Font") == HPDF_OK &&
      HPDF_Dict_AddName(cid, "Subtype", "CIDFontType0") == HPDF_OK &&
      HPDF_Dict_AddName(cid, "BaseFont", cjk_fonts[k].font) == HPDF_OK &&
      HPDF_Dict_Add(cid, "CIDSystemInfo", info) == HPDF_OK &&
      HPDF_Dict_Add(cid, "FontDescriptor", desc) == HPDF_OK &&
      HPDF_Dict_AddNumber(cid, "DW", 1000) == HPDF_OK &&
      HPDF_Array_Add(kids, cid) == HPDF_OK &&
      HPDF_Dict_AddName(type0, "Type", "Font") == HPDF_OK &&
      HPDF_Dict_AddName(type0, "Subtype", "Type0") == HPDF_OK &&
      HPDF_Dict_AddName(type0, "BaseFont", cjk_fonts[k].font) == HPDF_OK &&
      HPDF_Dict_AddName(type0, "Encoding", cjk_fonts[k].cmap) == HPDF_OK &&
      HPDF_Dict_Add(type0, "DescendantFonts", kids) == HPDF_OK;
  return ok ? type0 : NULL;
}

/* Helvetica in WinAnsiEncoding, for typed text in other languages. */
static HPDF_Dict latin_font(forms *f) {
  HPDF_Dict font = HPDF_Dict_New(f->pdf->mmgr);
  if (!font || HPDF_Dict_AddName(font, "Type", "Font") != HPDF_OK ||
      HPDF_Dict_AddName(font, "Subtype", "Type1") != HPDF_OK ||
      HPDF_Dict_AddName(font, "BaseFont", "Helvetica") != HPDF_OK ||
      HPDF_Dict_AddName(font, "Encoding", "WinAnsiEncoding") != HPDF_OK)
    return NULL;
  return font;
}

/* Appends the content of a checkbox's on appearance: a check mark in a
 * w x h box. */
static void tick(double w, double h, lp_buf *out) {
  lp_buf_printf(out,
                "q 0 g 0 G %.3f w 1 J 1 j %.3f %.3f m %.3f %.3f l %.3f %.3f l "
                "S Q",
                h * TICK_WIDTH, w * 0.24, h * 0.52, w * 0.43, h * 0.3,
                w * 0.78, h * 0.74);
  lp_buf_append(out, "", 1);
}

/* Adds the widget keys common to all fields and registers the field. */
static bool add_common(forms *f, HPDF_Dict fd, HPDF_Page page,
                       const lp_dfield *field, const char *name,
                       const char *type) {
  double rect[4] = {field->x1, field->y1, field->x2, field->y2};
  HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
  if (!annots) {
    annots = HPDF_Array_New(f->pdf->mmgr);
    if (!annots || HPDF_Dict_Add(page, "Annots", annots) != HPDF_OK)
      return false;
  }
  return HPDF_Dict_AddName(fd, "Type", "Annot") == HPDF_OK &&
         HPDF_Dict_AddName(fd, "Subtype", "Widget") == HPDF_OK &&
         HPDF_Dict_AddName(fd, "FT", type) == HPDF_OK &&
         HPDF_Dict_Add(fd, "T", lp_pdfobj_text_string(f->pdf, name)) == HPDF_OK &&
         /* The label next to the blank, for screen readers (PDF/UA 7.18.1:
          * a field's /TU). */
         HPDF_Dict_Add(fd, "TU", lp_pdfobj_text_string(
                                     f->pdf, *field->name ? field->name : name)) ==
             HPDF_OK &&
         HPDF_Dict_Add(fd, "Rect", real_array(f, rect, 4)) == HPDF_OK &&
         HPDF_Dict_Add(fd, "P", page) == HPDF_OK &&
         HPDF_Dict_AddNumber(fd, "F", ANNOT_PRINT) == HPDF_OK &&
         HPDF_Array_Add(annots, fd) == HPDF_OK &&
         HPDF_Array_Add(f->fields, fd) == HPDF_OK;
}

/* Writes one field of a page, under its full name. */
static bool add_field(forms *f, HPDF_Page page, const lp_dfield *field,
                      const char *name) {
  HPDF_Dict fd = HPDF_Dict_New(f->pdf->mmgr);
  if (!fd || HPDF_Xref_Add(f->pdf->xref, fd) != HPDF_OK) return false;
  double w = field->x2 - field->x1, h = field->y2 - field->y1;
  HPDF_Dict ap = HPDF_Dict_New(f->pdf->mmgr);
  if (!ap || HPDF_Dict_Add(fd, "AP", ap) != HPDF_OK) return false;
  switch (field->kind) {
  case LP_FIELD_TEXT: {
    lp_buf da = {0};
    lp_buf_printf(&da, "/" FORM_FONT " %.1f Tf 0 g", field->font_size);
    lp_buf_append(&da, "", 1);
    HPDF_Dict n = appearance(f, w, h, "/Tx BMC EMC");
    HPDF_String da_string =
        HPDF_String_New(f->pdf->mmgr, (const char *)da.data, NULL);
    lp_buf_free(&da);
    return add_common(f, fd, page, field, name, "Tx") && n && da_string &&
           HPDF_Dict_Add(ap, "N", n) == HPDF_OK &&
           HPDF_Dict_Add(fd, "DA", da_string) == HPDF_OK &&
           HPDF_Dict_AddNumber(fd, "Q", 0) == HPDF_OK;
  }
  case LP_FIELD_CHECKBOX: {
    lp_buf on = {0};
    tick(w, h, &on);
    HPDF_Dict states = HPDF_Dict_New(f->pdf->mmgr);
    HPDF_Dict yes = appearance(f, w, h, (const char *)on.data);
    HPDF_Dict off = appearance(f, w, h, "");
    lp_buf_free(&on);
    const char *state = field->checked ? "Yes" : "Off";
    return add_common(f, fd, page, field, name, "Btn") && states && yes && off &&
           HPDF_Dict_Add(states, "Yes", yes) == HPDF_OK &&
           HPDF_Dict_Add(states, "Off", off) == HPDF_OK &&
           HPDF_Dict_Add(ap, "N", states) == HPDF_OK &&
           HPDF_Dict_AddName(fd, "V", state) == HPDF_OK &&
           HPDF_Dict_AddName(fd, "AS", state) == HPDF_OK;
  }
  case LP_FIELD_SIGNATURE: {
    f->has_signature = true;
    HPDF_Dict n = appearance(f, w, h, "");
    return add_common(f, fd, page, field, name, "Sig") && n &&
           HPDF_Dict_Add(ap, "N", n) == HPDF_OK;
  }
  }
  return false;
}

bool lp_forms_write(HPDF_Doc pdf, HPDF_Page *pages, const lp_display *d,
                    lp_error *err) {
  size_t count = 0;
  for (size_t p = 0; p < d->npages; p++) count += d->pages[p].nfields;
  if (!count) return true;
  forms f = {.pdf = pdf, .err = err};
  f.fields = HPDF_Array_New(pdf->mmgr);
  bool ok = f.fields != NULL;
  size_t nnames;
  char **names = lp_display_field_names(d, &nnames);
  size_t at = 0;
  for (size_t p = 0; p < d->npages && ok; p++)
    for (size_t k = 0; k < d->pages[p].nfields && ok; k++)
      ok = add_field(&f, pages[p], &d->pages[p].fields[k], names[at++]);
  lp_display_free_names(names, nnames);
  HPDF_Dict form = ok ? HPDF_Dict_New(pdf->mmgr) : NULL;
  HPDF_Dict dr = ok ? HPDF_Dict_New(pdf->mmgr) : NULL;
  HPDF_Dict fonts = ok ? HPDF_Dict_New(pdf->mmgr) : NULL;
  HPDF_Dict font = ok ? cjk_font(&f, d->meta.lang) : NULL;
  if (ok && !font) font = latin_font(&f);
  ok = ok && form && dr && fonts && font &&
       HPDF_Xref_Add(pdf->xref, form) == HPDF_OK &&
       HPDF_Dict_Add(form, "Fields", f.fields) == HPDF_OK &&
       HPDF_Dict_Add(fonts, FORM_FONT, font) == HPDF_OK &&
       HPDF_Dict_Add(dr, "Font", fonts) == HPDF_OK &&
       HPDF_Dict_Add(form, "DR", dr) == HPDF_OK &&
       HPDF_Dict_Add(form, "DA", HPDF_String_New(pdf->mmgr,
                                                 "/" FORM_FONT " 0 Tf 0 g",
                                                 NULL)) == HPDF_OK &&
       (!f.has_signature ||
        HPDF_Dict_AddNumber(form, "SigFlags", SIG_FLAGS_EXIST) == HPDF_OK) &&
       HPDF_Dict_Add(pdf->catalog, "AcroForm", form) == HPDF_OK;
  return ok ? true : fail(&f, "writing the form fields");
}
