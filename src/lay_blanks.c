/* lay_blanks.c - form-field recognition: blanks, checkboxes, labels. */
#include "lay_blanks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

#define TEXT_ABOVE_EM 0.95    /* a text field's top, above the baseline */
#define TEXT_BELOW_EM 0.2
#define SIG_ABOVE_EM 2.8      /* room for a hand signature above the line */
#define SIG_BELOW_EM 0.3      /* and below it */
#define SIG_MIN_WIDTH_EM 14.0 /* a signature field's width, at least */

/* Whether the code point at text[at] is a checkbox character: □ ☐ (off) or
 * ☑ ☒ (on); sets *checked. */
bool lp_lay_is_box(const char *text, size_t len, size_t at, bool *checked) {
  size_t k = at;
  int32_t cp = lp_utf8_next(text, len, &k);
  *checked = cp == 0x2611 || cp == 0x2612;
  return cp == 0x25A1 || cp == 0x2610 || *checked;
}

/* Whether text[at] ends a label segment: a line end, a blank or a box. */
static bool segment_edge(const char *text, size_t len, size_t at) {
  bool on;
  char c = text[at];
  return c == '\n' || c == LP_BLANK_CHAR || c == LP_SIGNATURE_CHAR ||
         lp_lay_is_box(text, len, at, &on);
}

/* Copies text[from, to) into out, trimmed of spaces (also U+3000) and of
 * colons at the end, '.' replaced (it separates PDF field name levels). */
static void clean_label(const char *text, size_t from, size_t to,
                        bool keep_end, char *out, size_t cap) {
  static const char *const trim[] = {" ", "\t", "\xE3\x80\x80", ":",
                                     "\xEF\xBC\x9A"};
  bool again = true;
  while (again) {
    again = false;
    for (size_t k = 0; k < sizeof trim / sizeof trim[0]; k++) {
      size_t n = strlen(trim[k]);
      if (to - from >= n && !memcmp(text + to - n, trim[k], n))
        to -= n, again = true;
      if (to - from >= n && !memcmp(text + from, trim[k], n) && k < 3)
        from += n, again = true;
    }
  }
  /* Too long a label keeps its end when keep_end (the words next to the
   * blank: "... 客户代表签字"), else its start, in whole characters. */
  size_t limit = cap - 1 < FIELD_NAME_MAX ? cap - 1 : FIELD_NAME_MAX;
  if (keep_end && to - from > limit) {
    from = to - limit;
    while (from < to && (text[from] & 0xC0) == 0x80) from++;
  }
  size_t n = 0;
  for (size_t i = from; i < to;) {
    size_t k = i;
    lp_utf8_next(text, to, &k);
    if (n + (k - i) > limit) break;
    for (; i < k; i++) out[n++] = text[i] == '.' ? '_' : text[i];
  }
  out[n] = '\0';
}

/* The label before the blank or box at text[at]: the text since the line
 * start or the previous blank or box, and not before byte floor. */
static void label_before(const para *p, size_t at, size_t floor, char *out,
                         size_t cap, bool *colon) {
  const char *t = (const char *)p->text.data;
  size_t from = at;
  while (from > floor && !segment_edge(t, p->text.len, from - 1)) from--;
  /* from may sit inside a multi-byte box character: step to its end. */
  while (from < at && (t[from] & 0xC0) == 0x80) from++;
  size_t to = at;
  while (to > from && (t[to - 1] == ' ' || t[to - 1] == '\t')) to--;
  *colon = (to > from && t[to - 1] == ':') ||
           (to - from >= 3 && !memcmp(t + to - 3, "\xEF\xBC\x9A", 3));
  clean_label(t, from, to, true, out, cap);
}

/* The label after a box: the text up to the next space, blank or box. */
void lp_lay_label_after(const para *p, size_t at, char *out, size_t cap) {
  const char *t = (const char *)p->text.data;
  while (at < p->text.len &&
         (t[at] == ' ' || !strncmp(t + at, "\xE3\x80\x80", 3)))
    at += t[at] == ' ' ? 1 : 3;
  size_t to = at;
  while (to < p->text.len && !segment_edge(t, p->text.len, to) &&
         t[to] != ' ' && strncmp(t + to, "\xE3\x80\x80", 3))
    to++;
  clean_label(t, at, to, false, out, cap);
}

/* The field on a blank glyph at x: a signature field when the blank is
 * [[signature]] or its label ends in a colon and names a signature, else a
 * text field; named after its placeholder or its label. */
void lp_lay_blank_field(L *l, const para *p, const lp_sglyph *g, double x,
                        double size, double right) {
  char label[FIELD_NAME_MAX + 8], own[FIELD_NAME_MAX + 8];
  bool colon, own_colon;
  label_before(p, g->cluster, 0, label, sizeof label, &colon);
  /* Only the template's words make a signature field, not a value's
   * (fill.h): the label read for that stops at the data. */
  label_before(p, g->cluster,
               lp_blank_names_literal_before(&p->names, g->cluster), own,
               sizeof own, &own_colon);
  const char *name = label[0] ? label : "blank";
  char placeholder[FIELD_NAME_MAX + 8];
  for (size_t k = 0; k < p->names.count; k++)
    if (p->names.items[k].offset == g->cluster) {
      const char *n = p->names.items[k].name;
      clean_label(n, 0, strlen(n), false, placeholder, sizeof placeholder);
      name = placeholder;
    }
  bool sig = (g->flags & LP_SG_SIGNATURE) ||
             (own_colon && lp_locales_signature_label(own));
  /* A hand signature needs room: the field runs past a short blank, as
   * far as the text column allows. */
  double sig_right = x + g->advance;
  if (sig_right < x + SIG_MIN_WIDTH_EM * size)
    sig_right = x + SIG_MIN_WIDTH_EM * size;
  if (sig_right > right)
    sig_right = right > x + g->advance ? right : x + g->advance;
  if (sig)
    lp_lay_add_pfield(l, LP_FIELD_SIGNATURE, label[0] ? name : "signature", x,
                      -SIG_BELOW_EM * size, sig_right, SIG_ABOVE_EM * size,
                      size, false);
  else
    lp_lay_add_pfield(l, LP_FIELD_TEXT, name, x, -TEXT_BELOW_EM * size,
                      x + g->advance, TEXT_ABOVE_EM * size, size, false);
}

/* The checkbox field over a box glyph at x. */
void lp_lay_box_field(L *l, const para *p, const lp_sglyph *g, double x,
                      double size, bool checked) {
  char label[FIELD_NAME_MAX + 8];
  lp_lay_label_after(p, g->cluster_end, label, sizeof label);
  if (!label[0]) {
    bool colon;
    label_before(p, g->cluster, 0, label, sizeof label, &colon);
  }
  lp_lay_add_pfield(l, LP_FIELD_CHECKBOX, label[0] ? label : "checkbox", x,
                    (EMBOX_TOP - 1) * size, x + g->advance, EMBOX_TOP * size,
                    size, checked);
}

/* Replaces the face, glyph and advance by the empty box □ of the chain, when a
 * font of the chain has it. */
void lp_lay_empty_box(lp_chain *chain, double size, lp_face **face,
                      uint32_t *gid, double *advance) {
  lp_face *f = lp_chain_face_for(chain, 0x25A1);
  hb_codepoint_t g;
  if (!f || !hb_font_get_nominal_glyph(f->hb_font, 0x25A1, &g)) return;
  *face = f;
  *gid = g;
  *advance = hb_font_get_glyph_h_advance(f->hb_font, g) * size / f->upem;
}

/* Whether the paragraph text starts with one of the labels. */
static bool starts_with_any(const para *p, const char *const *labels,
                            size_t n) {
  for (size_t k = 0; k < n; k++) {
    size_t m = strlen(labels[k]);
    if (p->text.len >= m && !strncasecmp((const char *)p->text.data,
                                         labels[k], m))
      return true;
  }
  return false;
}

/* What the paragraph whose line boxes start at first_box is, for the keep
 * rules of the signature block: a line with a signature field, a date line
 * (日期：____年__月__日), or a short one-line label (承诺单位（盖章）：…). */
unsigned lp_lay_paragraph_kind(const L *l, const para *p, size_t first_box) {
  static const char *const dates[] = {"日期", "日付", "날짜", "Date",
                                      "Dated", "年月日"};
  unsigned kind = 0;
  for (size_t k =
           l->letter.boxes[first_box < l->letter.nboxes ? first_box : 0].f0;
       first_box < l->letter.nboxes && k < l->letter.nfields; k++)
    if (l->letter.fields[k].kind == LP_FIELD_SIGNATURE)
      kind |= BOX_SIGNATURE;
  if (starts_with_any(p, dates, sizeof dates / sizeof dates[0]))
    kind |= BOX_DATE;
  const char *t = (const char *)p->text.data;
  if (l->letter.nboxes == first_box + 1 && p->text.len && p->text.len < 120 &&
      (memchr(t, ':', p->text.len) ||
       memmem(t, p->text.len, "\xEF\xBC\x9A", 3)))
    kind |= BOX_LABEL;
  return kind;
}
