/* layout.c - paragraphs to lines, lines to pages. */
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "locales.h"
#include "lines.h"
#include "shape.h"
#include "template.h"
#include "util.h"

/* All lengths are PDF points (1/72 in).  Proportions of the font size: */
#define DEFAULT_MARGIN_MM 25.0
#define MM (72.0 / 25.4)
#define DEFAULT_SIZE 11.0
#define DEFAULT_LEADING_CJK 1.75 /* clreq 3.1.5: line gap of 50-100% */
#define DEFAULT_LEADING_LATIN 1.4
#define PARA_SPACE_EM 0.5     /* between paragraphs (paragraph-spacing) */
#define MIN_COLUMN_EM 8          /* nested blocks keep at least this */
#define FLOW_SLACK 0.5           /* pt a forced row part leaves free */
#define DEFAULT_KEEP_LINES 2  /* orphans and widows */
#define IMAGE_DPI 150.0       /* an image's pixels, when it fits */
#define IMAGE_MAX_H_FRAC 0.6  /* an image's height, at most, of the text */
#define CELL_IMAGE_MIN_EM 3.0 /* an image's narrowest in a table column */
#define LETTERHEAD_MAX_H (35 * MM)
#define SEAL_MAX (42 * MM)    /* a company seal is 40-42 mm across */
#define SEAL_RISE_EM 0.3      /* the seal's centre above the baseline */
#define CELL_PAD_EM 0.4       /* a table cell's padding */
#define LETTERHEAD_SPACE_EM 1.0 /* below the letterhead */
#define LIST_KEEP_LINES 2     /* a list item's first lines stay together */
#define LIST_INDENT_EM 2.0    /* hanging indent of list items (list-indent) */
#define MARKER_GAP_EM 0.5     /* between a list marker and the text */
#define QUOTE_INDENT_EM 2.0   /* indent of block quotes (quote-indent) */
#define QUOTE_RULE_WIDTH 1.0  /* the rule left of a block quote */
#define QUOTE_RULE_GRAY 0.6
#define FOOTER_SCALE 0.8      /* footer and header size, of the body size */
#define FOOTER_MIN_SIZE 7.0
#define META_GRAY 0.3         /* footer and header colour */
#define EMBOX_TOP 0.88        /* ideographic em box top, in em */
#define RULE_WIDTH 0.5
#define BLANK_DROP_EM 0.14    /* underline of a blank, below the baseline */
#define STRIKE_RISE_EM 0.3
#define SPLIT_ROOM_EM 3.0     /* a line shorter by this tries a hyphen */
#define MAX_STRETCH_EM 0.6    /* widest extra per gap before a split */
#define MAX_HYPHEN_RUN 2      /* consecutive lines ending with a hyphen */
#define MIN_PIECE_LETTERS 2   /* of a word, before a line-end hyphen */
#define TEXT_ABOVE_EM 0.95    /* a text field's top, above the baseline */
#define TEXT_BELOW_EM 0.2
#define SIG_ABOVE_EM 2.8      /* room for a hand signature above the line */
#define SIG_BELOW_EM 0.3      /* and below it */
#define SIG_MIN_WIDTH_EM 14.0 /* a signature field's width, at least */
#define MAX_WARNINGS 20       /* passed on per document; the rest dropped */

/* One heading level's look: size (em of body), space before and after (em
 * of body), alignment.  These are the defaults; heading-sizes and
 * heading-spacing change levels 1 to 3 (see L.heading). */
typedef enum { ALIGN_JUSTIFY, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } align_t;
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

/* A glyph flag of the line breaker's own (beside shape.h's LP_SG_*): a
 * hyphen added at the end of a line that splits a word. */
#define SG_HYPHEN (1u << 15)

/* A glyph placed in a line box: x absolute, dy relative to the baseline. */
typedef struct pglyph {
  lp_face *face;
  double size, x, dy, advance, gray;
  uint32_t gid;
  uint32_t toff, tlen; /* text in the layout's text store; tlen 0 = none */
} pglyph;

/* An image placed in a line box: x absolute, dy of its bottom relative to
 * the baseline. */
typedef struct pimage {
  lp_dimage_data *data; /* borrowed from the layout's images */
  double x, dy, w, h;
  bool over_text;
} pimage;

typedef struct prule {
  double x1, dy1, x2, dy2, width;
} prule;

/* A line box, the unit of pagination. */
typedef struct lbox {
  double before;  /* space above, dropped at the top of a page */
  double height;  /* line advance */
  double baseline; /* from the box top */
  bool keep_with_next;
  uint32_t header_back;  /* a table row: how many boxes back its header row
                            is (repeated atop a new page); 0 = none */
  double row_left, row_right; /* a strip of a split table row: the row's
                                 edges (else both 0) */
  bool page_break;    /* pagination: a new page starts with this box */
  uint32_t line, nlines; /* line index in its paragraph, and line count */
  uint8_t orphans;       /* lines of its paragraph kept at a page bottom */
  uint32_t para;         /* paragraph number in the letter */
  unsigned kind;         /* BOX_* of its paragraph */
  size_t g0, g1, r0, r1; /* ranges in the layout's glyph and rule arrays */
  size_t f0, f1;         /* range in the layout's field array */
  size_t i0, i1;         /* range in the layout's image array */
  int outline;    /* index into the letter titles, or -1 */
} lbox;

/* What a paragraph is, for the keep rules of the signature block. */
enum {
  BOX_SIGNATURE = 1, /* has a signature field */
  BOX_DATE = 2,      /* a date line (日期：, Date:, 日付：) */
  BOX_LABEL = 4      /* a one-line label such as 承诺单位（盖章）：… */
};

/* A block quote: its boxes [b0, b1) of the letter get a rule at x, drawn
 * beside them on every page they reach.  While the quote is being laid out
 * it is open (b1 not yet known). */
typedef struct qspan {
  size_t b0, b1;
  double x;
  bool open;
} qspan;

typedef struct letter {
  char *title;
  size_t first_page, npages;
  bool has_heading; /* its title comes from a level-1 heading */
} letter;

typedef struct L {
  const lp_layout_env *env;
  const lp_template *tpl;
  lp_display *out;
  lp_error *err;
  const char *lang;
  bool cjk;
  double page_w, page_h, margin[4];
  double size, leading, first_indent_em;
  /* The style table: the look of the letter, from the defaults above and
   * the front matter (setup), read by every block layout. */
  double para_space;      /* em between paragraphs */
  struct {
    double scale;         /* size, in body sizes */
    double before, after; /* space around it, pt */
    align_t align;
  } heading[7];
  double list_indent;     /* hanging indent of list items, pt */
  double quote_indent;    /* indent of block quotes, pt */
  lp_chain *chains[LP_STYLE_COUNT];  /* body text */
  lp_chain *hchains[LP_STYLE_COUNT]; /* headings (heading-font) */
  lp_chain **cur;    /* the chains collect_inlines uses */
  int orphans, widows; /* minimum lines at a page bottom / top */
  bool hyphenate;    /* front matter `hyphenate` (default true) */
  bool bracket_trim; /* opening brackets lose their blank at a line start */
  bool word_spaces;  /* lines stretch at word spaces only (Korean) */
  uint32_t npara;    /* paragraphs so far in the letter */
  /* per letter */
  lbox *boxes;
  size_t nboxes, boxes_cap;
  pglyph *glyphs;
  size_t nglyphs, glyphs_cap;
  prule *rules;
  size_t nrules, rules_cap;
  pimage *pimages;
  size_t npimages, pimages_cap;
  lp_dimage_data **images; /* loaded image files, one reference each */
  size_t nimages, images_cap;
  lp_dimage_data *letterhead, *seal; /* from the front matter, or NULL */
  bool seal_placed; /* in the current letter */
  qspan *quotes; /* block quotes of the letter, in order of opening */
  size_t nquotes, quotes_cap;
  lp_dfield *fields; /* rectangles relative to the box baseline */
  size_t nfields, fields_cap;
  lp_buf text; /* texts of all paragraphs of the letter */
  letter *letters;
  size_t nletters, letters_cap;
  size_t *page_letter; /* letter index of each display page */
  size_t page_letter_cap;
  int warnings;
  cmark_node **placed; /* image nodes drawn, or warned about, so far */
  size_t nplaced, placed_cap;
} L;

/* ---- Paragraph collection ---------------------------------------------- */

typedef struct para {
  lp_buf text;
  lp_span *spans;
  size_t nspans, cap;
  bool pending_soft; /* a soft break waits for the next text */
  bool typed_break;  /* the template has a hard line break here (a '\n'
                        from a data value is not one) */
  lp_blank_names names; /* blanks named after placeholders, and literal
                           text (values, code), by offset here (fill.h) */
  struct srcpos {
    size_t offset; /* in text */
    int line, column; /* of the body (cmark's), column in bytes */
  } *pos; /* where each text node's text came from, by offset */
  size_t npos, pos_cap;
  struct pcut {
    size_t offset;     /* in text */
    cmark_node *image; /* the image written there */
  } *cuts; /* images inside the paragraph, in text order */
  size_t ncuts, cuts_cap;
} para;

static void para_free(para *p) {
  lp_buf_free(&p->text);
  free(p->spans);
  lp_blank_names_clear(&p->names);
  free(p->pos);
  free(p->cuts);
  memset(p, 0, sizeof *p);
}

/* Appends text in a style, extending the last span when the style is the
 * same. */
static void para_add(para *p, const char *s, size_t n, lp_chain *chain,
                     double size, unsigned flags) {
  if (n == 0) return;
  size_t start = p->text.len;
  lp_buf_append(&p->text, s, n);
  lp_span *last = p->nspans ? &p->spans[p->nspans - 1] : NULL;
  if (last && last->chain == chain && last->size == size &&
      last->flags == flags && last->end == start) {
    last->end = p->text.len;
    return;
  }
  LP_GROW(p->spans, p->cap, p->nspans + 1);
  p->spans[p->nspans++] = (lp_span){start, p->text.len, chain, size, flags};
}

/* The last code point of the paragraph text so far (0 if none). */
static uint32_t last_cp(const lp_buf *b) {
  if (!b->len) return 0;
  size_t i = b->len - 1;
  while (i > 0 && (b->data[i] & 0xC0) == 0x80) i--;
  size_t k = i;
  int32_t cp = lp_utf8_next((const char *)b->data, b->len, &k);
  return cp < 0 ? 0 : (uint32_t)cp;
}

/* A soft line break is a space between words, but nothing between two CJK
 * characters (clreq 3.1: Chinese has no interword space; a source line
 * break inside a sentence must not open a gap). */
static void para_text(para *p, const char *s, size_t n, lp_chain *chain,
                      double size, unsigned flags) {
  if (p->pending_soft && n) {
    size_t k = 0;
    int32_t next = lp_utf8_next(s, n, &k);
    uint32_t prev = last_cp(&p->text);
    if (!(prev && lp_is_cjk(prev) && next > 0 && lp_is_cjk((uint32_t)next)) &&
        prev && prev != '\n')
      para_add(p, " ", 1, chain, size, flags);
  }
  p->pending_soft = false;
  para_add(p, s, n, chain, size, flags);
}

static lp_style style_of(bool bold, bool italic) {
  return (lp_style)((bold ? LP_STYLE_BOLD : 0) | (italic ? LP_STYLE_ITALIC : 0));
}

/* Collects the inline children of node into p. */
static void collect_inlines(L *l, cmark_node *node, para *p, bool bold,
                            bool italic, unsigned flags, double size) {
  for (cmark_node *c = cmark_node_first_child(node); c;
       c = cmark_node_next(c)) {
    cmark_node_type t = cmark_node_get_type(c);
    const char *lit = cmark_node_get_literal(c);
    if (t == CMARK_NODE_TEXT || t == CMARK_NODE_HTML_INLINE) {
      para_text(p, lit, strlen(lit), l->cur[style_of(bold, italic)], size,
                flags);
      if (cmark_node_get_start_line(c) > 0) {
        LP_GROW(p->pos, p->pos_cap, p->npos + 1);
        p->pos[p->npos++] = (struct srcpos){p->text.len - strlen(lit),
                                            cmark_node_get_start_line(c),
                                            cmark_node_get_start_column(c)};
      }
      lp_blank_names_append(&p->names, cmark_node_get_user_data(c), 0,
                            SIZE_MAX, p->text.len - strlen(lit));
    } else if (t == CMARK_NODE_CODE) {
      para_text(p, lit, strlen(lit), l->chains[LP_STYLE_MONO], size * 0.95,
                flags);
      /* Code shows what was typed: its boxes make no fields. */
      lp_blank_names_add_literal(&p->names, p->text.len - strlen(lit),
                                 p->text.len);
    } else if (t == CMARK_NODE_SOFTBREAK) {
      p->pending_soft = true;
    } else if (t == CMARK_NODE_LINEBREAK) {
      p->pending_soft = false;
      p->typed_break = true;
      para_add(p, "\n", 1, l->cur[style_of(bold, italic)], size, flags);
    } else if (t == CMARK_NODE_EMPH) {
      collect_inlines(l, c, p, bold, true, flags, size);
    } else if (t == CMARK_NODE_STRONG) {
      collect_inlines(l, c, p, true, italic, flags, size);
    } else if (!strcmp(cmark_node_get_type_string(c), "strikethrough")) {
      collect_inlines(l, c, p, bold, italic, flags | LP_SPAN_STRIKE, size);
    } else if (t == CMARK_NODE_IMAGE) {
      /* The paragraph is split here (layout_paragraph); the image's alt
       * text is not drawn.  A soft break before it separates nothing. */
      LP_GROW(p->cuts, p->cuts_cap, p->ncuts + 1);
      p->cuts[p->ncuts++] = (struct pcut){p->text.len, c};
      p->pending_soft = false;
    } else {
      collect_inlines(l, c, p, bold, italic, flags, size); /* links etc. */
    }
  }
}

/* ---- Line breaking and justification ----------------------------------- */

typedef struct pstyle {
  double left, width;   /* text column */
  double first_indent;  /* extra indent of the first line */
  double size, leading; /* line advance = size * leading */
  align_t align;
  double before, after; /* space around the paragraph */
  bool keep_with_next;  /* headings */
  int outline;
  const char *marker;   /* list marker drawn left of the first line */
  bool hyphenate;       /* Latin words may break at hyphenation points */
  bool split_mark;      /* a Latin word cut because it is longer than the
                           line gets a hyphen (not in code) */
} pstyle;

static lbox *new_box(L *l) {
  LP_GROW(l->boxes, l->boxes_cap, l->nboxes + 1);
  lbox *b = &l->boxes[l->nboxes++];
  memset(b, 0, sizeof *b);
  b->g0 = b->g1 = l->nglyphs;
  b->r0 = b->r1 = l->nrules;
  b->f0 = b->f1 = l->nfields;
  b->i0 = b->i1 = l->npimages;
  b->outline = -1;
  b->nlines = 1;
  return b;
}

static void add_pglyph(L *l, lp_face *face, double size, uint32_t gid,
                       double x, double dy, double advance, uint32_t toff,
                       uint32_t tlen) {
  LP_GROW(l->glyphs, l->glyphs_cap, l->nglyphs + 1);
  l->glyphs[l->nglyphs++] =
      (pglyph){face, size, x, dy, advance, 0, gid, toff, tlen};
}

static void add_prule(L *l, double x1, double dy1, double x2, double dy2,
                      double width) {
  LP_GROW(l->rules, l->rules_cap, l->nrules + 1);
  l->rules[l->nrules++] = (prule){x1, dy1, x2, dy2, width};
}

/* ---- Form fields -------------------------------------------------------- */

#define FIELD_NAME_MAX 48 /* bytes of label kept in a field name */

/* Whether the code point at text[at] is a checkbox character: □ ☐ (off) or
 * ☑ ☒ (on); sets *checked. */
static bool is_box(const char *text, size_t len, size_t at, bool *checked) {
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
         is_box(text, len, at, &on);
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
static void label_after(const para *p, size_t at, char *out, size_t cap) {
  const char *t = (const char *)p->text.data;
  while (at < p->text.len && (t[at] == ' ' || !strncmp(t + at, "\xE3\x80\x80", 3)))
    at += t[at] == ' ' ? 1 : 3;
  size_t to = at;
  while (to < p->text.len && !segment_edge(t, p->text.len, to) &&
         t[to] != ' ' && strncmp(t + to, "\xE3\x80\x80", 3))
    to++;
  clean_label(t, at, to, false, out, cap);
}

/* Adds a field in box coordinates (relative to the baseline). */
static void add_pfield(L *l, lp_field_kind kind, const char *name, double x1,
                       double dy1, double x2, double dy2, double size,
                       bool checked) {
  LP_GROW(l->fields, l->fields_cap, l->nfields + 1);
  l->fields[l->nfields++] = (lp_dfield){kind, lp_xstrdup(name), x1, dy1,
                                        x2, dy2, size, checked};
}

/* The field on a blank glyph at x: a signature field when the blank is
 * [[signature]] or its label ends in a colon and names a signature, else a
 * text field; named after its placeholder or its label. */
static void blank_field(L *l, const para *p, const lp_sglyph *g, double x,
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
  if (sig_right < x + SIG_MIN_WIDTH_EM * size) sig_right = x + SIG_MIN_WIDTH_EM * size;
  if (sig_right > right) sig_right = right > x + g->advance ? right : x + g->advance;
  if (sig)
    add_pfield(l, LP_FIELD_SIGNATURE, label[0] ? name : "signature", x,
               -SIG_BELOW_EM * size, sig_right, SIG_ABOVE_EM * size, size,
               false);
  else
    add_pfield(l, LP_FIELD_TEXT, name, x, -TEXT_BELOW_EM * size,
               x + g->advance, TEXT_ABOVE_EM * size, size, false);
}

/* The checkbox field over a box glyph at x. */
static void box_field(L *l, const para *p, const lp_sglyph *g, double x,
                      double size, bool checked) {
  char label[FIELD_NAME_MAX + 8];
  label_after(p, g->cluster_end, label, sizeof label);
  if (!label[0]) {
    bool colon;
    label_before(p, g->cluster, 0, label, sizeof label, &colon);
  }
  add_pfield(l, LP_FIELD_CHECKBOX, label[0] ? label : "checkbox", x,
             (EMBOX_TOP - 1) * size, x + g->advance, EMBOX_TOP * size, size,
             checked);
}

/* Replaces the face, glyph and advance by the empty box □ of the chain, when a
 * font of the chain has it. */
static void empty_box(lp_chain *chain, double size, lp_face **face,
                      uint32_t *gid, double *advance) {
  lp_face *f = lp_chain_face_for(chain, 0x25A1);
  hb_codepoint_t g;
  if (!f || !hb_font_get_nominal_glyph(f->hb_font, 0x25A1, &g)) return;
  *face = f;
  *gid = g;
  *advance = hb_font_get_glyph_h_advance(f->hb_font, g) * size / f->upem;
}

/* How a line is justified: extra space at each stretchable gap (with
 * words, at word spaces only), none before glyph fixed (a typed indent
 * keeps its width). */
typedef struct spread {
  double extra;
  bool words;
  size_t fixed;
} spread;

/* Emits glyphs [i, end) of sh as one line box, justified by js. */
static void emit_line(L *l, const para *p, const lp_shaped *sh, size_t i,
                      size_t end, double x, const spread *js,
                      const pstyle *st, bool first) {
  lbox *b = new_box(l);
  b->height = st->size * st->leading;
  b->baseline = (b->height - st->size) / 2 + EMBOX_TOP * st->size;
  b->before = first ? st->before : 0;
  b->keep_with_next = st->keep_with_next;
  b->outline = first ? st->outline : -1;
  uint32_t base = (uint32_t)l->text.len;
  /* The text of the glyphs goes to the letter's text store once per line. */
  uint32_t tmin = end > i ? sh->glyphs[i].cluster : 0, tmax = tmin;
  for (size_t k = i; k < end; k++)
    if (sh->glyphs[k].cluster_end > tmax) tmax = sh->glyphs[k].cluster_end;
  lp_buf_append(&l->text, p->text.data + tmin, tmax - tmin);
  for (size_t k = i; k < end; k++) {
    const lp_sglyph *g = &sh->glyphs[k];
    const lp_span *sp = &p->spans[g->span];
    bool checked;
    if (g->flags & LP_SG_BLANK) {
      add_prule(l, x, -BLANK_DROP_EM * sp->size, x + g->advance,
                -BLANK_DROP_EM * sp->size, RULE_WIDTH);
      blank_field(l, p, g, x, sp->size, st->left + st->width);
    } else {
      lp_face *face = g->face;
      uint32_t gid = g->gid;
      double advance = g->advance;
      if ((g->flags & LP_SG_CLUSTER_START) && !(g->flags & SG_HYPHEN) &&
          is_box((const char *)p->text.data, p->text.len, g->cluster,
                 &checked) &&
          !lp_blank_names_literal_at(&p->names, g->cluster)) {
        box_field(l, p, g, x, sp->size, checked);
        /* The field's appearance draws the check mark, so that clearing
         * it in a viewer clears it on paper: the page shows an empty box. */
        if (checked) empty_box(sp->chain, sp->size, &face, &gid, &advance);
      }
      bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
      uint32_t toff = start ? base + g->cluster - tmin : 0;
      uint32_t tlen = start ? g->cluster_end - g->cluster : 0;
      if (g->flags & SG_HYPHEN) { /* extracts as a hyphen-minus */
        toff = (uint32_t)l->text.len;
        tlen = 1;
        lp_buf_append(&l->text, "-", 1);
      }
      if (!lp_lines_invisible((const char *)p->text.data, p->text.len, g))
        add_pglyph(l, face, sp->size, gid, x + g->x_offset, g->y_offset,
                   advance, toff, tlen);
      if (sp->flags & LP_SPAN_STRIKE)
        add_prule(l, x, STRIKE_RISE_EM * sp->size, x + g->advance,
                  STRIKE_RISE_EM * sp->size, RULE_WIDTH);
    }
    x += g->advance;
    if (k + 1 < end) x += g->gap;
    if (k + 1 < end && k >= js->fixed &&
        lp_lines_stretchable(g, &sh->glyphs[k + 1], js->words))
      x += js->extra;
  }
  b->g1 = l->nglyphs;
  b->r1 = l->nrules;
  b->f1 = l->nfields;
  /* A signature field needs its room above the line free of text. */
  for (size_t k = b->f0; k < b->f1; k++)
    if (l->fields[k].kind == LP_FIELD_SIGNATURE &&
        l->fields[k].y2 > b->baseline + b->before)
      b->before = l->fields[k].y2 - b->baseline;
}

/* Draws a list marker left of the first line box of the paragraph; a task
 * list marker (☐ ☑) is a checkbox field named after the item's text. */
static void emit_marker(L *l, lbox *b, const pstyle *st, const para *item) {
  para mp = {0};
  para_add(&mp, st->marker, strlen(st->marker), l->chains[LP_STYLE_REGULAR],
           st->size, 0);
  lp_shaped sh = {0};
  lp_shape_cached(l->env->shapes, (char *)mp.text.data, mp.text.len,
                  mp.spans, mp.nspans, l->lang, &sh);
  double w = 0;
  for (size_t k = 0; k < sh.count; k++) w += sh.glyphs[k].advance;
  double x = st->left - MARKER_GAP_EM * st->size - w;
  uint32_t base = (uint32_t)l->text.len;
  lp_buf_append(&l->text, mp.text.data, mp.text.len);
  /* Insert the marker's glyphs into the box (boxes are built in order, so
   * the box is the last one or its glyph range can be extended only if it
   * is the last). */
  size_t at = b->g0;
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
    LP_GROW(l->glyphs, l->glyphs_cap, l->nglyphs + 1);
    memmove(&l->glyphs[at + k + 1], &l->glyphs[at + k],
            (l->nglyphs - at - k) * sizeof *l->glyphs);
    l->nglyphs++;
    l->glyphs[at + k] =
        (pglyph){g->face, st->size, x + g->x_offset, g->y_offset, g->advance,
                 0, g->gid, start ? base + g->cluster : 0,
                 start ? g->cluster_end - g->cluster : 0};
    x += g->advance;
  }
  /* Shift the ranges of the boxes after b (none when b is the last). */
  for (lbox *o = b; o < l->boxes + l->nboxes; o++) {
    if (o != b) o->g0 += sh.count;
    o->g1 += sh.count;
  }
  bool checked;
  if (is_box(st->marker, strlen(st->marker), 0, &checked)) {
    char label[FIELD_NAME_MAX + 8];
    label_after(item, 0, label, sizeof label);
    x = st->left - MARKER_GAP_EM * st->size - w;
    add_pfield(l, LP_FIELD_CHECKBOX, label[0] ? label : "task", x,
               (EMBOX_TOP - 1) * st->size, x + w, EMBOX_TOP * st->size,
               st->size, checked);
    /* Move the new field to the end of b's range. */
    lp_dfield f = l->fields[l->nfields - 1];
    memmove(&l->fields[b->f1 + 1], &l->fields[b->f1],
            (l->nfields - 1 - b->f1) * sizeof f);
    l->fields[b->f1] = f;
    for (lbox *o = b; o < l->boxes + l->nboxes; o++) {
      if (o != b) o->f0++;
      o->f1++;
    }
  }
  lp_shaped_free(&sh);
  para_free(&mp);
}

/* The column, in characters from 1, of byte column byte_col (from 1) of
 * line body_line of the template's body. */
static int body_column(const L *l, int body_line, int byte_col) {
  const char *b = l->tpl->body, *end = b + l->tpl->body_len;
  for (int k = 1; k < body_line && b < end; k++) {
    const char *nl = memchr(b, '\n', (size_t)(end - b));
    b = nl ? nl + 1 : end;
  }
  int col = 1;
  for (size_t i = 0; i + 1 < (size_t)byte_col && b + i < end;) {
    lp_utf8_next(b, (size_t)(end - b), &i);
    col++;
  }
  return col;
}

/* The file line and column (in characters) of byte offset at of the
 * paragraph text, from the source positions of its text nodes; line falls
 * back to the paragraph's body line. */
static void source_position(const L *l, const para *p, size_t at, int line,
                            int *file_line, int *column) {
  const struct srcpos *sp = NULL;
  for (size_t k = 0; k < p->npos && p->pos[k].offset <= at; k++)
    sp = &p->pos[k];
  *column = 0;
  if (sp) line = sp->line;
  line = lp_fill_body_line(l->env->fill, line);
  *file_line = line + l->tpl->body_line - 1;
  if (!sp) return;
  /* The body line's characters before the node, then the node's own. */
  int col = body_column(l, line, sp->column);
  const char *t = (const char *)p->text.data;
  for (size_t i = sp->offset; i < at;) {
    lp_utf8_next(t, at, &i);
    col++;
  }
  *column = col;
}

/* Reports characters that no installed font has, with their position. */
static void warn_missing(L *l, const para *p, const lp_shaped *sh, int line) {
  for (size_t k = 0; k < sh->nmissing && l->warnings < MAX_WARNINGS; k++) {
    size_t at = sh->missing[k];
    int fl, col;
    source_position(l, p, at, line, &fl, &col);
    int32_t cp = lp_utf8_next((const char *)p->text.data, p->text.len, &at);
    if (l->env->warn) {
      lp_error w = {0};
      const char *pkg = lp_fonts_package_for(l->env->fonts, (uint32_t)cp);
      lp_fail(&w, LP_OK, l->tpl->name, fl, col,
              "no font of the font set has U+%04X; it is drawn as the font's "
              ".notdef box: %s%s%s",
              (unsigned)cp, pkg ? "install " : "",
              pkg ? pkg : "put a font that has it in a directory and name "
                          "it with --font-path DIR or 'font-path'",
              pkg ? " (apt-get install)" : "");
      w.code = LP_OK;
      l->env->warn(l->env->warn_ctx, &w);
    }
    l->warnings++;
  }
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
static unsigned paragraph_kind(const L *l, const para *p, size_t first_box) {
  static const char *const dates[] = {"日期", "日付", "날짜", "Date",
                                      "Dated", "年月日"};
  unsigned kind = 0;
  for (size_t k = l->boxes[first_box < l->nboxes ? first_box : 0].f0;
       first_box < l->nboxes && k < l->nfields; k++)
    if (l->fields[k].kind == LP_FIELD_SIGNATURE) kind |= BOX_SIGNATURE;
  if (starts_with_any(p, dates, sizeof dates / sizeof dates[0]))
    kind |= BOX_DATE;
  const char *t = (const char *)p->text.data;
  if (l->nboxes == first_box + 1 && p->text.len && p->text.len < 120 &&
      (memchr(t, ':', p->text.len) ||
       memmem(t, p->text.len, "\xEF\xBC\x9A", 3)))
    kind |= BOX_LABEL;
  return kind;
}

/* Whether the line [i, end) would be loose: its word spaces (or CJK
 * gaps) opened wider than MAX_STRETCH_EM by justification (*stretched),
 * or, unjustified or without gaps, SPLIT_ROOM_EM short of avail. */
static bool loose_line(const lp_shaped *sh, size_t i, size_t end,
                       double avail, const pstyle *st, bool words,
                       bool *stretched) {
  int gaps;
  double shrink;
  size_t v = lp_lines_visible_end(sh, i, end);
  double slack = avail - lp_lines_width(sh, i, v, words, &gaps, &shrink);
  *stretched = st->align == ALIGN_JUSTIFY && gaps > 0
                   ? slack / gaps > MAX_STRETCH_EM * st->size
                   : slack > SPLIT_ROOM_EM * st->size;
  return *stretched || slack > SPLIT_ROOM_EM * st->size;
}

/* ---- Hyphenation --------------------------------------------------------- */

/* The code point at text[at] (0 if none). */
static uint32_t cp_at(const char *text, size_t len, size_t at) {
  if (at >= len) return 0;
  int32_t c = lp_utf8_next(text, len, &at);
  return c < 0 ? 0 : (uint32_t)c;
}

static bool is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019; }

/* Punctuation a word may carry before it (opening quotes and brackets) and
 * after it (closing ones, stops, a hard hyphen), and still be a word. */
static bool word_lead(uint32_t c) {
  return c == '(' || c == '[' || c == '"' || c == '\'' || c == 0x2018 ||
         c == 0x201C;
}

static bool word_trail(uint32_t c) {
  return (c < 0x80 && c && strchr(".,;:!?)]\"'-", (int)c)) || c == 0x2019 ||
         c == 0x201D || c == 0x2026 || c == 0x2013 || c == 0x2014;
}

/* Whether every code point of glyph g's cluster passes test. */
static bool cluster_all(const char *text, size_t len, const lp_sglyph *g,
                        bool (*test)(uint32_t)) {
  for (size_t k = g->cluster; k < g->cluster_end && k < len;) {
    int32_t c = lp_utf8_next(text, len, &k);
    if (c < 0 || !test((uint32_t)c)) return false;
  }
  return true;
}

static bool letter_or_apostrophe(uint32_t c) {
  return lp_breaks_is_latin_letter(c) || is_apostrophe(c);
}

/* Finds the Latin word in the unbreakable chunk [c0, c1) of sh: glyphs
 * [*w0, *w1), Latin letters (and apostrophes inside), with nothing around
 * them but opening punctuation before, and closing punctuation or spaces
 * after.  So URLs, e-mail addresses, words with digits and CJK text are
 * not words here. */
static bool find_word(const char *text, size_t len, const lp_shaped *sh,
                      size_t c0, size_t c1, size_t *w0, size_t *w1) {
  size_t k = c0;
  if (c1 - c0 > LP_LINES_MAX_WORD_BYTES) return false;
  for (size_t m = c0; m < c1; m++) {
    const lp_sglyph *g = &sh->glyphs[m];
    if (!g->face || (g->flags & (LP_SG_CJK | LP_SG_BLANK | LP_SG_NOTDEF)))
      return false;
  }
  while (k < c1 && !cluster_all(text, len, &sh->glyphs[k],
                                lp_breaks_is_latin_letter)) {
    if (!cluster_all(text, len, &sh->glyphs[k], word_lead)) return false;
    k++;
  }
  *w0 = k;
  while (k < c1 && cluster_all(text, len, &sh->glyphs[k], letter_or_apostrophe))
    k++;
  while (k > *w0 && is_apostrophe(cp_at(text, len, sh->glyphs[k - 1].cluster)))
    k--;
  *w1 = k;
  for (; k < c1; k++)
    if (!(sh->glyphs[k].flags & LP_SG_SPACE) &&
        !cluster_all(text, len, &sh->glyphs[k], word_trail))
      return false;
  return *w1 > *w0;
}

/* Whether c ends a token of text: a space, a line break, a CJK
 * character (or the text's end, 0). */
static bool token_edge(uint32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == 0xA0 ||
         lp_is_cjk(c) || c == (uint32_t)LP_BLANK_CHAR ||
         c == (uint32_t)LP_SIGNATURE_CHAR;
}

/* Whether the token (the text between spaces) around the word [a, b) is a
 * word too: letters, hyphens and apostrophes, opening punctuation before,
 * closing punctuation after.  A word inside a URL ("/organizations/"),
 * an e-mail address or a name with digits is not, though UAX #14 may
 * allow a break beside it. */
static bool in_plain_token(const char *text, size_t len, size_t a,
                           size_t b) {
  if (b - a > LP_LINES_MAX_WORD_BYTES) return false;
  bool lead = false; /* leftwards: only opening punctuation from here */
  for (size_t k = a; k > 0;) {
    if (a - k > LP_LINES_MAX_WORD_BYTES) return false;
    size_t c = k - 1;
    while (c > 0 && (text[c] & 0xC0) == 0x80) c--;
    uint32_t cp = cp_at(text, len, c);
    if (token_edge(cp)) break;
    if (!lead && (letter_or_apostrophe(cp) || cp == '-')) {
      k = c;
      continue;
    }
    if (!word_lead(cp)) return false;
    lead = true;
    k = c;
  }
  bool trail = false; /* rightwards: only closing punctuation from here */
  for (size_t k = b; k < len;) {
    if (k - b > LP_LINES_MAX_WORD_BYTES) return false;
    uint32_t cp = cp_at(text, len, k);
    if (token_edge(cp)) break;
    lp_utf8_next(text, len, &k);
    if (!trail && (letter_or_apostrophe(cp) || cp == '-')) continue;
    if (!word_trail(cp)) return false;
    trail = true;
  }
  return true;
}

/* Whether the word's text [a, b) is all capitals (an acronym or a name
 * set in capitals: never hyphenated). */
static bool all_caps(const char *text, size_t a, size_t b) {
  for (size_t k = a; k < b;) {
    int32_t c = lp_utf8_next(text, b, &k);
    if (c > 0 && lp_breaks_is_latin_letter((uint32_t)c) && !u_isupper(c))
      return false;
  }
  return true;
}

/* Shapes the paragraph text [from, to) followed by extra in the
 * paragraph's styles.  Clusters and span indexes of out refer to the
 * paragraph; the glyphs of extra are marked SG_HYPHEN, with the empty
 * cluster at `to`. */
static void shape_piece(const L *l, const para *p, size_t from, size_t to,
                        const char *extra, lp_shaped *out) {
  lp_buf t = {0};
  lp_buf_append(&t, p->text.data + from, to - from);
  lp_buf_puts(&t, extra);
  lp_span *spans = lp_xcalloc(p->nspans + 1, sizeof *spans);
  uint32_t *map = lp_xcalloc(p->nspans + 1, sizeof *map);
  size_t n = 0;
  for (size_t s = 0; s < p->nspans; s++) {
    const lp_span *sp = &p->spans[s];
    if (sp->end <= from || sp->start >= to) continue;
    spans[n] = *sp;
    spans[n].start = (sp->start > from ? sp->start : from) - from;
    spans[n].end = (sp->end < to ? sp->end : to) - from;
    map[n++] = (uint32_t)s;
  }
  if (n) spans[n - 1].end = t.len; /* extra takes the last style */
  memset(out, 0, sizeof *out);
  if (n) lp_shape((const char *)t.data, t.len, spans, n, l->lang, out);
  size_t piece = to - from;
  for (size_t k = 0; k < out->count; k++) {
    lp_sglyph *g = &out->glyphs[k];
    g->span = map[g->span];
    if (g->cluster >= piece) {
      g->cluster = g->cluster_end = (uint32_t)to;
      g->flags |= SG_HYPHEN;
    } else {
      g->cluster += (uint32_t)from;
      g->cluster_end = (uint32_t)((g->cluster_end < piece ? g->cluster_end
                                                          : piece) + from);
    }
  }
  free(spans);
  free(map);
  lp_buf_free(&t);
}

/* The advance of all glyphs of s. */
static double shaped_width(const lp_shaped *s) {
  double w = 0;
  for (size_t k = 0; k < s->count; k++) w += s->glyphs[k].advance;
  return w;
}

/* Replaces the word glyphs [w0, w1) of sh by head (the word's text up to
 * the break, and a hyphen, shaped by shape_piece) and the rest of the word
 * shaped anew, so that ligatures and kerning across the break come apart.
 * The glyphs before the line start *i are laid out already: to keep the
 * cost to the size of a line, the line's glyphs [*i, w0) move into that
 * room (and *i with them) rather than the rest of the paragraph moving.
 * Returns the index of the first glyph after the hyphen. */
static size_t splice_hyphen(const L *l, const para *p, lp_shaped *sh,
                            size_t *i, size_t w0, size_t w1, size_t q,
                            const lp_shaped *head) {
  lp_shaped tail;
  shape_piece(l, p, q, sh->glyphs[w1 - 1].cluster_end, "", &tail);
  if (tail.count) tail.glyphs[tail.count - 1].gap = sh->glyphs[w1 - 1].gap;
  size_t add = head->count + tail.count, removed = w1 - w0;
  if (add > removed && *i < add - removed) {
    /* No room before the line (its first line): the rest moves once. */
    size_t more = add - removed;
    LP_GROW(sh->glyphs, sh->cap, sh->count + more);
    memmove(sh->glyphs + w1 + more, sh->glyphs + w1,
            (sh->count - w1) * sizeof *sh->glyphs);
    sh->count += more;
    w1 += more;
    removed += more;
  }
  /* Now [*i, w1) becomes [*i + removed - add, w1): the line's glyphs
   * before the word, head, tail. */
  size_t start = *i + removed - add;
  memmove(sh->glyphs + start, sh->glyphs + *i, (w0 - *i) * sizeof *sh->glyphs);
  size_t at = start + (w0 - *i);
  memcpy(sh->glyphs + at, head->glyphs, head->count * sizeof *sh->glyphs);
  memcpy(sh->glyphs + at + head->count, tail.glyphs,
         tail.count * sizeof *sh->glyphs);
  *i = start;
  lp_shaped_free(&tail);
  return at + head->count;
}

/* The characters of text[a, b) (UTF-8). */
static size_t chars_between(const char *text, size_t a, size_t b) {
  size_t n = 0;
  for (size_t k = a; k < b; k++) n += (text[k] & 0xC0) != 0x80;
  return n;
}

/* Tries to end the line [i, ...) inside the Latin word of the chunk
 * [c0, c1) that overflows it: at the last hyphenation point whose part of
 * the word and a hyphen still fit avail (dictionary), or, when forced (the
 * word is longer than the line), at the last letter that fits.  On success
 * the word is split in sh (see splice_hyphen, which may move the line's
 * start *line) and the end of the line, after the hyphen, is returned;
 * else 0. */
static size_t hyphenate_word(L *l, const para *p, lp_shaped *sh,
                             size_t *line, size_t c0, size_t c1,
                             double avail, bool dictionary, bool forced) {
  size_t i = *line;
  const char *text = (const char *)p->text.data;
  size_t len = p->text.len, w0, w1;
  if (!find_word(text, len, sh, c0, c1, &w0, &w1) ||
      !in_plain_token(text, len, sh->glyphs[w0].cluster,
                      sh->glyphs[w1 - 1].cluster_end))
    return 0;
  /* The whole word: it may have started on the line before. */
  size_t ws = sh->glyphs[w0].cluster, we = sh->glyphs[w1 - 1].cluster_end;
  while (ws > 0 && we - ws <= LP_LINES_MAX_WORD_BYTES) {
    size_t k = ws - 1;
    while (k > 0 && (text[k] & 0xC0) == 0x80) k--;
    if (!letter_or_apostrophe(cp_at(text, len, k))) break;
    ws = k;
  }
  /* The line up to the word: its glyphs and fixed gaps. */
  double base = 0;
  for (size_t k = i; k < w0; k++)
    base += sh->glyphs[k].advance + sh->glyphs[k].gap;
  if (we - ws > LP_LINES_MAX_WORD_BYTES) return 0;
  size_t first = sh->glyphs[w0].cluster; /* the word's part on this line */
  /* A word beyond the patterns' reach (LP_HYPHEN_MAX_LETTERS) that would
   * leave the line loose is split between letters, as a last resort. */
  bool beyond =
      dictionary && chars_between(text, ws, we) > LP_HYPHEN_MAX_LETTERS;
  bool *points = lp_xcalloc(we - ws + 1, sizeof *points);
  size_t end = 0;
  /* First the hyphenation points of the patterns; then, for a word that
   * cannot stay whole, any boundary between two letters. */
  for (int pass = 0; pass < 2 && !end; pass++) {
    if (pass == 0 && (!dictionary || all_caps(text, ws, we))) continue;
    if (pass == 1 && !forced && !beyond) break;
    memset(points, 0, (we - ws + 1) * sizeof *points);
    if (pass == 0)
      lp_breaks_hyphenate(l->env->breaker, text + ws, we - ws, l->lang,
                          points);
    else
      for (size_t k = w0 + 1; k < w1; k++) {
        const lp_sglyph *g = &sh->glyphs[k];
        points[g->cluster - ws] =
            (g->flags & LP_SG_CLUSTER_START) &&
            lp_breaks_is_latin_letter(cp_at(text, len, g->cluster)) &&
            lp_breaks_is_latin_letter(
                cp_at(text, len, sh->glyphs[k - 1].cluster));
      }
    for (size_t q = we; q > first && !end; q--) {
      if (!points[q - ws]) continue;
      /* A line's piece of the word keeps two letters before its hyphen:
       * in a column too narrow for that, the word is cut without hyphens
       * instead ("i-", "n-", "t-" a line each reads worse). */
      if (chars_between(text, first, q) < MIN_PIECE_LETTERS) continue;
      /* A cheap bound first: the word's glyphs wholly before q. */
      double est = base;
      for (size_t k = w0; k < w1 && sh->glyphs[k].cluster_end <= q; k++)
        est += sh->glyphs[k].advance;
      if (est > avail + 1e-6) continue;
      lp_shaped head;
      shape_piece(l, p, first, q, "-", &head);
      if (head.count && base + shaped_width(&head) <= avail + 1e-6)
        end = splice_hyphen(l, p, sh, line, w0, w1, q, &head);
      lp_shaped_free(&head);
    }
  }
  free(points);
  return end;
}

/* ---- Soft hyphens, last-resort cuts, first lines ------------------------ */

/* Shapes the chunk before glyph j up to the soft hyphen there, with a
 * hyphen (the shape a line ending there shows) into head; returns the
 * width of the line [i, j) so ended, and the chunk's first glyph *w0. */
static double soft_hyphen_line(const L *l, const para *p, const lp_shaped *sh,
                               const uint8_t *brk, size_t i, size_t j,
                               size_t *w0, lp_shaped *head) {
  *w0 = lp_lines_chunk_start(sh, brk, i, j);
  double base = 0;
  for (size_t k = i; k < *w0; k++)
    base += sh->glyphs[k].advance + sh->glyphs[k].gap;
  shape_piece(l, p, sh->glyphs[*w0].cluster, sh->glyphs[j].cluster, "-",
              head);
  return base + shaped_width(head);
}

/* Whether the line [i, j) fits avail when it ends at the soft hyphen
 * before glyph j, its hyphen shown. */
static bool soft_hyphen_fits(const L *l, const para *p, const lp_shaped *sh,
                             const uint8_t *brk, size_t i, size_t j,
                             double avail) {
  lp_shaped head;
  size_t w0;
  double w = soft_hyphen_line(l, p, sh, brk, i, j, &w0, &head);
  lp_shaped_free(&head);
  return w <= avail + 1e-6;
}

/* Ends the line [*i, end) at the soft hyphen before glyph end: the chunk
 * is shaped anew as its head with a hyphen and its tail (splice_hyphen,
 * which may move *i).  Returns the new end, after the hyphen. */
static size_t break_at_soft_hyphen(const L *l, const para *p, lp_shaped *sh,
                                   const uint8_t *brk, size_t *i,
                                   size_t end) {
  lp_shaped head;
  size_t w0;
  soft_hyphen_line(l, p, sh, brk, *i, end, &w0, &head);
  size_t w1 = lp_lines_chunk_end(sh, brk, end);
  size_t at = splice_hyphen(l, p, sh, i, w0, w1, sh->glyphs[end].cluster,
                            &head);
  lp_shaped_free(&head);
  return at;
}

/* Whether Korean-style justification (word spaces only) applies to the
 * line [i, vis): it has a word space to widen. */
static bool justify_words(const L *l, const lp_shaped *sh, size_t i,
                          size_t vis) {
  if (!l->word_spaces) return false;
  for (size_t k = i; k + 1 < vis; k++)
    if (lp_lines_stretchable(&sh->glyphs[k], &sh->glyphs[k + 1], true))
      return true;
  return false;
}

/* An opening bracket that starts a line is set without the blank half of
 * its em box before it, so that its ink starts at the margin (or at the
 * first-line indent):
 * - jlreq 3.1.5 "Positioning of Opening Brackets at Line Head", method (1)
 *   of figure 71, which JIS X 4051 adopts, and appendix B note 17: "the
 *   preferred character spacing between the line head and opening brackets
 *   (cl-01) is zero" — at wrapped line heads and after the paragraph's
 *   one-em indent alike;
 * - clreq 3.1.6.3 "Compression of punctuation marks at line start or line
 *   end" (行首行尾标点挤压), items 1 and 2: half an em may be trimmed
 *   before an opening bracket at the start of any line, the indented first
 *   line included.  Mainland style; clreq notes that many publications in
 *   Taiwan do not adjust punctuation widths, so zh-TW and zh-HK keep their
 *   full-width brackets.
 * The blank half is the font's `halt` amount (shape.c), so a bracket the
 * font sets without blank is left alone. */
static void trim_line_start(const L *l, lp_shaped *sh, size_t i) {
  lp_sglyph *g = &sh->glyphs[i];
  if (!l->bracket_trim || !(g->flags & LP_SG_CLUSTER_START) ||
      g->shrink <= 0 || g->shift > -0.75)
    return;
  g->advance -= g->shrink;
  g->x_offset += g->shift * g->shrink;
  g->shrink = 0;
}

/* Breaks a collected paragraph into justified lines (line boxes).
 *
 * First fit: each line takes glyphs while they fit, and ends at the last
 * UAX #14 opportunity (ICU, with the language's strictness, plus the kinsoku
 * rules of breaks.c).  When the glyph that overflows may not start a line
 * (。after the last character that fits), there are two ways out, as in
 * jlreq 3.8 "Line Adjustment" and clreq's 标点挤压: pull it in (追い込み) by
 * compressing the line's punctuation to half width (the font's `halt`
 * metrics), or push the last character down with it (追い出し) and spread
 * the line.  Pulling in is preferred whenever the punctuation of the line
 * can absorb the overflow.  A line with no opportunity at all is cut between
 * clusters, so nothing ever crosses the margin.  A line whose word spaces
 * would stretch beyond MAX_STRETCH_EM first tries to split a long Latin
 * chunk (URL, e-mail) at a sensible point.  Trailing spaces hang into the
 * margin and are not drawn.  Every line but the last of the paragraph and
 * lines ended by a hard break is justified: the shortfall is spread evenly
 * over the stretchable gaps, so the line ends exactly at the margin. */
static bool layout_para(L *l, para *p, const pstyle *st, int line) {
  size_t len = p->text.len;
  if (len == 0 && !st->marker) return true;
  const char *text = len ? (const char *)p->text.data : "";
  uint8_t *brk = lp_xmalloc(len + 1);
  if (!lp_breaks_find(l->env->breaker, text, len, l->lang,
                      l->tpl->meta.word_break, brk, l->err)) {
    free(brk);
    return false;
  }
  lp_shaped sh = {0};
  lp_shape_cached(l->env->shapes, text, len, p->spans, p->nspans, l->lang,
                  &sh);
  lp_shape_space_cjk(text, len, l->lang, &sh);
  if (sh.nmissing) warn_missing(l, p, &sh, line);
  size_t i = 0, n = sh.count, first_box = l->nboxes;
  bool first = true;
  if (n == 0) { /* an empty paragraph with a marker: a line of its own */
    lbox *b = new_box(l);
    b->height = st->size * st->leading;
    b->baseline = (b->height - st->size) / 2 + EMBOX_TOP * st->size;
    b->before = st->before;
  }
  int hyphen_run = 0; /* lines in a row that end with a hyphen */
  while (i < n) {
    if (!first)
      while (i < n && (sh.glyphs[i].flags & LP_SG_SPACE)) i++;
    if (i >= n) break;
    trim_line_start(l, &sh, i);
    double indent =
        first && !lp_lines_typed_indent(text, len) ? st->first_indent : 0;
    double avail = st->width - indent, w = 0;
    size_t j = i, last_break = i, end;
    bool hard = false, hyphen = false;
    for (;;) {
      if (j == n) {
        end = n;
        break;
      }
      const lp_sglyph *g = &sh.glyphs[j];
      bool cs = (g->flags & LP_SG_CLUSTER_START) != 0;
      if (j > i && cs && brk[g->cluster] == LP_BREAK_MANDATORY) {
        end = j;
        hard = true;
        break;
      }
      /* A soft hyphen is an opportunity where its hyphen fits too. */
      if (j > i && cs && brk[g->cluster] == LP_BREAK_ALLOWED &&
          (!lp_lines_after_soft_hyphen(text, g->cluster) ||
           soft_hyphen_fits(l, p, &sh, brk, i, j, avail)))
        last_break = j;
      double add = g->advance + (j > i ? sh.glyphs[j - 1].gap : 0);
      if (!(g->flags & LP_SG_SPACE) && j > i &&
          w + add + g->squeezed > avail + 1e-6) {
        end = last_break > i ? last_break : j;
        int gaps;
        double shrink;
        /* Pull in: the glyphs up to the next opportunity fit once the
         * line's punctuation is compressed. */
        size_t e = cs && !lp_lines_opportunity(brk[g->cluster])
                       ? lp_lines_next_break(&sh, brk, j)
                       : 0;
        if (e) {
          size_t v = lp_lines_visible_end(&sh, i, e);
          double need =
              lp_lines_width(&sh, i, v, l->word_spaces, &gaps, &shrink) - avail;
          if (need <= shrink + 1e-6 && v > i) {
            end = e;
            break;
          }
        }
        /* Push out; but a line that would be loose first tries to
         * hyphenate the word that does not fit (at most MAX_HYPHEN_RUN
         * lines in a row end with a hyphen), then to end inside a URL or
         * e-mail address at one of its link points (breaks.h).  Only a
         * chunk longer than the whole line is split elsewhere: at a
         * hyphenation point, or between two letters with a hyphen, or
         * else at the last grapheme boundary that fits (a number is
         * never split otherwise: UAX #14 keeps it whole). */
        bool loose = false, stretched = false;
        if (last_break > i)
          loose = loose_line(&sh, i, last_break, avail, st, l->word_spaces,
                             &stretched);
        size_t c1 = lp_lines_chunk_end(&sh, brk, j), h = 0;
        if (stretched && st->hyphenate && hyphen_run < MAX_HYPHEN_RUN)
          h = hyphenate_word(l, p, &sh, &i, last_break, c1, avail, true,
                             false);
        else if (last_break == i)
          h = hyphenate_word(l, p, &sh, &i, i, c1, avail, st->hyphenate,
                             false);
        size_t k = !h && (loose || last_break == i)
                       ? lp_lines_link_break(&sh, brk, i, last_break, j, avail)
                       : 0;
        if (k) {
          end = k;
          break;
        }
        if (!h && last_break == i && st->split_mark)
          h = hyphenate_word(l, p, &sh, &i, i, c1, avail, false, true);
        if (h) {
          end = h;
          n = sh.count;
          hyphen = true;
          break;
        }
        if (last_break == i) end = lp_lines_grapheme_cut(text, len, &sh, i, j);
        break;
      }
      w += add;
      j++;
    }
    /* A line ending at a soft hyphen shows a hyphen there. */
    if (!hyphen && !hard && end > i && end < n &&
        lp_lines_after_soft_hyphen(text, sh.glyphs[end].cluster)) {
      end = break_at_soft_hyphen(l, p, &sh, brk, &i, end);
      n = sh.count;
      hyphen = true;
    }
    /* Drop trailing spaces, then measure. */
    size_t vis = lp_lines_visible_end(&sh, i, end);
    int gaps;
    double shrink;
    bool words = justify_words(l, &sh, i, vis);
    /* A typed indent (字下げ, the paragraph's line-head indent) is not
     * spread. */
    size_t fixed = first && lp_lines_typed_indent(text, len)
                       ? lp_lines_indent_end(text, len, &sh, i)
                       : i;
    double natural = lp_lines_width(&sh, i, vis, words, &gaps, &shrink);
    if (natural > avail && shrink > 0) {
      /* Compress the line's punctuation evenly, by its share of `halt`. */
      double t = (natural - avail) / shrink;
      if (t > 1) t = 1;
      for (size_t k = i; k < vis; k++) {
        double d = t * lp_lines_glyph_shrink(&sh, k, i, vis);
        sh.glyphs[k].advance -= d;
        sh.glyphs[k].x_offset += sh.glyphs[k].shift * d;
      }
      natural = lp_lines_width(&sh, i, vis, words, &gaps, &shrink);
    }
    /* A mark squeezed against the next one keeps its full width when the
     * line ends with it (the next mark starts the next line). */
    if (vis > i && sh.glyphs[vis - 1].squeezed > 0) {
      lp_sglyph *g = &sh.glyphs[vis - 1];
      g->advance += g->squeezed;
      g->x_offset -= g->shift * g->squeezed;
      g->squeezed = 0;
    }
    double x = st->left + indent, extra = 0;
    bool last = end >= n || hard;
    gaps -= lp_lines_gaps_before(&sh, i, fixed, vis, words);
    if (st->align == ALIGN_JUSTIFY && !last && gaps > 0 && natural < avail)
      extra = (avail - natural) / gaps;
    else if (st->align == ALIGN_CENTER)
      x += (avail - natural) / 2;
    else if (st->align == ALIGN_RIGHT)
      x += avail - natural;
    spread js = {extra, words, fixed};
    emit_line(l, p, &sh, i, vis, x, &js, st, first);
    first = false;
    hyphen_run = hyphen ? hyphen_run + 1 : 0;
    i = end;
  }
  unsigned kind = paragraph_kind(l, p, first_box);
  int orphans = l->orphans;
  if (st->marker && orphans < LIST_KEEP_LINES) orphans = LIST_KEEP_LINES;
  for (size_t k = first_box; k < l->nboxes; k++) {
    l->boxes[k].line = (uint32_t)(k - first_box);
    l->boxes[k].nlines = (uint32_t)(l->nboxes - first_box);
    l->boxes[k].orphans = (uint8_t)orphans;
    l->boxes[k].para = l->npara;
    l->boxes[k].kind = kind;
  }
  l->npara++;
  if (l->nboxes > first_box) {
    l->boxes[l->nboxes - 1].keep_with_next = st->keep_with_next;
    if (st->marker) emit_marker(l, &l->boxes[first_box], st, p);
  }
  lp_shaped_free(&sh);
  free(brk);
  return true;
}

/* ---- Blocks ------------------------------------------------------------- */

/* Whether byte c is white space at the edge of a piece of a paragraph (a
 * space, a tab, or a hard line break). */
static bool edge_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

/* Plain text of an inline subtree (for outline titles): the text that is
 * printed, so not the alt text of images. */
static void plain_text(cmark_node *node, lp_buf *out) {
  for (cmark_node *c = cmark_node_first_child(node); c;
       c = cmark_node_next(c)) {
    const char *lit = cmark_node_get_literal(c);
    cmark_node_type t = cmark_node_get_type(c);
    if ((t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) && lit)
      lp_buf_puts(out, lit);
    else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
      lp_buf_puts(out, " ");
    else if (t != CMARK_NODE_IMAGE)
      plain_text(c, out);
  }
}

/* The plain text of a heading, as typed, without the blanks an image left
 * at its ends or its alignment mark (an outline title holds no marks). */
static void heading_text(cmark_node *node, lp_buf *out) {
  plain_text(node, out);
  size_t n = out->len, k = 0;
  while (n && (edge_space(out->data[n - 1]) ||
               out->data[n - 1] == LP_RIGHT_CHAR ||
               out->data[n - 1] == LP_CENTER_CHAR))
    n--;
  while (k < n && edge_space(out->data[k])) k++;
  if (!out->data) return;
  out->data[n] = '\0';
  char *typed = lp_template_unmark((char *)out->data + k);
  out->len = 0;
  lp_buf_puts(out, typed);
  free(typed);
}

static bool layout_blocks(L *l, cmark_node *parent, double left, double width,
                          int depth, bool tight, const char *marker);

/* The paragraph style for body text at this indentation. */
static pstyle body_style(L *l, double left, double width, int depth) {
  pstyle st = {0};
  st.left = left;
  st.width = width;
  st.size = l->size;
  st.leading = l->leading;
  st.align = ALIGN_JUSTIFY;
  st.before = l->para_space * l->size;
  st.outline = -1;
  st.first_indent = depth == 0 ? l->first_indent_em * l->size : 0;
  st.hyphenate = l->hyphenate;
  st.split_mark = true;
  return st;
}

/* The size of img on the page: its pixels at IMAGE_DPI, scaled down (never
 * up) to fit max_w by max_h, keeping its proportions. */
static void image_size(const lp_dimage_data *img, double max_w, double max_h,
                       double *w, double *h) {
  *w = img->px_w * 72.0 / IMAGE_DPI;
  *h = img->px_h * 72.0 / IMAGE_DPI;
  double k = 1;
  if (*w > max_w) k = max_w / *w;
  if (*h * k > max_h) k = max_h / *h;
  *w *= k;
  *h *= k;
}

/* Loads an image file (relative to the template), keeping one reference
 * for the layout's lifetime.  line and column locate the reference. */
static lp_dimage_data *load_image(L *l, const char *path, int line,
                                  int column) {
  lp_dimage_data *img = NULL;
  lp_error e = {0};
  if (!lp_image_read(path, l->tpl->base_dir, &img, &e)) {
    lp_fail(l->err, LP_ERR_INPUT, l->tpl->name, line, column,
            "image '%s': %s", path, e.message);
    return NULL;
  }
  const lp_limits *lim = l->env->limits;
  unsigned long long px = (unsigned long long)img->px_w * (unsigned)img->px_h;
  if (lim && lim->max_image_pixels && px > lim->max_image_pixels) {
    lp_fail(l->err, LP_ERR_INPUT, l->tpl->name, line, column,
            "image '%s' has %d x %d pixels, more than the limit of %llu: "
            "make it smaller, or raise the limit with --max-image-pixels",
            path, img->px_w, img->px_h, lim->max_image_pixels);
    lp_dimage_data_unref(img);
    return NULL;
  }
  if (!lp_image_check(img, &e)) {
    lp_fail(l->err, LP_ERR_INPUT, l->tpl->name, line, column,
            "image '%s': %s", path, e.message);
    lp_dimage_data_unref(img);
    return NULL;
  }
  LP_GROW(l->images, l->images_cap, l->nimages + 1);
  l->images[l->nimages++] = img;
  return img;
}

/* The x offset in a column width wide of something w wide, set as align
 * sets text: centred, right-aligned, else at the left edge. */
static double align_offset(align_t align, double width, double w) {
  return align == ALIGN_CENTER  ? (width - w) / 2
         : align == ALIGN_RIGHT ? width - w
                                : 0;
}

/* Adds a line box holding img, scaled to fit the column and at most
 * max_h high, placed in the column as align places text. */
static lbox *image_box(L *l, lp_dimage_data *img, double left, double width,
                       double max_h, align_t align) {
  double w, h;
  image_size(img, width, max_h, &w, &h);
  lbox *b = new_box(l);
  b->before = l->para_space * l->size;
  b->height = h;
  b->baseline = h;
  LP_GROW(l->pimages, l->pimages_cap, l->npimages + 1);
  l->pimages[l->npimages++] =
      (pimage){img, left + align_offset(align, width, w), 0, w, h, false};
  b->i1 = l->npimages;
  b->para = l->npara++;
  b->nlines = 1;
  return b;
}

/* The template line and column (in characters) where the image node is
 * written. */
static void image_position(const L *l, cmark_node *node, int *line,
                           int *column) {
  int body_line =
      lp_fill_body_line(l->env->fill, cmark_node_get_start_line(node));
  *line = body_line + l->tpl->body_line - 1;
  *column = body_column(l, body_line, cmark_node_get_start_column(node));
}

/* Notes that the image node has been drawn or reported (see
 * warn_lost_images). */
static void image_placed(L *l, cmark_node *node) {
  LP_GROW(l->placed, l->placed_cap, l->nplaced + 1);
  l->placed[l->nplaced++] = node;
}

/* Reports, at its position, that the image node is not drawn and why. */
static void warn_image(L *l, cmark_node *node, const char *why) {
  image_placed(l, node);
  if (l->warnings >= MAX_WARNINGS) return;
  l->warnings++;
  if (!l->env->warn) return;
  int line, column;
  image_position(l, node, &line, &column);
  const char *url = cmark_node_get_url(node);
  lp_error w = {0};
  lp_fail(&w, LP_OK, l->tpl->name, line, column,
          "image '%s' is not drawn: %s", url ? url : "", why);
  w.code = LP_OK;
  l->env->warn(l->env->warn_ctx, &w);
}

/* The text height: what an image may take, at most, is a share of it. */
static double text_height(const L *l) {
  return l->page_h - l->margin[0] - l->margin[2];
}

/* Lays out the image node as a block of its own in the column of st,
 * placed as st aligns its text, scaled to fit the column and at most
 * IMAGE_MAX_H_FRAC of the text height, with st's space above it; it
 * keeps with the next block if st's text does (a heading's image). */
static bool layout_image(L *l, cmark_node *node, const pstyle *st) {
  const char *url = cmark_node_get_url(node);
  int line, column;
  image_position(l, node, &line, &column);
  lp_dimage_data *img = load_image(l, url ? url : "", line, column);
  if (!img) return false;
  double w, h, max_h = text_height(l) * IMAGE_MAX_H_FRAC;
  image_size(img, st->width, max_h, &w, &h);
  if (w < 1 || h < 1) { /* a table column squeezed to nothing */
    warn_image(l, node, "there is no room for it here (widen the column)");
    return true;
  }
  lbox *b = image_box(l, img, st->left, st->width, max_h, st->align);
  b->before = st->before;
  b->keep_with_next = st->keep_with_next;
  b->outline = st->outline;
  image_placed(l, node);
  return true;
}

/* Copies the text [from, to) of p, without white space at its ends, with
 * its spans, source positions and blank names, into out (empty). */
static void para_slice(const para *p, size_t from, size_t to, para *out) {
  const unsigned char *t = p->text.data;
  while (from < to && edge_space(t[from])) from++;
  while (to > from && edge_space(t[to - 1])) to--;
  if (from == to) return;
  lp_buf_append(&out->text, t + from, to - from);
  for (size_t k = 0; k < p->nspans; k++) {
    lp_span sp = p->spans[k];
    if (sp.end <= from || sp.start >= to) continue;
    sp.start = (sp.start > from ? sp.start : from) - from;
    sp.end = (sp.end < to ? sp.end : to) - from;
    LP_GROW(out->spans, out->cap, out->nspans + 1);
    out->spans[out->nspans++] = sp;
  }
  /* The text node the piece starts in keeps its place: its column moves
   * by the bytes left out before the piece. */
  for (size_t k = 0; k < p->npos; k++) {
    struct srcpos sp = p->pos[k];
    if (sp.offset >= to) break;
    bool starts_in = k + 1 == p->npos || p->pos[k + 1].offset > from;
    if (sp.offset < from && !starts_in) continue;
    if (sp.offset < from) {
      sp.column += (int)(from - sp.offset);
      sp.offset = from;
    }
    sp.offset -= from;
    LP_GROW(out->pos, out->pos_cap, out->npos + 1);
    out->pos[out->npos++] = sp;
  }
  lp_blank_names_append(&out->names, &p->names, from, to, 0);
}

/* Makes st the style of what continues a paragraph after its start: no
 * first-line indent, list marker or outline entry; a paragraph's gap
 * above. */
static void continue_paragraph(const L *l, pstyle *st) {
  st->first_indent = 0;
  st->marker = NULL;
  st->outline = -1;
  st->before = l->para_space * l->size;
}

/* Lays out a paragraph with images in it: the images are set where they
 * are written, each a block of its own in the column (placed as the
 * paragraph is aligned), and the text around them in pieces.  The first
 * piece is the paragraph's start (first-line indent, list marker, space
 * above, outline entry); the text after an image continues the
 * paragraph, so it has no first-line indent.  A heading or a table cell
 * with images is laid out the same way. */
static bool layout_paragraph(L *l, para *p, pstyle st, int line) {
  if (!p->ncuts) return layout_para(l, p, &st, line);
  size_t from = 0;
  for (size_t k = 0; k <= p->ncuts; k++) {
    size_t to = k < p->ncuts ? p->cuts[k].offset : p->text.len;
    if (to > p->text.len) to = p->text.len; /* {.right} was taken off */
    if (to < from) to = from;
    para piece = {0};
    para_slice(p, from, to, &piece);
    bool ok = true;
    size_t at = l->nboxes;
    if (piece.text.len || st.marker) /* a list item's marker: a line */
      ok = layout_para(l, &piece, &st, line);
    para_free(&piece);
    if (l->nboxes > at) continue_paragraph(l, &st);
    at = l->nboxes;
    if (ok && k < p->ncuts) ok = layout_image(l, p->cuts[k].image, &st);
    if (l->nboxes > at) continue_paragraph(l, &st);
    if (!ok) return false;
    from = to;
  }
  return true;
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
  while (n && (p->text.data[n - 1] == ' ' || p->text.data[n - 1] == '\t'))
    n--;
  p->text.len = n;
  if (p->text.data) p->text.data[n] = '\0';
  /* Spans past the new end go; the last one ends there. */
  while (p->nspans && p->spans[p->nspans - 1].start >= n) p->nspans--;
  if (p->nspans && p->spans[p->nspans - 1].end > n)
    p->spans[p->nspans - 1].end = n;
  return c == LP_RIGHT_CHAR ? ALIGN_RIGHT : ALIGN_CENTER;
}

/* Whether a paragraph is a salutation or a label line ("尊敬的客户：",
 * "Dear Ms Li,"): short, one line, ending in a colon or comma.  Those stay
 * flush left (clreq: 称呼顶格), without the first-line indent. */
static bool is_salutation(const para *p) {
  if (p->text.len == 0 || p->text.len > 90 ||
      memchr(p->text.data, '\n', p->text.len))
    return false;
  uint32_t c = last_cp(&p->text);
  if (c == ':' || c == 0xFF1A || c == ',' || c == 0xFF0C) return true;
  /* The second half of a Chinese letter's closing (敬礼, 商祺 after 此致,
   * 顺颂) is flush left too (顶格). */
  return lp_locales_closing_word((const char *)p->text.data, p->text.len);
}

/* Starts a new letter titled title. */
static void start_letter(L *l, const char *title) {
  LP_GROW(l->letters, l->letters_cap, l->nletters + 1);
  l->letters[l->nletters++] = (letter){lp_xstrdup(title), 0, 0, false};
}

static bool flush_letter(L *l);

static bool layout_heading(L *l, cmark_node *node, double left,
                           double width) {
  int level = cmark_node_get_heading_level(node);
  if (level < 1) level = 1;
  if (level > 6) level = 6;
  lp_buf title = {0};
  heading_text(node, &title);
  if (level == 1) {
    /* A level-1 heading starts a letter (and so a page), except the
     * first: what comes before it (the recipient's address, 宛名, above
     * the subject of Japanese and Western letters) is that letter's. */
    if (l->letters[l->nletters - 1].has_heading) {
      if (!flush_letter(l)) {
        lp_buf_free(&title);
        return false;
      }
      start_letter(l, title.data ? (char *)title.data : "");
    } else {
      free(l->letters[l->nletters - 1].title);
      l->letters[l->nletters - 1].title = lp_buf_strdup(&title);
    }
  }
  lp_buf_free(&title);
  if (level == 1) l->letters[l->nletters - 1].has_heading = true;
  pstyle st = body_style(l, left, width, 1);
  st.size = l->size * l->heading[level].scale;
  st.leading = l->leading > 1.4 ? 1.4 : l->leading;
  st.align = l->heading[level].align;
  st.before = l->heading[level].before;
  /* A letter's title below an address block is set off from it as from
   * the text below it (its space before is dropped at a page's top). */
  if (level == 1 && l->nboxes > 0 && st.before < l->heading[1].after)
    st.before = l->heading[1].after;
  st.keep_with_next = true;
  st.hyphenate = false; /* headings keep their words whole */
  st.outline = level == 1 ? (int)l->nletters - 1 : -1;
  para p = {0};
  l->cur = l->hchains;
  collect_inlines(l, node, &p, true, false, 0, st.size);
  l->cur = l->chains;
  align_t attr = take_align_attr(&p); /* # 承诺书 {.center} */
  if (attr != ALIGN_JUSTIFY) st.align = attr;
  size_t first = l->nboxes;
  /* An image in the heading is a block of its own after (or before) the
   * heading's text, centred under a centred title, keeping with what
   * follows as the heading's lines do. */
  bool ok = layout_paragraph(l, &p, st, cmark_node_get_start_line(node));
  para_free(&p);
  /* Space after the heading goes before the next block: add it here as
   * part of the last heading box's height. */
  if (ok && l->nboxes > first)
    l->boxes[l->nboxes - 1].height += l->heading[level].after;
  return ok;
}

static bool layout_code(L *l, cmark_node *node, double left, double width) {
  const char *lit = cmark_node_get_literal(node);
  pstyle st = body_style(l, left, width, 1);
  st.align = ALIGN_LEFT;
  st.size = l->size * 0.9;
  st.hyphenate = st.split_mark = false; /* code shows what was typed */
  para p = {0};
  size_t n = strlen(lit);
  if (n && lit[n - 1] == '\n') n--;
  para_add(&p, lit, n, l->chains[LP_STYLE_MONO], st.size, 0);
  lp_blank_names_add_literal(&p.names, 0, n); /* code: no fields */
  bool ok = layout_para(l, &p, &st, cmark_node_get_start_line(node));
  para_free(&p);
  return ok;
}

static bool layout_thematic_break(L *l, double left, double width) {
  lbox *b = new_box(l);
  b->height = l->size;
  b->before = l->para_space * l->size;
  b->baseline = l->size / 2;
  add_prule(l, left, 0, left + width, 0, RULE_WIDTH);
  b->r1 = l->nrules;
  return true;
}

/* The indent of a nested list or quote in a column of width: its setting,
 * less what would leave the nested column narrower than MIN_COLUMN_EM
 * (deep nesting, or large list-indent/quote-indent, stops moving right
 * rather than pushing text past the page edge). */
static double nested_indent(const L *l, double width, double indent) {
  double room = width - MIN_COLUMN_EM * l->size;
  return indent < room ? indent : room > 0 ? room : 0;
}

static bool layout_list(L *l, cmark_node *list, double left, double width,
                        int depth) {
  bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
  int num = cmark_node_get_list_start(list);
  bool tight = cmark_node_get_list_tight(list);
  double indent = nested_indent(l, width, l->list_indent);
  for (cmark_node *item = cmark_node_first_child(list); item;
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
    if (!layout_blocks(l, item, left + indent, width - indent, depth + 1,
                       tight, marker))
      return false;
  }
  return true;
}

/* ---- Tables (GFM) --------------------------------------------------------- */

/* The width an image of a table cell wants: its size as a block image in
 * a column max_w wide (so capped by that and by the height allowed), or 0
 * for a file that cannot be read (table_row reports it). */
static double cell_image_width(L *l, cmark_node *image, double max_w) {
  const char *url = cmark_node_get_url(image);
  lp_dimage_data *img = NULL;
  lp_error e = {0};
  if (!lp_image_read(url ? url : "", l->tpl->base_dir, &img, &e)) return 0;
  double w, h;
  image_size(img, max_w, text_height(l) * IMAGE_MAX_H_FRAC, &w, &h);
  lp_dimage_data_unref(img);
  return w;
}

/* The widths a cell's content wants: natural (its text on one line, or its
 * longest hard-broken line; its images at their size) and minimum (its
 * widest piece of text between two break opportunities; an image, which
 * is scaled down to fit, CELL_IMAGE_MIN_EM or less), in pt.  An image
 * ends a line of the cell's text, as it splits a paragraph.  max_w is the
 * widest a cell can be. */
static bool measure_cell(L *l, cmark_node *cell, bool bold, double max_w,
                         double *natural, double *minimum) {
  para p = {0};
  collect_inlines(l, cell, &p, bold, false, 0, l->size);
  *natural = *minimum = 0;
  for (size_t k = 0; k < p.ncuts; k++) {
    double w = cell_image_width(l, p.cuts[k].image, max_w);
    double least = fmin(w, CELL_IMAGE_MIN_EM * l->size);
    if (w > *natural) *natural = w;
    if (least > *minimum) *minimum = least;
  }
  size_t len = p.text.len;
  const char *text = len ? (const char *)p.text.data : "";
  uint8_t *brk = lp_xmalloc(len + 1);
  bool ok = lp_breaks_find(l->env->breaker, text, len, l->lang,
                           l->tpl->meta.word_break, brk, l->err);
  lp_shaped sh = {0};
  if (ok) {
    lp_shape_cached(l->env->shapes, text, len, p.spans, p.nspans, l->lang,
                    &sh);
    lp_shape_space_cjk(text, len, l->lang, &sh);
  }
  double line = 0, piece = 0;
  size_t cut = 0; /* the next image */
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    if ((g->flags & LP_SG_CLUSTER_START) && k > 0) {
      uint8_t b = brk[g->cluster];
      if (b == LP_BREAK_MANDATORY) line = 0;
      if (b != LP_BREAK_NONE) piece = 0;
    }
    if (g->flags & LP_SG_CLUSTER_START)
      for (; cut < p.ncuts && p.cuts[cut].offset <= g->cluster; cut++)
        line = piece = 0;
    double w = g->advance + (k + 1 < sh.count ? g->gap : 0);
    line += w;
    if (!(g->flags & LP_SG_SPACE)) piece += w;
    if (line > *natural) *natural = line;
    if (piece > *minimum) *minimum = piece;
  }
  lp_shaped_free(&sh);
  free(brk);
  para_free(&p);
  return ok;
}

/* Column widths from the content: natural widths when they fit; else each
 * column gets its minimum plus a share of the remaining room in proportion
 * to how much more it wants (the automatic table layout of CSS 2.1 17.5.2.2,
 * simplified); minimums that do not fit are scaled down. */
static bool table_columns(L *l, cmark_node *table, int ncols, double avail,
                          double *widths) {
  double *nat = lp_xcalloc((size_t)ncols, sizeof *nat);
  double *min = lp_xcalloc((size_t)ncols, sizeof *min);
  bool ok = true;
  double pad = 2 * CELL_PAD_EM * l->size;
  for (cmark_node *row = cmark_node_first_child(table); row && ok;
       row = cmark_node_next(row)) {
    bool header = cmark_gfm_extensions_get_table_row_is_header(row);
    int c = 0;
    for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
         cell = cmark_node_next(cell), c++) {
      double n = 0, m = 0;
      ok = ok && measure_cell(l, cell, header, avail - pad, &n, &m);
      if (n + pad > nat[c]) nat[c] = n + pad;
      if (m + pad > min[c]) min[c] = m + pad;
    }
  }
  /* Columns that want no more than an equal share keep their natural
   * width (a short label column never wraps because a long one does); the
   * others share what is left. */
  double fair = avail / ncols, fixed = 0, sum_nat = 0, sum_min = 0;
  for (int c = 0; c < ncols; c++) {
    if (nat[c] < min[c]) nat[c] = min[c];
    if (nat[c] <= fair) fixed += nat[c];
  }
  bool narrow_fixed = true;
  for (int c = 0; c < ncols; c++) {
    if (nat[c] <= fair) continue;
    sum_nat += nat[c];
    sum_min += min[c];
  }
  if (sum_min > avail - fixed) { /* no room for that: share among all */
    narrow_fixed = false;
    sum_nat = sum_min = 0;
    for (int c = 0; c < ncols; c++) sum_nat += nat[c], sum_min += min[c];
    fixed = 0;
  }
  double room = avail - fixed;
  for (int c = 0; c < ncols; c++) {
    if (narrow_fixed && nat[c] <= fair)
      widths[c] = nat[c];
    else if (sum_nat <= room)
      widths[c] = nat[c];
    else if (sum_min >= room)
      widths[c] = min[c] * room / sum_min;
    else
      widths[c] = min[c] + (room - sum_min) * (nat[c] - min[c]) /
                               (sum_nat - sum_min);
  }
  free(nat);
  free(min);
  return ok;
}

/* Moves everything of boxes [first, nboxes) into one box: the row of a
 * table, with its cells' lines stacked from offset top within the row.
 * Coordinates in a row box are relative to its top (baseline 0). */
static void shift_box(L *l, const lbox *b, double down) {
  for (size_t k = b->g0; k < b->g1; k++) l->glyphs[k].dy -= down;
  for (size_t k = b->r0; k < b->r1; k++) {
    l->rules[k].dy1 -= down;
    l->rules[k].dy2 -= down;
  }
  for (size_t k = b->f0; k < b->f1; k++) {
    l->fields[k].y1 -= down;
    l->fields[k].y2 -= down;
  }
  for (size_t k = b->i0; k < b->i1; k++) l->pimages[k].dy -= down;
}

/* A line of a cell while its row is laid out: its line box, its extent
 * from the row top, and the strip of the row it goes to. */
typedef struct rline {
  lbox box;
  double top, bottom;
  size_t strip;
  int col;      /* the cell's column */
  double shift; /* moved down by this in a forced split (flow_row) */
} rline;

static int by_top(const void *a, const void *b) {
  const rline *x = a, *y = b;
  return (x->top > y->top) - (x->top < y->top);
}

static int by_strip(const void *a, const void *b) {
  const rline *x = a, *y = b;
  if (x->strip != y->strip)
    return (x->strip > y->strip) - (x->strip < y->strip);
  return (x->box.g0 > y->box.g0) - (x->box.g0 < y->box.g0);
}

/* Appends n items of size sz from src to arr (count *len, capacity
 * *cap); returns the array, which may have moved. */
static void *append_items(void *arr, size_t *len, size_t *cap, size_t sz,
                          const void *src, size_t n) {
  if (!n) return arr;
  if (*len + n > *cap) {
    *cap = (*len + n) * 2;
    arr = lp_xrealloc(arr, *cap * sz);
  }
  memcpy((char *)arr + *len * sz, src, n * sz);
  *len += n;
  return arr;
}

/* The borders of a row (or of a strip of one) h high whose top is at 0:
 * the column edges, and the top and bottom lines when asked. */
static void row_borders(L *l, const double *widths, int ncols, double left,
                        double h, bool top, bool bottom) {
  double x = left;
  for (int c = 0; c <= ncols; x += c < ncols ? widths[c] : 0, c++)
    add_prule(l, x, 0, x, -h, RULE_WIDTH);
  if (top) add_prule(l, left, 0, x, 0, RULE_WIDTH);
  if (bottom) add_prule(l, left, -h, x, -h, RULE_WIDTH);
}

/* Splits a row taller than a page (its content already stacked, from
 * glyph g0, rule r0, field f0 and image i0 on, its cell lines in lines)
 * into strips at the line boundaries that no line of any cell straddles,
 * one box per strip, so that pagination can break the row between two
 * lines.  Each strip draws its column edges; the first the row's top line
 * and the last its bottom line; a strip that ends or starts a page gets
 * the line there when the page is made (flush_letter). */
/* The forced split of a row whose cells' lines never line up for long
 * enough (an image in one cell shifts its lines against another's): each
 * column flows into parts `part` high, a line that would cross a part's end
 * moving down to the next part with the rest of its column.  Fills each
 * line's strip and shift, and cuts[0..] with the parts' tops; returns the
 * number of parts and the row's new height in *height. */
static size_t flow_row(rline *lines, size_t n, int ncols, double part,
                       double *cuts, double *height) {
  double *shift = lp_xcalloc((size_t)ncols + 1, sizeof *shift);
  size_t nparts = 1;
  qsort(lines, n, sizeof *lines, by_top);
  for (size_t k = 0; k < n; k++) {
    rline *ln = &lines[k];
    int c = ln->col >= 0 && ln->col < ncols ? ln->col : ncols;
    double top = ln->top + shift[c], bottom = ln->bottom + shift[c];
    size_t p = (size_t)(top / part + 1e-9);
    double end = (double)(p + 1) * part;
    if (bottom > end + 1e-6 && bottom - top <= part) {
      shift[c] += end - top; /* to the next part's top, with its column */
      bottom += end - top;
      p++;
    }
    ln->strip = p;
    ln->shift = shift[c];
    if (p + 1 > nparts) nparts = p + 1;
    if (bottom > *height) *height = bottom;
  }
  for (size_t p = 0; p < nparts; p++) cuts[p] = (double)p * part;
  free(shift);
  return nparts;
}

static void split_row(L *l, rline *lines, size_t n, const double *widths,
                      int ncols, double left, double height, double max_h,
                      size_t g0, size_t r0, size_t f0, size_t i0) {
  /* Cuts: line bottoms below which some line starts, with no line
   * running across (the lines with a top above the cut end above it). */
  qsort(lines, n, sizeof *lines, by_top);
  double *cuts = lp_xcalloc(n + 1, sizeof *cuts);
  size_t ncuts = 1; /* cuts[0] = 0: the first strip's top */
  double reach = 0; /* lowest bottom of the lines above the cut so far */
  for (size_t k = 0; k + 1 < n; k++) {
    if (lines[k].bottom > reach) reach = lines[k].bottom;
    double y = lines[k + 1].top;
    if (y >= reach - 1e-6 && y > cuts[ncuts - 1] + 1e-6) cuts[ncuts++] = y;
  }
  bool fits = true; /* every strip fits on a page */
  for (size_t s = 0; s < ncuts; s++)
    fits &= (s + 1 < ncuts ? cuts[s + 1] : height) - cuts[s] <= max_h + 1e-6;
  if (fits) {
    for (size_t k = 0, s = 0; k < n; k++) {
      while (s + 1 < ncuts && cuts[s + 1] <= lines[k].top + 1e-6) s++;
      lines[k].strip = s;
    }
  } else {
    ncuts = flow_row(lines, n, ncols, max_h - FLOW_SLACK, cuts, &height);
  }
  qsort(lines, n, sizeof *lines, by_strip);
  /* Take the row's content out, then put it back strip by strip, each
   * strip's coordinates from its own top. */
  size_t ng = l->nglyphs - g0, nr = l->nrules - r0, nf = l->nfields - f0,
         ni = l->npimages - i0;
  pglyph *gs = lp_xmalloc((ng + 1) * sizeof *gs);
  prule *rs = lp_xmalloc((nr + 1) * sizeof *rs);
  lp_dfield *fs = lp_xmalloc((nf + 1) * sizeof *fs);
  pimage *is = lp_xmalloc((ni + 1) * sizeof *is);
  if (ng) memcpy(gs, l->glyphs + g0, ng * sizeof *gs);
  if (nr) memcpy(rs, l->rules + r0, nr * sizeof *rs);
  if (nf) memcpy(fs, l->fields + f0, nf * sizeof *fs);
  if (ni) memcpy(is, l->pimages + i0, ni * sizeof *is);
  l->nglyphs = g0, l->nrules = r0, l->nfields = f0, l->npimages = i0;
  uint32_t row_para = l->npara++;
  for (size_t k = 0; k < n;) {
    size_t s = lines[k].strip;
    double top = cuts[s], bottom = s + 1 < ncuts ? cuts[s + 1] : height;
    lbox *b = new_box(l);
    for (; k < n && lines[k].strip == s; k++) {
      lbox lb = lines[k].box;
      size_t at = l->nglyphs;
      l->glyphs = append_items(l->glyphs, &l->nglyphs, &l->glyphs_cap,
                               sizeof *gs, gs + (lb.g0 - g0), lb.g1 - lb.g0);
      double up = top - lines[k].shift; /* strip coordinates */
      for (size_t j = at; j < l->nglyphs; j++) l->glyphs[j].dy += up;
      at = l->nrules;
      l->rules = append_items(l->rules, &l->nrules, &l->rules_cap,
                              sizeof *rs, rs + (lb.r0 - r0), lb.r1 - lb.r0);
      for (size_t j = at; j < l->nrules; j++)
        l->rules[j].dy1 += up, l->rules[j].dy2 += up;
      at = l->nfields;
      l->fields = append_items(l->fields, &l->nfields, &l->fields_cap,
                               sizeof *fs, fs + (lb.f0 - f0), lb.f1 - lb.f0);
      for (size_t j = at; j < l->nfields; j++)
        l->fields[j].y1 += up, l->fields[j].y2 += up;
      at = l->npimages;
      l->pimages =
          append_items(l->pimages, &l->npimages, &l->pimages_cap, sizeof *is,
                       is + (lb.i0 - i0), lb.i1 - lb.i0);
      for (size_t j = at; j < l->npimages; j++) l->pimages[j].dy += up;
    }
    row_borders(l, widths, ncols, left, bottom - top, s == 0,
                s + 1 == ncuts);
    b->g1 = l->nglyphs, b->r1 = l->nrules, b->f1 = l->nfields;
    b->i1 = l->npimages;
    b->height = bottom - top;
    /* Strips between lines keep the widow and orphan rules; a forced
     * part is a page of its own, with nothing to keep. */
    b->line = fits ? (uint32_t)s : 0;
    b->nlines = fits ? (uint32_t)ncuts : 1;
    b->orphans = (uint8_t)l->orphans;
    b->para = row_para;
    b->row_left = left;
    b->row_right = left;
    for (int c = 0; c < ncols; c++) b->row_right += widths[c];
  }
  free(gs);
  free(rs);
  free(fs);
  free(is);
  free(cuts);
}

/* Lays out one table row: each cell's paragraph in its column, stacked into
 * one box with borders, or into strips when the row is taller than max_h
 * (split_row).  The row's boxes start at *index. */
static bool table_row(L *l, cmark_node *row, const double *widths, int ncols,
                      const uint8_t *aligns, double left, double max_h,
                      size_t *index) {
  bool header = cmark_gfm_extensions_get_table_row_is_header(row);
  double pad = CELL_PAD_EM * l->size, x = left;
  size_t first = l->nboxes;
  size_t g0 = l->nglyphs, r0 = l->nrules, f0 = l->nfields, i0 = l->npimages;
  double height = 0;
  rline *lines = NULL;
  size_t nlines = 0, lines_cap = 0;
  int c = 0;
  for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
       cell = cmark_node_next(cell), c++) {
    pstyle st = body_style(l, x + pad, widths[c] - 2 * pad, 1);
    st.before = 0;
    st.align = aligns && aligns[c] == 'c'   ? ALIGN_CENTER
               : aligns && aligns[c] == 'r' ? ALIGN_RIGHT
                                            : ALIGN_LEFT;
    para p = {0};
    collect_inlines(l, cell, &p, header, false, 0, l->size);
    size_t from = l->nboxes;
    /* Images in the cell: blocks in the cell's column, as in a paragraph,
     * the text around them stacked above and below. */
    bool ok = layout_paragraph(l, &p, st, cmark_node_get_start_line(cell));
    para_free(&p);
    if (!ok) {
      free(lines);
      return false;
    }
    double y = pad;
    for (size_t k = from; k < l->nboxes; k++) {
      lbox *lb = &l->boxes[k];
      if (k > from) y += lb->before; /* between text and an image */
      shift_box(l, lb, y + lb->baseline);
      LP_GROW(lines, lines_cap, nlines + 1);
      lines[nlines++] = (rline){*lb, y, y + lb->height, 0, c, 0};
      y += lb->height;
    }
    if (y + pad > height) height = y + pad;
    x += widths[c];
  }
  l->nboxes = first;
  *index = first;
  if (height > max_h && nlines > 1) {
    split_row(l, lines, nlines, widths, ncols, left, height, max_h, g0, r0,
              f0, i0);
    free(lines);
    return true;
  }
  free(lines);
  row_borders(l, widths, ncols, left, height, true, true);
  lbox *b = new_box(l);
  b->g0 = g0, b->r0 = r0, b->f0 = f0, b->i0 = i0;
  b->g1 = l->nglyphs, b->r1 = l->nrules, b->f1 = l->nfields;
  b->i1 = l->npimages;
  b->height = height;
  b->baseline = 0;
  b->para = l->npara++;
  return true;
}

/* A GFM table: column widths from the content, cells wrapped in their
 * columns, thin borders; a row stays whole unless it is taller than a page
 * (then it is split between lines); the header row keeps with the first
 * body row and is repeated at the top of each page the table continues
 * on. */
static bool layout_table(L *l, cmark_node *table, double left, double width) {
  int ncols = cmark_gfm_extensions_get_table_columns(table);
  if (ncols <= 0) return true;
  const uint8_t *aligns = cmark_gfm_extensions_get_table_alignments(table);
  double *widths = lp_xcalloc((size_t)ncols, sizeof *widths);
  bool ok = table_columns(l, table, ncols, width, widths);
  size_t header = 0;
  bool has_header = false, first = true;
  /* A row taller than this is split; below the header row, a page has
   * room for less (the header is repeated above). */
  double max_h = l->page_h - l->margin[0] - l->margin[2];
  for (cmark_node *row = cmark_node_first_child(table); row && ok;
       row = cmark_node_next(row)) {
    size_t at;
    bool is_header = cmark_gfm_extensions_get_table_row_is_header(row);
    ok = table_row(l, row, widths, ncols, aligns, left, max_h, &at);
    if (!ok || at == l->nboxes) continue;
    if (first) l->boxes[at].before = l->para_space * l->size;
    first = false;
    if (is_header) {
      /* Repeated on each page the table continues on, unless it had to
       * be split itself. */
      has_header = l->nboxes == at + 1;
      header = at;
      l->boxes[l->nboxes - 1].keep_with_next = true;
      if (has_header && l->boxes[at].height < max_h / 2)
        max_h -= l->boxes[at].height;
      else
        has_header = false;
    } else if (has_header) {
      for (size_t k = at; k < l->nboxes; k++)
        l->boxes[k].header_back = (uint32_t)(k - header);
    }
  }
  free(widths);
  return ok;
}

/* A block quote: its blocks indented by quote-indent, with a thin gray
 * rule down the left edge of the column beside all of its lines (drawn at
 * pagination, one segment per page; nested quotes get nested rules). */
static bool layout_quote(L *l, cmark_node *node, double left, double width,
                         int depth) {
  LP_GROW(l->quotes, l->quotes_cap, l->nquotes + 1);
  l->quotes[l->nquotes++] =
      (qspan){l->nboxes, 0, left + QUOTE_RULE_WIDTH / 2, true};
  double indent = nested_indent(l, width, l->quote_indent);
  bool ok = layout_blocks(l, node, left + indent, width - indent, depth + 1,
                          false, NULL);
  /* The innermost open quote is this one (a letter that started inside
   * it may have moved it in the array). */
  for (size_t q = l->nquotes; q-- > 0;)
    if (l->quotes[q].open) {
      l->quotes[q].open = false;
      l->quotes[q].b1 = l->nboxes;
      break;
    }
  return ok;
}

/* Lays out the block children of parent in the column [left, left+width).
 * marker, when given, is drawn before the first line of the first block. */
static bool layout_blocks(L *l, cmark_node *parent, double left, double width,
                          int depth, bool tight, const char *marker) {
  const lp_limits *lim = l->env->limits;
  if (lim && lim->max_depth && depth > (int)lim->max_depth)
    return lp_fail(l->err, LP_ERR_INPUT, l->tpl->name,
                   lp_fill_body_line(l->env->fill, cmark_node_get_start_line(parent)) +
                       l->tpl->body_line - 1,
                   cmark_node_get_start_column(parent),
                   "lists and quotes are nested more than %u deep here (the "
                   "limit): flatten them, or raise the limit with --max-depth",
                   lim->max_depth);
  if (width < l->size * 2) width = l->size * 2; /* deep nesting */
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
      pstyle st = body_style(l, left, width, depth);
      if (tight && !first) st.before = 0;
      if (tight && first && m) st.before = l->size * 0.2;
      st.marker = m;
      para p = {0};
      collect_inlines(l, node, &p, false, false, 0, l->size);
      /* {.right} or {.center} at the end sets the paragraph that way. */
      align_t attr = take_align_attr(&p);
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
          lp_locales_opening_word(l->lang, txt, p.text.len) ||
          (p.typed_break && !lp_locales_closing_pair(txt, p.text.len)))
        st.first_indent = 0;
      ok = layout_paragraph(l, &p, st, cmark_node_get_start_line(node));
      para_free(&p);
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
    default:
      if (!strcmp(cmark_node_get_type_string(node), "table")) {
        ok = layout_table(l, node, left, width);
        break;
      }
      /* Other extension blocks: their children as paragraphs. */
      ok = layout_blocks(l, node, left, width, depth + 1, true, m);
    }
    if (!ok) return false;
  }
  return true;
}

/* ---- Pagination --------------------------------------------------------- */

static lp_dpage *new_page(L *l) {
  lp_dpage *pg = lp_display_add_page(l->out, l->page_w, l->page_h);
  LP_GROW(l->page_letter, l->page_letter_cap, l->out->npages);
  l->page_letter[l->out->npages - 1] = l->nletters - 1;
  l->letters[l->nletters - 1].npages++;
  return pg;
}

/* The seal (front matter `seal`, a PNG with transparency) is stamped over
 * the first signature field of each letter, over the text, as a company
 * seal is pressed over the signature line: its centre on the field's left
 * part, half a line above the baseline. */
static void place_seal(L *l, lp_dpage *pg, const lbox *b, double base) {
  if (!l->seal || l->seal_placed) return;
  for (size_t k = b->f0; k < b->f1; k++) {
    const lp_dfield *f = &l->fields[k];
    if (f->kind != LP_FIELD_SIGNATURE) continue;
    double w, h;
    image_size(l->seal, SEAL_MAX, SEAL_MAX, &w, &h);
    double cx = f->x1 + (f->x2 - f->x1 < w ? (f->x2 - f->x1) / 2 : w / 2);
    double cy = base + SEAL_RISE_EM * f->font_size;
    lp_dpage_add_image(pg, l->seal, cx - w / 2, cy - h / 2, w, h, true);
    l->seal_placed = true;
    return;
  }
}

/* Copies box b to page pg with its top at distance top from the page top. */
static void place_box(L *l, lp_dpage *pg, const lbox *b, double top) {
  double base = l->page_h - (top + b->baseline);
  lp_face *face = NULL;
  double size = 0;
  for (size_t k = b->g0; k < b->g1; k++) {
    const pglyph *g = &l->glyphs[k];
    if (g->face != face || g->size != size) {
      lp_dpage_add_run(pg, g->face, g->size, g->gray);
      face = g->face;
      size = g->size;
    }
    lp_dpage_add_glyph(l->out, pg, g->gid, g->x, base + g->dy, g->advance,
                       g->tlen ? (const char *)l->text.data + g->toff : NULL,
                       g->tlen);
  }
  for (size_t k = b->r0; k < b->r1; k++) {
    const prule *r = &l->rules[k];
    lp_dpage_add_rule(pg, r->x1, base + r->dy1, r->x2, base + r->dy2,
                      r->width, 0);
  }
  for (size_t k = b->f0; k < b->f1; k++) {
    const lp_dfield *f = &l->fields[k];
    lp_dpage_add_field(pg, f->kind, f->name, f->x1, base + f->y1, f->x2,
                       base + f->y2, f->font_size, f->checked);
  }
  for (size_t k = b->i0; k < b->i1; k++) {
    const pimage *im = &l->pimages[k];
    lp_dpage_add_image(pg, im->data, im->x, base + im->dy, im->w, im->h,
                       im->over_text);
  }
  place_seal(l, pg, b, base);
  if (b->outline >= 0)
    lp_display_add_outline(l->out, l->letters[b->outline].title,
                           l->out->npages - 1, l->page_h - top + b->before);
}

/* Where the page that box i overflows should start instead of at i, so
 * that no paragraph leaves fewer than `orphans` lines at the bottom of a
 * page or fewer than `widows` at the top of the next (2 each by default, a
 * list item's first two lines always together), and a heading never ends
 * a page.  Boxes from page_start stay on the current page; at least one
 * does. */
static size_t better_break(const L *l, size_t i, size_t page_start) {
  const lbox *b = &l->boxes[i];
  size_t at = i;
  uint32_t before = b->line, after = b->nlines - b->line;
  uint32_t orphans = b->orphans ? b->orphans : 1;
  uint32_t widows = (uint32_t)l->widows;
  if (before > 0 && after > 0) {
    if (after < widows) before -= widows - after < before ? widows - after
                                                          : before;
    if (before < orphans) before = 0; /* take the paragraph along */
    at = i - (b->line - before);
  }
  while (at > page_start + 1 && l->boxes[at - 1].keep_with_next) at--;
  return at > page_start ? at : i;
}

/* The signature block is never split across pages: a one-line label just
 * before the signature line (承诺单位（盖章）：…), the lines of the
 * paragraph with the signature field, and the date line right after it
 * keep together. */
static void keep_signature_blocks(L *l) {
  for (size_t i = 0; i < l->nboxes; i++) {
    lbox *b = &l->boxes[i];
    if (!(b->kind & BOX_SIGNATURE)) continue;
    if (b->line + 1 < b->nlines) {
      b->keep_with_next = true;
      continue;
    }
    if (i + 1 < l->nboxes && (l->boxes[i + 1].kind & BOX_DATE))
      b->keep_with_next = true;
    size_t first = i - b->line;
    if (first > 0 && (l->boxes[first - 1].kind & BOX_LABEL) &&
        !(l->boxes[first - 1].kind & BOX_SIGNATURE))
      l->boxes[first - 1].keep_with_next = true;
  }
}

/* The height of the table header row repeated above box i when i starts
 * a page, or 0. */
static double repeated_header_height(const L *l, size_t i) {
  const lbox *b = &l->boxes[i];
  return b->header_back && b->header_back <= i
             ? l->boxes[i - b->header_back].height
             : 0;
}

/* Marks the boxes that start a page: each box goes where it fits, a box
 * that keeps with the next one only if that one fits too (a heading with
 * the first line after it), and breaks move back to honour better_break. */
static void find_page_breaks(L *l) {
  double top = l->margin[0], bottom = l->page_h - l->margin[2];
  double y = top;
  size_t page_start = 0, i = 0;
  for (size_t k = 0; k < l->nboxes; k++) l->boxes[k].page_break = false;
  while (i < l->nboxes) {
    const lbox *b = &l->boxes[i];
    double before = i > page_start ? b->before : 0;
    double need = before + b->height;
    for (size_t j = i; j + 1 < l->nboxes && l->boxes[j].keep_with_next;) {
      j++;
      need += l->boxes[j].before + l->boxes[j].height;
    }
    if (y + need > bottom + 1e-6 && i > page_start) {
      size_t at = better_break(l, i, page_start);
      l->boxes[at].page_break = true;
      page_start = i = at;
      y = top + repeated_header_height(l, at);
      continue;
    }
    y += before + b->height;
    i++;
  }
}

/* Draws the rules of the letter's block quotes: for each quote, one
 * segment per page, from the top of its first box on that page to the
 * bottom of its last.  page, top and bottom give each box's display page
 * and extent (from the page top). */
static void draw_quote_rules(L *l, const size_t *page, const double *top,
                             const double *bottom) {
  for (size_t q = 0; q < l->nquotes; q++) {
    const qspan *s = &l->quotes[q];
    size_t b1 = s->open ? l->nboxes : s->b1;
    for (size_t i = s->b0; i < b1;) {
      size_t j = i;
      while (j + 1 < b1 && page[j + 1] == page[i]) j++;
      lp_dpage_add_rule(&l->out->pages[page[i]], s->x, l->page_h - top[i],
                        s->x, l->page_h - bottom[j], QUOTE_RULE_WIDTH,
                        QUOTE_RULE_GRAY);
      i = j + 1;
    }
  }
  /* Quotes still open go on in the next letter, from its first box. */
  size_t n = 0;
  for (size_t q = 0; q < l->nquotes; q++)
    if (l->quotes[q].open) {
      l->quotes[n] = l->quotes[q];
      l->quotes[n++].b0 = 0;
    }
  l->nquotes = n;
}

/* Paginates the current letter's boxes onto new pages and clears them. */
static bool flush_letter(L *l) {
  double top = l->margin[0];
  letter *lt = &l->letters[l->nletters - 1];
  /* The letterhead heads the letter's first page, across the column. */
  if (l->letterhead) {
    lbox *h = image_box(l, l->letterhead, l->margin[3],
                        l->page_w - l->margin[1] - l->margin[3],
                        LETTERHEAD_MAX_H, ALIGN_CENTER);
    h->before = 0;
    h->height += LETTERHEAD_SPACE_EM * l->size;
    h->keep_with_next = true;
    lbox head = *h;
    memmove(l->boxes + 1, l->boxes, (l->nboxes - 1) * sizeof *l->boxes);
    l->boxes[0] = head;
    for (size_t q = 0; q < l->nquotes; q++) {
      l->quotes[q].b0++;
      l->quotes[q].b1 += !l->quotes[q].open;
    }
  }
  lt->first_page = l->out->npages;
  lp_dpage *pg = new_page(l);
  /* A letter without a level-1 heading still gets its outline entry. */
  if (!lt->has_heading) {
    lp_buf t = {0};
    if (lt->title && *lt->title)
      lp_buf_puts(&t, lt->title);
    else
      lp_buf_printf(&t, "%zu", l->nletters);
    lp_display_add_outline(l->out, (char *)t.data, lt->first_page, l->page_h);
    lp_buf_free(&t);
  }
  keep_signature_blocks(l);
  find_page_breaks(l);
  size_t pages = l->out->npages;
  for (size_t i = 0; i < l->nboxes; i++) pages += l->boxes[i].page_break;
  const lp_limits *lim = l->env->limits;
  if (lim && lim->max_pages && pages > lim->max_pages)
    return lp_fail(l->err, LP_ERR_INPUT, l->tpl->name, 0, 0,
                   "the document would have more than %u pages (the limit): "
                   "raise it with --max-pages",
                   lim->max_pages);
  double y = top;
  /* Where each box went: its page and extent, for the quote rules. */
  size_t *page = lp_xcalloc(l->nboxes + 1, sizeof *page);
  double *btop = lp_xcalloc(l->nboxes + 1, sizeof *btop);
  double *bbottom = lp_xcalloc(l->nboxes + 1, sizeof *bbottom);
  for (size_t i = 0; i < l->nboxes; i++) {
    const lbox *b = &l->boxes[i];
    if (b->page_break) {
      pg = new_page(l);
      y = top;
      if (repeated_header_height(l, i) > 0) {
        place_box(l, pg, &l->boxes[i - b->header_back], y);
        y += l->boxes[i - b->header_back].height;
      }
    }
    y += y > top ? b->before : 0;
    page[i] = l->out->npages - 1;
    /* A repeated table header belongs to the table's first box here. */
    btop[i] = b->page_break ? top : y;
    place_box(l, pg, b, y);
    /* A table row split across pages is closed at the page bottom and
     * opened again at the top (where no repeated header does it). */
    bool split = b->row_right > b->row_left;
    if (split && b->line > 0 && b->page_break && y == top)
      lp_dpage_add_rule(pg, b->row_left, l->page_h - y, b->row_right,
                        l->page_h - y, RULE_WIDTH, 0);
    y += b->height;
    if (split && b->line + 1 < b->nlines && i + 1 < l->nboxes &&
        l->boxes[i + 1].page_break)
      lp_dpage_add_rule(pg, b->row_left, l->page_h - y, b->row_right,
                        l->page_h - y, RULE_WIDTH, 0);
    bbottom[i] = y;
  }
  draw_quote_rules(l, page, btop, bbottom);
  free(page);
  free(btop);
  free(bbottom);
  for (size_t k = 0; k < l->nfields; k++) free(l->fields[k].name);
  l->nboxes = l->nglyphs = l->nrules = l->nfields = 0;
  l->npara = 0;
  l->npimages = 0;
  l->seal_placed = false;
  l->text.len = 0;
  return true;
}

/* ---- Header and footer -------------------------------------------------- */

const char *lp_layout_default_footer(const char *lang) {
  return lp_locales_footer(lang);
}

/* Expands {page} and {pages} in fmt. */
static void expand_numbers(const char *fmt, size_t page, size_t pages,
                           lp_buf *out) {
  for (const char *p = fmt; *p;) {
    if (!strncmp(p, "{page}", 6)) {
      lp_buf_printf(out, "%zu", page);
      p += 6;
    } else if (!strncmp(p, "{pages}", 7)) {
      lp_buf_printf(out, "%zu", pages);
      p += 7;
    } else {
      lp_buf_append(out, p++, 1);
    }
  }
}

/* Draws one centred line of text on page pg with its baseline at y. */
static void draw_centered(L *l, lp_dpage *pg, const char *text, double y) {
  double size = l->size * FOOTER_SCALE;
  if (size < FOOTER_MIN_SIZE) size = FOOTER_MIN_SIZE;
  para p = {0};
  para_add(&p, text, strlen(text), l->chains[LP_STYLE_REGULAR], size, 0);
  if (!p.text.len) return;
  lp_shaped sh = {0};
  lp_shape_cached(l->env->shapes, (char *)p.text.data, p.text.len, p.spans,
                  p.nspans, l->lang, &sh);
  double w = 0;
  for (size_t k = 0; k < sh.count; k++) w += sh.glyphs[k].advance;
  double x = (l->page_w - w) / 2;
  lp_face *face = NULL;
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    if (g->flags & LP_SG_BLANK) {
      x += g->advance;
      continue;
    }
    if (g->face != face) {
      lp_dpage_add_run(pg, g->face, size, META_GRAY);
      face = g->face;
    }
    bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
    lp_dpage_add_glyph(l->out, pg, g->gid, x + g->x_offset, y + g->y_offset,
                       g->advance,
                       start ? (const char *)p.text.data + g->cluster : NULL,
                       start ? g->cluster_end - g->cluster : 0);
    x += g->advance;
  }
  lp_shaped_free(&sh);
  para_free(&p);
}

/* Adds headers and footers to every page, numbered per letter or for the
 * whole document. */
static void add_page_furniture(L *l) {
  const lp_meta *m = &l->tpl->meta;
  const lp_fill *ff = l->env->footer, *hf = l->env->header;
  size_t n;
  const char *footer = ff ? lp_fill_source(ff, &n)
                       : m->footer ? m->footer
                                   : lp_layout_default_footer(l->lang);
  const char *header = hf ? lp_fill_source(hf, &n) : m->header;
  size_t total = l->out->npages;
  for (size_t i = 0; i < total; i++) {
    const letter *lt = &l->letters[l->page_letter[i]];
    size_t page = i + 1, pages = total;
    if (m->numbering == LP_NUMBER_LETTER) {
      page = i - lt->first_page + 1;
      pages = lt->npages;
    }
    lp_dpage *pg = &l->out->pages[i];
    lp_buf s = {0};
    if (*footer) {
      expand_numbers(footer, page, pages, &s);
      lp_fill_values(ff, &s); /* the data's "{page}" stays text */
      draw_centered(l, pg, (char *)s.data, l->margin[2] / 2);
    }
    if (header && *header) {
      s.len = 0;
      expand_numbers(header, page, pages, &s);
      lp_fill_values(hf, &s);
      draw_centered(l, pg, (char *)s.data, l->page_h - l->margin[0] / 2);
    }
    lp_buf_free(&s);
  }
}

/* ---- Entry point -------------------------------------------------------- */

/* An amount from the front matter in pt, or def_em of the body size when
 * it is not given. */
static double amount(const L *l, const lp_amount *a, double def_em) {
  if (!a || !a->set) return def_em * l->size;
  return a->em * l->size + a->pt;
}

/* Derives page and type settings from the front matter and defaults. */
static bool setup(L *l) {
  const lp_meta *m = &l->tpl->meta;
  l->lang = lp_template_lang(l->tpl);
  l->cjk = lp_lang_is_cjk(l->lang);
  bool us = lp_lang_is(l->lang, "en") && strlen(l->lang) >= 5 &&
            (!strcasecmp(l->lang + 3, "US") || !strcasecmp(l->lang + 3, "CA"));
  l->page_w = m->paper_w ? m->paper_w : us ? 612 : 210 * MM;
  l->page_h = m->paper_h ? m->paper_h : us ? 792 : 297 * MM;
  for (int i = 0; i < 4; i++)
    l->margin[i] = m->margin_set ? m->margin[i] : DEFAULT_MARGIN_MM * MM;
  l->size = m->font_size ? m->font_size : DEFAULT_SIZE;
  l->leading = m->line_height ? m->line_height
               : l->cjk       ? DEFAULT_LEADING_CJK
                              : DEFAULT_LEADING_LATIN;
  /* First-line indent: two characters for Chinese (clreq 2.2.1), one for
   * Japanese (jlreq 3.6.2 字下げ), none for other languages. */
  l->first_indent_em = lp_lang_is(l->lang, "zh")   ? 2
                       : lp_lang_is(l->lang, "ja") ? 1
                                                   : 0;
  double text_w = l->page_w - l->margin[1] - l->margin[3];
  double text_h = l->page_h - l->margin[0] - l->margin[2];
  if (text_w < l->size * 4 || text_h < l->size * 4)
    return lp_fail(l->err, LP_ERR_INPUT, l->tpl->name, 0, 0,
                   "the margins leave no room for text on this paper: make "
                   "'margin' smaller");
  for (int s = 0; s < LP_STYLE_COUNT; s++) {
    l->chains[s] = lp_fonts_chain_mixed(l->env->fonts, m->font, m->latin_font,
                                        l->lang, (lp_style)s, l->err);
    if (!l->chains[s]) return false;
    l->hchains[s] = l->chains[s];
    if (m->heading_font && *m->heading_font)
      l->hchains[s] =
          lp_fonts_chain_mixed(l->env->fonts, m->heading_font, m->latin_font,
                               l->lang, (lp_style)s, l->err);
    if (!l->hchains[s]) return false;
  }
  l->cur = l->chains;
  if (m->letterhead && !(l->letterhead = load_image(l, m->letterhead, 1, 1)))
    return false;
  if (m->seal && !(l->seal = load_image(l, m->seal, 1, 1))) return false;
  l->para_space = m->paragraph_spacing_set ? m->paragraph_spacing
                                            : PARA_SPACE_EM;
  for (int k = 0; k < 7; k++) {
    const lp_amount *sp = k >= 1 && k <= 3 ? m->heading_spacing[k - 1] : NULL;
    l->heading[k].scale = k >= 1 && k <= 3 && m->heading_sizes[k - 1] > 0
                              ? m->heading_sizes[k - 1]
                              : heading_style[k].scale;
    l->heading[k].before = amount(l, sp ? &sp[0] : NULL,
                                  heading_style[k].before);
    l->heading[k].after = amount(l, sp ? &sp[1] : NULL,
                                 heading_style[k].after);
    l->heading[k].align = heading_style[k].align;
  }
  l->list_indent = amount(l, &m->list_indent, LIST_INDENT_EM);
  l->quote_indent = amount(l, &m->quote_indent, QUOTE_INDENT_EM);
  l->hyphenate = !m->no_hyphenate;
  l->word_spaces = lp_lang_is(l->lang, "ko");
  l->bracket_trim =
      lp_lang_is(l->lang, "ja") ||
      (lp_lang_is(l->lang, "zh") && !lp_locales_traditional(l->lang));
  l->orphans = m->orphans ? m->orphans : DEFAULT_KEEP_LINES;
  l->widows = m->widows ? m->widows : DEFAULT_KEEP_LINES;
  return true;
}

static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(cmark_node *const *)a,
            y = (uintptr_t)*(cmark_node *const *)b;
  return (x > y) - (x < y);
}

/* Warns about each image of the tree that the layout neither drew nor
 * reported: an image is never lost without a word.  (One in another
 * image's description is the alt text's, which is not printed.) */
static void warn_lost_images(L *l, cmark_node *doc) {
  if (l->nplaced) /* (qsort of no array is undefined) */
    qsort(l->placed, l->nplaced, sizeof *l->placed, by_address);
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_IMAGE)
      continue;
    if (l->nplaced && bsearch(&n, l->placed, l->nplaced, sizeof n,
                              by_address))
      continue;
    bool in_image = false;
    for (cmark_node *a = cmark_node_parent(n); a; a = cmark_node_parent(a))
      in_image = in_image || cmark_node_get_type(a) == CMARK_NODE_IMAGE;
    warn_image(l, n,
               in_image ? "an image inside another image's description is "
                          "part of its alt text, which is not printed"
                        : "images are drawn in paragraphs, headings and "
                          "table cells only");
  }
  cmark_iter_free(it);
}

bool lp_layout_document(const lp_layout_env *env, const lp_template *tpl,
                        cmark_node *doc, lp_display *out, lp_error *err) {
  L l = {0};
  l.env = env;
  l.tpl = tpl;
  l.out = out;
  l.err = err;
  bool ok = setup(&l);
  if (ok) {
    start_letter(&l, env->title ? env->title : "");
    double width = l.page_w - l.margin[1] - l.margin[3];
    ok = layout_blocks(&l, doc, l.margin[3], width, 0, false, NULL) &&
         flush_letter(&l);
  }
  if (ok) add_page_furniture(&l);
  if (ok) warn_lost_images(&l, doc);
  for (size_t i = 0; i < l.nletters; i++) free(l.letters[i].title);
  free(l.letters);
  free(l.boxes);
  free(l.glyphs);
  free(l.rules);
  for (size_t k = 0; k < l.nfields; k++) free(l.fields[k].name);
  free(l.fields);
  free(l.pimages);
  free(l.placed);
  free(l.quotes);
  for (size_t k = 0; k < l.nimages; k++) lp_dimage_data_unref(l.images[k]);
  free(l.images);
  free(l.page_letter);
  lp_buf_free(&l.text);
  return ok;
}
