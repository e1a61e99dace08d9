/* lay_blocks.c - blocks: headings, paragraphs, code, rules, lists, quotes. */
#include "lay_blocks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lay_pages.h"
#include "lay_para.h"
#include "lay_table.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

#define MIN_COLUMN_EM 8          /* nested blocks keep at least this */
#define NOTE_SCALE 0.8           /* a footnote's size, of the body size */
#define NOTE_INDENT_EM 1.6       /* a note's text, right of its number */
#define NOTE_SPACE_EM 0.25       /* between a note's paragraphs, and notes */


/* The start of a trailing {lang=TAG} mark in s[0, n) (after blanks), or
 * n when there is none. */
static size_t lang_mark_start(const unsigned char *s, size_t n) {
  size_t end = n;
  while (end && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
                 s[end - 1] == '\n'))
    end--;
  if (!end || s[end - 1] != LP_LANG_CHAR) return n;
  size_t k = end - 1;
  while (k && s[k - 1] != LP_LANG_CHAR) k--;
  return k ? k - 1 : n;
}

/* The plain text of a heading, as typed, without the blanks an image left
 * at its ends or its attribute marks (an outline title holds no marks). */
static void heading_text(cmark_node *node, lp_buf *out) {
  lp_lay_inline_text(node, false, out);
  size_t n = out->len, k = 0;
  for (int pass = 0; pass < 2; pass++) { /* {.center} {lang=en}, or after */
    n = lang_mark_start(out->data, n);
    while (n && (lp_lay_edge_space(out->data[n - 1]) ||
                 out->data[n - 1] == LP_RIGHT_CHAR ||
                 out->data[n - 1] == LP_CENTER_CHAR))
      n--;
  }
  while (k < n && lp_lay_edge_space(out->data[k]))
    k++;
  if (!out->data) return;
  out->data[n] = '\0';
  char *typed = lp_template_unmark((char *)out->data + k);
  out->len = 0;
  lp_buf_puts(out, typed);
  free(typed);
}

/* Cuts a paragraph's text at n, with the blanks before it. */
static void cut_text(para *p, size_t n) {
  while (n && (p->text.data[n - 1] == ' ' || p->text.data[n - 1] == '\t'))
    n--;
  p->text.len = n;
  if (p->text.data) p->text.data[n] = '\0';
  /* Spans past the new end go; the last one ends there. */
  while (p->nspans && p->spans[p->nspans - 1].start >= n) p->nspans--;
  if (p->nspans && p->spans[p->nspans - 1].end > n)
    p->spans[p->nspans - 1].end = n;
}

/* Removes a trailing alignment mark ({.right} or {.center} in the
 * template) from a paragraph and says which alignment it asked for. */
static align_t take_align_attr(para *p) {
  size_t n = p->text.len;
  while (n && (p->text.data[n - 1] == ' ' || p->text.data[n - 1] == '\n'))
    n--;
  if (!n) return ALIGN_JUSTIFY;
  char c = (char)p->text.data[n - 1];
  if (c != LP_RIGHT_CHAR && c != LP_CENTER_CHAR) return ALIGN_JUSTIFY;
  while (n && (char)p->text.data[n - 1] == c) n--;
  cut_text(p, n);
  return c == LP_RIGHT_CHAR ? ALIGN_RIGHT : ALIGN_CENTER;
}

/* Removes a trailing {lang=TAG} mark from a paragraph, copying TAG into
 * tag (cap bytes) and the mark's offset into *at; false when there is
 * none. */
static bool take_lang_attr(para *p, char *tag, size_t cap, size_t *at) {
  size_t n = p->text.len, k = lang_mark_start(p->text.data, n);
  size_t skip = strlen(LP_ATTR_LANG);
  if (k == n) return false;
  const char *m = (const char *)p->text.data + k + skip;
  size_t len = strcspn(m, "\x1a");
  snprintf(tag, cap, "%.*s", (int)len, m);
  *at = k;
  cut_text(p, k);
  return true;
}

/* Takes a paragraph's (or heading's) block attributes from its end, in
 * either order: returns its alignment mark's, and gives elem its
 * language when that differs from the letter's.  False (an error at the
 * attribute) for a tag that is not BCP 47. */
static bool take_attrs(L *l, para *p, uint32_t elem, int line,
                       align_t *align) {
  char typed[LP_LANG_MAX + 8] = "", tag[64], why[200];
  size_t at = 0;
  bool lang = take_lang_attr(p, typed, sizeof typed, &at);
  *align = take_align_attr(p);
  if (!lang) lang = take_lang_attr(p, typed, sizeof typed, &at);
  if (!lang) return true;
  if (!lp_locales_normalize(typed, tag, sizeof tag)) tag[0] = '\0';
  if (!lp_locales_check(tag, why, sizeof why)) {
    int fl, col;
    lp_lay_source_position(l, p, at, line, &fl, &col);
    return lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, fl, col,
                   "'{lang=%s}' %s", typed, why);
  }
  /* /Lang only where it differs (14.9.2: it is inherited). */
  if (strcasecmp(tag, l->style.lang)) lp_tags_set_lang(lp_lay_tags(l), elem, tag);
  return true;
}

/* Whether a paragraph is a salutation or a label line ("尊敬的客户：",
 * "Dear Ms Li,"): short, one line, ending in a colon or comma.  Those stay
 * flush left (clreq: 称呼顶格), without the first-line indent. */
static bool is_salutation(const para *p) {
  if (p->text.len == 0 || p->text.len > 90 ||
      memchr(p->text.data, '\n', p->text.len))
    return false;
  uint32_t c = lp_lay_last_cp(&p->text);
  if (c == ':' || c == 0xFF1A || c == ',' || c == 0xFF0C) return true;
  /* The second half of a Chinese letter's closing (敬礼, 商祺 after 此致,
   * 顺颂) is flush left too (顶格). */
  return lp_locales_closing_word((const char *)p->text.data, p->text.len);
}

/* Starts a new letter titled title. */
void lp_lay_start_letter(L *l, const char *title) {
  LP_GROW(l->doc.letters, l->doc.letters_cap, l->doc.nletters + 1);
  uint32_t sect = lp_tags_open(lp_lay_tags(l), 0, "Sect");
  l->doc.letters[l->doc.nletters++] =
      (letter){lp_xstrdup(title), 0, 0, false, sect};
  l->letter.tag = sect; /* each letter is a section of the document */
}

/* Lays out a heading: a level-1 heading starts a letter (its title and
 * outline entry); every heading keeps with the next line. */
static bool layout_heading(L *l, cmark_node *node, double left,
                           double width) {
  int level = cmark_node_get_heading_level(node);
  if (level < 1) level = 1;
  /* A heading in a footnote starts no letter. */
  if (level == 1 && l->letter.in_note) level = 2;
  if (level > 6) level = 6;
  lp_buf title = {0};
  heading_text(node, &title);
  if (level == 1) {
    /* A level-1 heading starts a letter (and so a page), except the
     * first: what comes before it (the recipient's address, 宛名, above
     * the subject of Japanese and Western letters) is that letter's. */
    if (l->doc.letters[l->doc.nletters - 1].has_heading) {
      if (!lp_lay_flush_letter(l)) {
        lp_buf_free(&title);
        return false;
      }
      lp_lay_start_letter(l, title.data ? (char *)title.data : "");
    } else {
      free(l->doc.letters[l->doc.nletters - 1].title);
      l->doc.letters[l->doc.nletters - 1].title = lp_buf_strdup(&title);
    }
  }
  lp_buf_free(&title);
  if (level == 1)
    l->doc.letters[l->doc.nletters - 1].has_heading = true;
  pstyle st = lp_lay_body_style(l, left, width, 1);
  st.size = l->style.size * l->style.heading[level].scale;
  st.leading = l->style.leading > 1.4 ? 1.4 : l->style.leading;
  st.align = l->style.heading[level].align;
  st.before = l->style.heading[level].before;
  /* A letter's title below an address block is set off from it as from
   * the text below it (its space before is dropped at a page's top). */
  if (level == 1 && l->letter.nboxes > 0 &&
      st.before < l->style.heading[1].after)
    st.before = l->style.heading[1].after;
  st.keep_with_next = true;
  st.hyphenate = false; /* headings keep their words whole */
  st.outline = level == 1 ? (int)l->doc.nletters - 1 : -1;
  para p = {0};
  static const char *const roles[] = {"H1", "H1", "H2", "H3", "H4", "H5", "H6"};
  uint32_t saved = lp_lay_open(l, roles[level]);
  l->letter.cur = l->style.hchains;
  lp_lay_collect_inlines(l, node, &p, true, false, 0, st.size);
  l->letter.cur = l->style.chains;
  align_t attr; /* # 承诺书 {.center} */
  bool ok = take_attrs(l, &p, l->letter.tag, cmark_node_get_start_line(node),
                       &attr);
  if (attr != ALIGN_JUSTIFY) st.align = attr;
  size_t first = l->letter.nboxes;
  /* An image in the heading is a block of its own after (or before) the
   * heading's text, centred under a centred title, keeping with what
   * follows as the heading's lines do. */
  ok = ok && lp_lay_paragraph(l, &p, st, cmark_node_get_start_line(node));
  lp_lay_para_free(&p);
  lp_lay_close(l, saved);
  /* Space after the heading goes before the next block: add it here as
   * part of the last heading box's height. */
  if (ok && l->letter.nboxes > first)
    l->letter.boxes[l->letter.nboxes - 1].height +=
        l->style.heading[level].after;
  return ok;
}

/* Lays out a code block: monospaced, flush left, never hyphenated. */
static bool layout_code(L *l, cmark_node *node, double left, double width) {
  const char *lit = cmark_node_get_literal(node);
  pstyle st = lp_lay_body_style(l, left, width, 1);
  st.align = ALIGN_LEFT;
  st.size = l->style.size * 0.9;
  st.hyphenate = st.split_mark = false; /* code shows what was typed */
  para p = {0};
  size_t n = strlen(lit);
  if (n && lit[n - 1] == '\n') n--;
  lp_lay_para_add(&p, lit, n, l->style.chains[LP_STYLE_MONO], st.size, 0);
  lp_blank_names_add_literal(&p.names, 0, n); /* code: no fields */
  uint32_t saved = lp_lay_open(l, "P");
  bool ok = lp_lay_para(l, &p, &st, cmark_node_get_start_line(node));
  lp_lay_close(l, saved);
  lp_lay_para_free(&p);
  return ok;
}

/* Lays out a thematic break: a rule across the column. */
static bool layout_thematic_break(L *l, double left, double width) {
  lbox *b = lp_lay_new_box(l);
  b->height = l->style.size;
  b->before = l->style.para_space * l->style.size;
  b->baseline = l->style.size / 2;
  lp_lay_add_prule(l, left, 0, left + width, 0, RULE_WIDTH);
  b->r1 = l->letter.nrules;
  return true;
}

/* The indent of a nested list or quote in a column of width: its setting,
 * less what would leave the nested column narrower than MIN_COLUMN_EM
 * (deep nesting, or large list-indent/quote-indent, stops moving right
 * rather than pushing text past the page edge). */
static double nested_indent(const L *l, double width, double indent) {
  double room = width - MIN_COLUMN_EM * l->style.size;
  return indent < room ? indent : room > 0 ? room : 0;
}

/* Lays out a list item's blocks as an LI: its marker the Lbl, its blocks
 * the LBody (ISO 32000-1 14.8.4.3.3). */
static bool list_item(L *l, cmark_node *item, double left, double width,
                      int depth, bool tight, const char *marker) {
  lp_tags *t = lp_lay_tags(l);
  uint32_t saved = lp_lay_open(l, "LI"), li = l->letter.tag;
  uint32_t saved_marker = l->letter.marker_tag;
  l->letter.marker_tag = lp_tags_open(t, li, "Lbl");
  l->letter.tag = lp_tags_open(t, li, "LBody");
  bool ok = lp_lay_blocks(l, item, left, width, depth + 1, tight, marker);
  l->letter.marker_tag = saved_marker;
  lp_lay_close(l, saved);
  return ok;
}

/* Lays out a list: each item's blocks with a hanging indent and its
 * marker, its first lines kept together. */
static bool layout_list(L *l, cmark_node *list, double left, double width,
                        int depth) {
  bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
  int num = cmark_node_get_list_start(list);
  bool tight = cmark_node_get_list_tight(list);
  double indent = nested_indent(l, width, l->style.list_indent);
  uint32_t saved = lp_lay_open(l, "L");
  bool ok = true;
  for (cmark_node *item = cmark_node_first_child(list); item && ok;
       item = cmark_node_next(item), num++) {
    char marker[32];
    const char *task = cmark_gfm_extensions_get_tasklist_item_checked(item)
                           ? "\xE2\x98\x91" /* ☑ */
                           : NULL;
    if (!task && strcmp(cmark_node_get_type_string(item), "tasklist") == 0)
      task = "\xE2\x98\x90"; /* ☐ */
    if (task)
      snprintf(marker, sizeof marker, "%s", task);
    else if (ordered)
      snprintf(marker, sizeof marker, "%d%s", num,
               cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ")"
                                                                     : ".");
    else
      snprintf(marker, sizeof marker, "%s",
               depth % 2 ? "\xE2\x97\xA6" /* ◦ */ : "\xE2\x80\xA2" /* • */);
    ok = list_item(l, item, left + indent, width - indent, depth, tight,
                   marker);
  }
  lp_lay_close(l, saved);
  return ok;
}

/* A block quote: its blocks indented by quote-indent, with a thin gray
 * rule down the left edge of the column beside all of its lines (drawn at
 * pagination, one segment per page; nested quotes get nested rules). */
static bool layout_quote(L *l, cmark_node *node, double left, double width,
                         int depth) {
  LP_GROW(l->letter.quotes, l->letter.quotes_cap, l->letter.nquotes + 1);
  l->letter.quotes[l->letter.nquotes++] =
      (qspan){l->letter.nboxes, 0, left + QUOTE_RULE_WIDTH / 2, true};
  double indent = nested_indent(l, width, l->style.quote_indent);
  uint32_t saved = lp_lay_open(l, "BlockQuote");
  bool ok = lp_lay_blocks(l, node, left + indent, width - indent, depth + 1,
                          false, NULL);
  lp_lay_close(l, saved);
  /* The innermost open quote is this one (a letter that started inside
   * it may have moved it in the array). */
  for (size_t q = l->letter.nquotes; q-- > 0;)
    if (l->letter.quotes[q].open) {
      l->letter.quotes[q].open = false;
      l->letter.quotes[q].b1 = l->letter.nboxes;
      break;
    }
  return ok;
}

/* Lays out the block children of parent in the column [left, left+width).
 * marker, when given, is drawn before the first line of the first block. */
bool lp_lay_blocks(L *l, cmark_node *parent, double left, double width,
                   int depth, bool tight, const char *marker) {
  const lp_limits *lim = l->doc.env->limits;
  if (lim && lim->max_depth && depth > (int)lim->max_depth)
    return lp_fail(
        l->doc.err, LP_ERR_INPUT, l->doc.tpl->name,
        lp_fill_file_line(l->doc.env->fill, cmark_node_get_start_line(parent)),
        cmark_node_get_start_column(parent),
        "lists and quotes are nested more than %u deep here (the "
        "limit): flatten them, or raise the limit with --max-depth",
        lim->max_depth);
  if (width < l->style.size * 2)
    width = l->style.size * 2; /* deep nesting */
  bool first = true;
  for (cmark_node *node = cmark_node_first_child(parent); node;
       node = cmark_node_next(node), first = false) {
    const char *m = first ? marker : NULL;
    bool ok = true;
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_HEADING:
      ok = layout_heading(l, node, left, width);
      break;
    case CMARK_NODE_PARAGRAPH: {
      pstyle st = lp_lay_body_style(l, left, width, depth);
      if (tight && !first) st.before = 0;
      if (tight && first && m)
        st.before = l->style.size * 0.2;
      st.marker = m;
      para p = {0};
      lp_lay_collect_inlines(l, node, &p, false, false, 0, l->style.size);
      /* A tight list item's text is its LBody's own (no P: fewer
       * elements, 14.8.4.3.3 allows either). */
      const lp_tags_elem *cur = lp_tags_get(lp_lay_tags(l), l->letter.tag);
      bool own = tight && cur && !strcmp(cur->role, "LBody");
      uint32_t saved = own ? l->letter.tag : lp_lay_open(l, "P");
      /* {.right} or {.center} at the end sets the paragraph that way;
       * {lang=en} gives its element a /Lang. */
      align_t attr;
      ok = take_attrs(l, &p, l->letter.tag, cmark_node_get_start_line(node),
                      &attr);
      /* A Japanese 結語 alone (敬具, 草々, 以上 …) goes to the line end
       * without being asked, as Japanese letters set it. */
      if (attr == ALIGN_JUSTIFY &&
          lp_locales_closing_right(l->style.lang, (const char *)p.text.data,
                                   p.text.len))
        attr = ALIGN_RIGHT;
      if (attr != ALIGN_JUSTIFY) {
        st.align = attr;
        st.first_indent = 0;
      }
      /* Salutations and blocks of short lines set with hard breaks
       * (addresses, reference lines, choices) stay flush left, as does a
       * Japanese 頭語 (拝啓); a closing written 此致\ 敬礼 keeps the
       * indent of its first line; a line break inside a data value is not
       * the template's choice. */
      const char *txt = (const char *)p.text.data;
      if (is_salutation(&p) ||
          lp_locales_opening_word(l->style.lang, txt, p.text.len) ||
          (p.typed_break && !lp_locales_closing_pair(txt, p.text.len)))
        st.first_indent = 0;
      ok = ok && lp_lay_paragraph(l, &p, st, cmark_node_get_start_line(node));
      lp_lay_close(l, saved);
      lp_lay_para_free(&p);
      break;
    }
    case CMARK_NODE_LIST:
      ok = layout_list(l, node, left, width, depth);
      break;
    case CMARK_NODE_BLOCK_QUOTE:
      ok = layout_quote(l, node, left, width, depth);
      break;
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_HTML_BLOCK:
      ok = layout_code(l, node, left, width);
      break;
    case CMARK_NODE_THEMATIC_BREAK:
      ok = layout_thematic_break(l, left, width);
      break;
    case CMARK_NODE_FOOTNOTE_DEFINITION:
      break; /* set where it is referenced (lay_notes.c) */
    default:
      if (!strcmp(cmark_node_get_type_string(node), "table")) {
        ok = lp_lay_table(l, node, left, width);
        break;
      }
      /* Other extension blocks: their children as paragraphs. */
      ok = lp_lay_blocks(l, node, left, width, depth + 1, true, m);
    }
    /* The notes the block referenced follow it (reading order). */
    if (!ok || !lp_lay_notes_make(l)) return false;
  }
  return true;
}

/* ---- Footnotes ----------------------------------------------------------- */

/* Lays out an address printed as a note: one paragraph, flush left. */
static bool url_note(L *l, const lnote *n, double left, double width,
                     const char *marker) {
  pstyle st = lp_lay_body_style(l, left, width, 1);
  st.align = ALIGN_LEFT;
  st.before = 0;
  st.marker = marker;
  para p = {0};
  lp_lay_para_text(&p, n->url, strlen(n->url),
                   l->style.chains[LP_STYLE_REGULAR], l->style.size, 0);
  lp_blank_names_add_literal(&p.names, 0, p.text.len);
  uint32_t saved = lp_lay_open(l, "P");
  bool ok = lp_lay_para(l, &p, &st, n->line);
  lp_lay_close(l, saved);
  lp_lay_para_free(&p);
  return ok;
}

/* Lays out note n under a Note element (its number the Lbl, hanging left
 * of its text), in the note size across the text column, and moves its
 * line boxes to the letter's note boxes. */
static bool make_note(L *l, lnote *n) {
  lay_style keep = l->style;
  l->style.size *= NOTE_SCALE;
  l->style.para_space = NOTE_SPACE_EM;
  l->style.first_indent_em = 0;
  double indent = NOTE_INDENT_EM * l->style.size;
  double left = keep.margin[3] + indent,
         width = keep.page_w - keep.margin[1] - keep.margin[3] - indent;
  size_t first = l->letter.nboxes, quotes = l->letter.nquotes;
  uint32_t saved = lp_lay_open(l, "Note"), saved_marker = l->letter.marker_tag;
  n->tag = l->letter.tag;
  l->letter.marker_tag = lp_tags_open(lp_lay_tags(l), n->tag, "Lbl");
  char marker[16];
  snprintf(marker, sizeof marker, "%u", n->number);
  l->letter.in_note++;
  bool ok = n->def ? lp_lay_blocks(l, n->def, left, width, 1, true, marker)
                   : url_note(l, n, left, width, marker);
  l->letter.in_note--;
  l->letter.marker_tag = saved_marker;
  lp_lay_close(l, saved);
  l->style = keep;
  size_t count = l->letter.nboxes - first;
  LP_GROW(l->letter.fboxes, l->letter.fboxes_cap, l->letter.nfboxes + count);
  n->b0 = l->letter.nfboxes;
  for (size_t k = 0; k < count; k++) {
    lbox b = l->letter.boxes[first + k];
    b.before = k ? b.before : NOTE_SPACE_EM * keep.size;
    b.keep_with_next = false;
    b.outline = -1;
    l->letter.fboxes[l->letter.nfboxes++] = b;
  }
  n->b1 = l->letter.nfboxes;
  l->letter.nboxes = first;
  /* A quote in a note gets no rule: its boxes left the letter's. */
  l->letter.nquotes = quotes;
  return ok;
}

bool lp_lay_notes_make(L *l) {
  if (l->letter.in_note) return true;
  for (size_t k = 0; k < l->letter.nnotes; k++) {
    lnote *n = &l->letter.notes[k];
    if (n->laid) continue;
    n->laid = true;
    /* A reference whose line is not known (a table row moved it): the
     * block's last line. */
    if (n->owner >= l->letter.nboxes)
      n->owner = l->letter.nboxes ? l->letter.nboxes - 1 : 0;
    if (!make_note(l, n)) return false;
  }
  return true;
}
