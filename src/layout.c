/* layout.c - the layout's entry point: style, letters, pages. */
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lay_blocks.h"
#include "lay_image.h"
#include "lay_missing.h"
#include "lay_notes.h"
#include "lay_pages.h"
#include "lay_state.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

#define DEFAULT_MARGIN_MM 25.0
#define DEFAULT_SIZE 11.0
#define DEFAULT_LEADING_CJK 1.75 /* clreq 3.1.5: line gap of 50-100% */
#define DEFAULT_LEADING_LATIN 1.4
#define PARA_SPACE_EM 0.5     /* between paragraphs (paragraph-spacing) */
#define DEFAULT_KEEP_LINES 2  /* orphans and widows */
#define LIST_INDENT_EM 2.0    /* hanging indent of list items (list-indent) */
#define QUOTE_INDENT_EM 2.0   /* indent of block quotes (quote-indent) */

/* One heading level's look: size (em of body), space before and after (em
 * of body), alignment.  These are the defaults; heading-sizes and
 * heading-spacing change levels 1 to 3 (see lay_style.heading). */
static const struct {
  double scale, before, after;
  align_t align;
} heading_style[7] = {
    {1.0, 1.0, 0.5, ALIGN_LEFT},    /* unused */
    {1.5, 0.0, 1.0, ALIGN_CENTER},  /* # : a letter's title */
    {1.15, 1.0, 0.4, ALIGN_LEFT},   /* ## */
    {1.05, 0.8, 0.3, ALIGN_LEFT},   /* ### */
    {1.0, 0.6, 0.2, ALIGN_LEFT},    /* #### */
    {1.0, 0.6, 0.2, ALIGN_LEFT},    /* ##### */
    {1.0, 0.6, 0.2, ALIGN_LEFT},    /* ###### */
};

/* The footer text used when the template gives none (layout.h). */
const char *lp_layout_default_footer(const char *lang) {
  return lp_locales_footer(lang);
}

/* An amount from the front matter in pt, or def_em of the body size when
 * it is not given. */
static double amount(const L *l, const lp_amount *a, double def_em) {
  if (!a || !a->set)
    return def_em * l->style.size;
  return a->em * l->style.size + a->pt;
}

/* Derives page and type settings from the front matter and defaults. */
static bool setup(L *l) {
  const lp_meta *m = &l->doc.tpl->meta;
  l->style.lang = lp_template_lang(l->doc.tpl);
  l->style.cjk = lp_lang_is_cjk(l->style.lang);
  lp_template_paper(l->doc.tpl, &l->style.page_w, &l->style.page_h);
  for (int i = 0; i < 4; i++)
    l->style.margin[i] = m->margin_set ? m->margin[i] : DEFAULT_MARGIN_MM * MM;
  l->style.size = m->font_size ? m->font_size : DEFAULT_SIZE;
  l->style.leading = m->line_height ? m->line_height
                     : l->style.cjk ? DEFAULT_LEADING_CJK
                                    : DEFAULT_LEADING_LATIN;
  /* First-line indent: two characters for Chinese (clreq 2.2.1), one for
   * Japanese (jlreq 3.6.2 字下げ), none for other languages. */
  l->style.first_indent_em = lp_lang_is(l->style.lang, "zh")   ? 2
                             : lp_lang_is(l->style.lang, "ja") ? 1
                                                               : 0;
  double text_w = l->style.page_w - l->style.margin[1] - l->style.margin[3];
  double text_h = l->style.page_h - l->style.margin[0] - l->style.margin[2];
  if (text_w < l->style.size * 4 || text_h < l->style.size * 4)
    return lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, 0, 0,
                   "the margins leave no room for text on this paper: make "
                   "'margin' smaller");
  for (int s = 0; s < LP_STYLE_COUNT; s++) {
    l->style.chains[s] =
        lp_fonts_chain_mixed(l->doc.env->fonts, m->font, m->latin_font,
                             l->style.lang, (lp_style)s, l->doc.err);
    if (!l->style.chains[s])
      return false;
    l->style.hchains[s] = l->style.chains[s];
    if (m->heading_font && *m->heading_font)
      l->style.hchains[s] = lp_fonts_chain_mixed(
          l->doc.env->fonts, m->heading_font, m->latin_font, l->style.lang,
          (lp_style)s, l->doc.err);
    if (!l->style.hchains[s])
      return false;
  }
  l->letter.cur = l->style.chains;
  lp_lay_warn_families(l);
  if (m->letterhead &&
      !(l->style.letterhead = lp_lay_load_image(l, m->letterhead, 1, 1)))
    return false;
  if (m->seal && !(l->style.seal = lp_lay_load_image(l, m->seal, m->seal_line,
                                                     m->seal_column)))
    return false;
  l->style.para_space =
      m->paragraph_spacing_set ? m->paragraph_spacing : PARA_SPACE_EM;
  for (int k = 0; k < 7; k++) {
    const lp_amount *sp = k >= 1 && k <= 3 ? m->heading_spacing[k - 1] : NULL;
    l->style.heading[k].scale = k >= 1 && k <= 3 && m->heading_sizes[k - 1] > 0
                                    ? m->heading_sizes[k - 1]
                                    : heading_style[k].scale;
    l->style.heading[k].before =
        amount(l, sp ? &sp[0] : NULL, heading_style[k].before);
    l->style.heading[k].after =
        amount(l, sp ? &sp[1] : NULL, heading_style[k].after);
    l->style.heading[k].align = heading_style[k].align;
  }
  l->style.list_indent = amount(l, &m->list_indent, LIST_INDENT_EM);
  l->style.quote_indent = amount(l, &m->quote_indent, QUOTE_INDENT_EM);
  l->style.hyphenate = !m->no_hyphenate;
  l->style.word_spaces = lp_lang_is(l->style.lang, "ko");
  l->style.bracket_trim = lp_lang_is(l->style.lang, "ja") ||
                          (lp_lang_is(l->style.lang, "zh") &&
                           !lp_locales_traditional(l->style.lang));
  l->style.orphans = m->orphans ? m->orphans : DEFAULT_KEEP_LINES;
  l->style.widows = m->widows ? m->widows : DEFAULT_KEEP_LINES;
  return true;
}

/* qsort order of node pointers: by address. */
static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(cmark_node *const *)a,
            y = (uintptr_t)*(cmark_node *const *)b;
  return (x > y) - (x < y);
}

/* Warns about each image of the tree that the layout neither drew nor
 * reported: an image is never lost without a word.  (One in another
 * image's description is the alt text's, which is not printed.) */
static void warn_lost_images(L *l, cmark_node *doc) {
  if (l->doc.nplaced) /* (qsort of no array is undefined) */
    qsort(l->doc.placed, l->doc.nplaced, sizeof *l->doc.placed, by_address);
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_IMAGE)
      continue;
    if (l->doc.nplaced &&
        bsearch(&n, l->doc.placed, l->doc.nplaced, sizeof n, by_address))
      continue;
    bool in_image = false;
    for (cmark_node *a = cmark_node_parent(n); a; a = cmark_node_parent(a))
      in_image = in_image || cmark_node_get_type(a) == CMARK_NODE_IMAGE;
    lp_lay_warn_image(l, n,
                      in_image
                          ? "an image inside another image's description is "
                            "part of its alt text, which is not printed"
                          : "images are drawn in paragraphs, headings and "
                            "table cells only");
  }
  cmark_iter_free(it);
}

/* Warns, at the `seal` key, when letters had no signature field to stamp
 * the seal on: it is not drawn there, and would otherwise vanish without
 * a word. */
static void warn_unsealed(L *l) {
  if (!l->doc.unsealed) return;
  const lp_meta *m = &l->doc.tpl->meta;
  lp_lay_warn(l, l->doc.tpl->name, m->seal_line, m->seal_column,
              "the seal '%s' is not stamped on %zu of %zu letter%s: %s no "
              "signature field (add 'Signature: ____', '签名：____' or "
              "[[signature]])", m->seal, l->doc.unsealed, l->doc.nletters,
              l->doc.nletters == 1 ? "" : "s",
              l->doc.unsealed == 1 ? "it has" : "they have");
}

/* Lays out the document (layout.h): sets the style up, lays the blocks
 * out letter by letter, paginates, adds headers and footers. */
bool lp_layout_document(const lp_layout_env *env, const lp_template *tpl,
                        cmark_node *doc, lp_display *out, lp_error *err) {
  L l = {0};
  l.doc.env = env;
  l.doc.tpl = tpl;
  l.doc.out = out;
  l.doc.err = err;
  bool ok = setup(&l);
  if (ok) {
    lp_lay_notes_start(&l, doc);
    lp_lay_start_letter(&l, env->title ? env->title : "");
    double width = l.style.page_w - l.style.margin[1] - l.style.margin[3];
    ok = lp_lay_blocks(&l, doc, l.style.margin[3], width, 0, false, NULL) &&
         lp_lay_flush_letter(&l);
  }
  if (ok)
    lp_lay_add_page_furniture(&l, lp_layout_default_footer(l.style.lang));
  if (ok) warn_lost_images(&l, doc);
  if (ok) warn_unsealed(&l);
  if (ok) lp_lay_warn_dropped(&l);
  for (size_t i = 0; i < l.doc.nletters; i++)
    free(l.doc.letters[i].title);
  free(l.doc.letters);
  free(l.letter.boxes);
  free(l.letter.glyphs);
  free(l.letter.rules);
  for (size_t k = 0; k < l.letter.nfields; k++)
    free(l.letter.fields[k].name);
  free(l.letter.fields);
  free(l.letter.pimages);
  free(l.doc.placed);
  free(l.doc.defs);
  lp_lay_notes_clear(&l);
  free(l.letter.notes);
  free(l.letter.links);
  free(l.letter.plinks);
  free(l.letter.fboxes);
  free(l.letter.fpage);
  free(l.letter.quotes);
  free(l.letter.missing_cps);
  for (size_t k = 0; k < l.doc.nimages; k++)
    lp_dimage_data_unref(l.doc.images[k]);
  free(l.doc.images);
  free(l.doc.page_letter);
  lp_buf_free(&l.letter.text);
  return ok;
}
