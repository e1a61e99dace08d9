/* lay_state.h - the layout's private state, shared by layout.c and the
 * lay_*.c modules: the measures (all lengths in pt or em of the body
 * size), the line box and what it holds, a collected paragraph and its
 * style, and the state L in three parts: the style (constant for a
 * document), the letter being laid out, and the document.  L is made and
 * freed by lp_layout_document (layout.c); the functions here append to its
 * stores and map positions back to the template.  Private to the layout. */
#ifndef LP_LAY_STATE_H
#define LP_LAY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmark-gfm.h>

#include "display.h"
#include "fill.h"
#include "fonts.h"
#include "layout_env.h"
#include "shape.h"
#include "template.h"
#include "util.h"

/* How a line or block is aligned in its column. */
typedef enum { ALIGN_JUSTIFY, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } align_t;

/* A glyph placed in a line box: x absolute, dy relative to the baseline. */
typedef struct pglyph {
  lp_face *face;
  double size, x, dy, advance, gray;
  uint32_t gid;
  uint32_t toff, tlen; /* text in the layout's text store; tlen 0 = none */
  uint32_t tag, part;  /* structure element and content part (tags.h) */
} pglyph;

/* An image placed in a line box: x absolute, dy of its bottom relative to
 * the baseline. */
typedef struct pimage {
  lp_dimage_data *data; /* borrowed from the layout's images */
  double x, dy, w, h;
  bool over_text;
  uint32_t tag; /* its Figure element, or 0 (an artifact) */
} pimage;

/* A rule (line) in a line box: from (x1, dy1) to (x2, dy2), dy relative to
 * the baseline. */
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
  size_t k0, k1;         /* range in the letter's link rectangles */
  int outline;    /* index into the letter titles, or -1 */
} lbox;

/* A span flag of the layout's own (beside shape.h's LP_SPAN_*): raised
 * text, a footnote reference's superscript number. */
#define SPAN_RAISED (1u << 8)
#define RAISE_EM 0.62 /* how far raised text is raised, in its own size */

/* What a paragraph is, for the keep rules of the signature block. */
enum {
  BOX_SIGNATURE = 1, /* has a signature field */
  BOX_DATE = 2,      /* a date line (日期：, Date:, 日付：) */
  BOX_LABEL = 4 /* a one-line label such as 承诺单位（盖章）：… */
};

/* A link rectangle in a line box (one per line a link reaches), relative
 * to the box baseline like a field; it becomes a /Link annotation. */
typedef struct plink {
  double x1, dy1, x2, dy2;
  uint32_t link; /* index into the letter's links */
} plink;

/* A link of the letter: where it goes, its text (the annotation's
 * /Contents) and its Link structure element. */
typedef struct llink {
  char *url, *text;
  uint32_t tag;
} llink;

/* A footnote of the letter (lay_notes.h): numbered in reference order,
 * set at the bottom of the page of its reference's line (its owner box),
 * its lines going on to the next page when they do not fit. */
typedef struct lnote {
  cmark_node *def; /* the footnote definition, or NULL: */
  char *url;       /* a link's address printed as a note (print-urls) */
  uint32_t number; /* 1, 2, ... in the letter */
  size_t owner;    /* the box with the reference, SIZE_MAX until known */
  size_t b0, b1;   /* its lines in the letter's note boxes */
  bool laid;       /* its lines are made */
  uint32_t tag;    /* its Note element */
  int line;        /* body line of the reference, for warnings */
} lnote;

/* A block quote: its boxes [b0, b1) of the letter get a rule at x, drawn
 * beside them on every page they reach.  While the quote is being laid out
 * it is open (b1 not yet known). */
typedef struct qspan {
  size_t b0, b1;
  double x;
  bool open;
} qspan;

/* A letter of the document: its title (outline), and its pages. */
typedef struct letter {
  char *title;
  size_t first_page, npages;
  bool has_heading; /* its title comes from a level-1 heading */
  uint32_t sect;    /* its Sect structure element */
} letter;

/* The style: what the template's settings make (setup in layout.c, from
 * the defaults in lay_state.h and the front matter), constant for the
 * document and read by every block layout. */
typedef struct lay_style {
  const char *lang;
  bool cjk;
  double page_w, page_h, margin[4];
  double size, leading, first_indent_em;
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
  int orphans, widows; /* minimum lines at a page bottom / top */
  bool hyphenate;    /* front matter `hyphenate` (default true) */
  bool bracket_trim; /* opening brackets lose their blank at a line start */
  bool word_spaces;  /* lines stretch at word spaces only (Korean) */
  lp_dimage_data *letterhead, *seal; /* from the front matter, or NULL;
                                        borrowed from doc.images */
} lay_style;

/* The letter being laid out: its line boxes and the stores they index
 * (glyphs, rules, fields, images, text), its quotes; lay_pages.c pages
 * them and empties it for the next letter. */
typedef struct lay_letter {
  lp_chain **cur;    /* the chains collect_inlines uses */
  uint32_t npara;    /* paragraphs so far in the letter */
  lbox *boxes;
  size_t nboxes, boxes_cap;
  pglyph *glyphs;
  size_t nglyphs, glyphs_cap;
  prule *rules;
  size_t nrules, rules_cap;
  pimage *pimages;
  size_t npimages, pimages_cap;
  bool seal_placed; /* in the current letter */
  qspan *quotes; /* block quotes of the letter, in order of opening */
  size_t nquotes, quotes_cap;
  lp_dfield *fields; /* rectangles relative to the box baseline */
  size_t nfields, fields_cap;
  lp_buf text; /* texts of all paragraphs of the letter */
  uint32_t tag;        /* the structure element new content belongs to */
  uint32_t marker_tag; /* the Lbl of the list item being laid out, or 0 */
  plink *plinks;       /* link rectangles of the boxes */
  size_t nplinks, plinks_cap;
  llink *links;        /* links of the letter */
  size_t nlinks, links_cap;
  bool no_links;       /* lines made now draw no link rectangles (table
                          rows move their cells' lines) */
  lnote *notes;        /* footnotes of the letter, in reference order */
  size_t nnotes, notes_cap;
  lbox *fboxes;        /* the notes' line boxes */
  size_t nfboxes, fboxes_cap;
  size_t *fpage;       /* per note box: its page in the letter, or
                          SIZE_MAX (pagination) */
  size_t fpage_cap;
  int in_note;         /* laying out a note's lines (no notes inside) */
  uint32_t *missing_cps; /* characters no font has, reported (lay_missing) */
  size_t nmissing_cps, missing_cps_cap;
} lay_letter;

/* The document: what the layout was given (borrowed), the pages it makes,
 * its letters, the images it holds and the warnings it has passed on. */
typedef struct lay_doc {
  const lp_layout_env *env;
  const lp_template *tpl;
  lp_display *out;
  lp_error *err;
  lp_dimage_data **images; /* image files in use, one reference each */
  size_t nimages, images_cap;
  letter *letters;
  size_t nletters, letters_cap;
  size_t *page_letter; /* letter index of each display page */
  size_t page_letter_cap;
  int warnings;    /* passed on to env->warn */
  int dropped;     /* past MAX_WARNINGS, counted, told once at the end */
  size_t unsealed; /* letters with a seal but no signature field for it */
  cmark_node **placed; /* image nodes drawn, or warned about, so far */
  size_t nplaced, placed_cap;
  cmark_node **defs; /* the footnote definitions, by cmark's number - 1 */
  size_t ndefs, defs_cap;
} lay_doc;

/* The layout's state: lp_layout_document makes one per call; every lay_*
 * function takes it.  Owns everything in letter and doc.images. */
typedef struct L {
  lay_doc doc;
  lay_style style;
  lay_letter letter;
} L;

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
  struct pelem {
    size_t start, end; /* in text */
    const char *role;  /* "Link" or "Reference" */
    uint32_t link;     /* Link: index into the letter's links */
    uint32_t tag;      /* its element, made when its first glyph is set */
    uint32_t note;     /* Reference: its note's index in the letter + 1 */
  } *elems; /* inline elements: links and footnote references */
  size_t nelems, elems_cap;
} para;

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

/* All lengths are PDF points (1/72 in); *_EM are proportions of the font
 * size.  The measures of one module are in its .c file; these are shared. */
#define MM (72.0 / 25.4)
#define IMAGE_DPI 150.0       /* an image's pixels, when it fits */
#define IMAGE_MAX_H_FRAC 0.6  /* an image's height, at most, of the text */
#define QUOTE_RULE_WIDTH 1.0  /* the rule left of a block quote */
#define EMBOX_TOP 0.88        /* ideographic em box top, in em */
#define RULE_WIDTH 0.5        /* a rule, a table border, a blank's line */
#define MAX_WARNINGS 20       /* passed on per document; the rest dropped */
#define FIELD_NAME_MAX 48 /* bytes of label kept in a field name */

/* Passes a warning at file:line:column to the caller (env->warn), up to
 * MAX_WARNINGS a document; the rest are counted in doc.dropped, which
 * lp_lay_warn_dropped tells at the end.  Nothing without a sink. */
void lp_lay_warn(L *l, const char *file, int line, int column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Tells, once, how many warnings were past MAX_WARNINGS (if any). */
void lp_lay_warn_dropped(L *l);

/* Frees what p holds and empties it. */
void lp_lay_para_free(para *p);

/* Appends text in a style, extending the last span when the style is the
 * same. */
void lp_lay_para_add(para *p, const char *s, size_t n, lp_chain *chain,
                     double size, unsigned flags);

/* The last code point of the paragraph text so far (0 if none). */
uint32_t lp_lay_last_cp(const lp_buf *b);

/* Appends the text of an inline subtree: its text and code, a space for
 * each line break; with images, the descriptions of images too (which is
 * how Markdown makes an image's alt text), else not (an outline title is
 * the text that is printed). */
void lp_lay_inline_text(cmark_node *node, bool images, lp_buf *out);

/* A soft line break is a space between words, but nothing between two CJK
 * characters (clreq 3.1: Chinese has no interword space; a source line
 * break inside a sentence must not open a gap). */
void lp_lay_para_text(para *p, const char *s, size_t n, lp_chain *chain,
                      double size, unsigned flags);

/* Adds an empty line box at the end of the letter's boxes (its ranges
 * start at the stores' ends). */
lbox *lp_lay_new_box(L *l);

/* The document's structure tree (tags.h). */
lp_tags *lp_lay_tags(L *l);

/* Opens a structure element of role under the current one and makes it
 * current; returns the element that was current, for lp_lay_close. */
uint32_t lp_lay_open(L *l, const char *role);

/* Makes saved (from lp_lay_open) the current element again. */
void lp_lay_close(L *l, uint32_t saved);

/* A Figure element with alt text under parent (as its first kid when
 * first): its image is its content part 0. */
uint32_t lp_lay_figure(L *l, uint32_t parent, bool first, const char *alt);

/* Appends a glyph to the letter's glyph store (the last box takes it); it
 * belongs to the current structure element. */
void lp_lay_add_pglyph(L *l, lp_face *face, double size, uint32_t gid, double x,
                       double dy, double advance, uint32_t toff, uint32_t tlen);

/* Appends a rule to the letter's rule store (the last box takes it). */
void lp_lay_add_prule(L *l, double x1, double dy1, double x2, double dy2,
                      double width);

/* Adds a field in box coordinates (relative to the baseline), with a Form
 * structure element under the current one. */
void lp_lay_add_pfield(L *l, lp_field_kind kind, const char *name, double x1,
                       double dy1, double x2, double dy2, double size,
                       bool checked);

/* The column, in characters from 1, of byte column byte_col (from 1) of
 * line body_line of the template's body. */
int lp_lay_body_column(const L *l, int body_line, int byte_col);

/* The file line and column (in characters) of byte offset at of the
 * paragraph text, from the source positions of its text nodes; line falls
 * back to the paragraph's body line. */
void lp_lay_source_position(const L *l, const para *p, size_t at, int line,
                            int *file_line, int *column);

/* The x offset in a column width wide of something w wide, set as align
 * sets text: centred, right-aligned, else at the left edge. */
double lp_lay_align_offset(align_t align, double width, double w);

/* The text height: what an image may take, at most, is a share of it. */
double lp_lay_text_height(const L *l);

#endif
