/* lay_missing.c - reporting what the font set lacks: characters no font
 * has, and families the template names that are not installed. */
#include "lay_missing.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>

#include "fill.h"
#include "fonts.h"
#include "util.h"

/* A missing character of a paragraph, where it is first met. */
typedef struct missing {
  uint32_t cp;        /* 0 once reported */
  int line, column;   /* in the template file */
  bool value;         /* from the data: line and column are its
                         placeholder's */
  const char *advice; /* lp_fonts_missing_advice's: equal means same */
} missing;

/* Whether the letter has reported cp already; else notes it. */
static bool reported(L *l, uint32_t cp) {
  lay_letter *t = &l->letter;
  for (size_t i = 0; i < t->nmissing_cps; i++)
    if (t->missing_cps[i] == cp) return true;
  LP_GROW(t->missing_cps, t->missing_cps_cap, t->nmissing_cps + 1);
  t->missing_cps[t->nmissing_cps++] = cp;
  return false;
}

/* Where byte at of p's text comes from: a value's characters are located
 * at their placeholder (the data file is not the template: returns true),
 * the template's own at their character, counted after a value on the
 * same text node from the placeholder's end (not the value's). */
static bool place_of(const L *l, const para *p, size_t at, int line,
                     int *file_line, int *column) {
  if (lp_blank_names_value_at(&p->names, at, file_line, column)) return true;
  lp_lay_source_position(l, p, at, line, file_line, column);
  size_t node = 0; /* where at's text node starts */
  for (size_t k = 0; k < p->npos && p->pos[k].offset <= at; k++)
    node = p->pos[k].offset;
  const lp_value_place *v = lp_blank_names_value_before(&p->names, at);
  if (!v || v->start < node) return false;
  const char *t = (const char *)p->text.data;
  int col = v->end_column;
  for (size_t i = v->end; i < at; col++) lp_utf8_next(t, at, &i);
  *file_line = v->line;
  *column = col;
  return false;
}

/* Whether text [from, to) holds only default-ignorable characters (the
 * joiners and variation selectors of an emoji sequence): the missing
 * characters on either side are one sequence. */
static bool joined(const char *text, size_t from, size_t to) {
  if (from > to) return false;
  for (size_t i = from; i < to;)
    if (!u_hasBinaryProperty(lp_utf8_next(text, to, &i),
                             UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
      return false;
  return true;
}

/* Appends "U+XXXX (c)" for cp to out. */
static void put_char(lp_buf *out, uint32_t cp) {
  lp_buf_printf(out, "U+%04X (", (unsigned)cp);
  lp_utf8_put(out, cp);
  lp_buf_puts(out, ")");
}

/* Gives one warning for m[i] and every later character of the same place
 * and advice (marking them reported), through lp_lay_warn. */
static void warn_group(L *l, missing *m, size_t n, size_t i) {
  lp_buf list = {0};
  size_t count = 0;
  for (size_t j = i; j < n; j++) {
    if (!m[j].cp || m[j].line != m[i].line || m[j].column != m[i].column ||
        m[j].advice != m[i].advice)
      continue;
    if (count++) lp_buf_puts(&list, ", ");
    put_char(&list, m[j].cp);
    if (j != i) m[j].cp = 0;
  }
  lp_lay_warn(l, l->doc.tpl->name, m[i].line, m[i].column,
              "no font of the font set has %.*s; %s drawn as the font's "
              ".notdef box: %s",
              (int)list.len, (char *)list.data,
              count == 1 ? "it is" : "they are", m[i].advice);
  m[i].cp = 0;
  lp_buf_free(&list);
}

bool lp_lay_warn_missing(L *l, const para *p, const lp_shaped *sh, int line) {
  const lp_meta *meta = &l->doc.tpl->meta;
  const char *text = (const char *)p->text.data;
  if (meta->pdfa_part || meta->pdfua) {
    size_t at = sh->missing[0];
    int fl, col;
    place_of(l, p, at, line, &fl, &col);
    uint32_t cp = (uint32_t)lp_utf8_next(text, p->text.len, &at);
    return lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, fl, col,
                   "no font of the font set has U+%04X, and a PDF/A or "
                   "PDF/UA document (pdf-standard) may not draw the .notdef "
                   "box instead: %s",
                   (unsigned)cp,
                   lp_fonts_missing_advice(l->doc.env->fonts, cp));
  }
  missing *m = lp_xcalloc(sh->nmissing, sizeof *m);
  size_t n = 0, prev_end = 0;
  missing prev = {0};
  for (size_t k = 0; k < sh->nmissing; k++) {
    size_t at = sh->missing[k];
    missing c = {0};
    c.value = place_of(l, p, at, line, &c.line, &c.column);
    /* A sequence in the template (👨‍👩‍👧: joined by U+200D) is told at
     * its start. */
    if (k && !c.value && !prev.value && joined(text, prev_end, at))
      c.line = prev.line, c.column = prev.column;
    c.cp = (uint32_t)lp_utf8_next(text, p->text.len, &at);
    prev = c;
    prev_end = at;
    if (!c.cp || reported(l, c.cp)) continue;
    c.advice = lp_fonts_missing_advice(l->doc.env->fonts, c.cp);
    m[n++] = c;
  }
  for (size_t i = 0; i < n; i++)
    if (m[i].cp) warn_group(l, m, n, i);
  free(m);
  return true;
}

void lp_lay_missing_reset(L *l) { l->letter.nmissing_cps = 0; }

/* Warns, at where the key was given, about each family of list (the
 * template's key) that is not installed, naming used, the family drawn. */
static void warn_family_list(L *l, const char *key, const char *list,
                             const int at[2], const lp_face *used) {
  if (!list || !*list || !used || !l->doc.env->warn) return;
  lp_buf msgs = {0};
  if (!lp_fonts_check_families(l->doc.env->fonts, list, used->family,
                               &msgs)) {
    lp_buf_free(&msgs);
    return;
  }
  lp_buf_append(&msgs, "", 1);
  for (char *m = (char *)msgs.data; m;) {
    char *nl = strchr(m, '\n');
    if (nl) *nl = '\0';
    lp_lay_warn(l, at[0] ? l->doc.tpl->name : "--meta", at[0], at[1], "%s %s",
                key, m);
    m = nl ? nl + 1 : NULL;
  }
  lp_buf_free(&msgs);
}

void lp_lay_warn_families(L *l) {
  const lp_meta *m = &l->doc.tpl->meta;
  lp_chain *body = l->style.chains[LP_STYLE_REGULAR];
  lp_chain *head = l->style.hchains[LP_STYLE_REGULAR];
  warn_family_list(l, "font", m->font, m->font_at, lp_chain_main_face(body));
  if (head != body)
    warn_family_list(l, "heading-font", m->heading_font, m->heading_font_at,
                     lp_chain_main_face(head));
  if (m->latin_font && strcasecmp(m->latin_font, "none")) {
    const lp_face *latin = lp_chain_latin_face(body);
    warn_family_list(l, "latin-font", m->latin_font, m->latin_font_at,
                     latin ? latin : lp_chain_main_face(body));
  }
}
