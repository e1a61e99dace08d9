/* template.h - a template: front matter (metadata and page settings) and a
 * Markdown body.  Parsing checks UTF-8, reads the YAML front matter with
 * libyaml and validates every key; the body is kept as text and parsed with
 * cmark-gfm for each render (see layout.h), because sections and values
 * change the tree.  Its placeholders are compiled once, at parse time, so a
 * template with a bad tag fails to load (fill.h).
 *
 * In the kept body, each '_' of a run of three or more underscores is
 * replaced by LP_BLANK_CHAR, so that Markdown never reads a blank as
 * emphasis; [[signature]] becomes a run of LP_SIGNATURE_CHAR (an explicit
 * signature field); the backslash of \" \' \- \. becomes LP_TYPO_ESCAPE
 * (typo.h: the character stays as typed).  Byte offsets and columns stay
 * the same.  Code is
 * Markdown's to find: after parsing, lp_template_unmark_code restores the
 * characters inside code spans, code blocks and raw HTML.
 */
#ifndef LP_TEMPLATE_H
#define LP_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm.h>

#include "breaks.h"
#include "letterpress.h"

enum { LP_NUMBER_LETTER = 0, LP_NUMBER_DOCUMENT = 1 };
/* print-urls: where a link's address is printed (0: the default). */
enum {
  LP_PRINT_URLS_INLINE = 0,   /* " (https://...)" after the link's text */
  LP_PRINT_URLS_FOOTNOTE = 1, /* as a footnote */
  LP_PRINT_URLS_NONE = 2      /* not printed: only the /Link annotation */
};

/* smart-punctuation: not given (on for the languages typo.h has quotes
 * for), true or false. */
enum { LP_SMART_AUTO = 0, LP_SMART_ON = 1, LP_SMART_OFF = 2 };

/* A paragraph or a heading that ends with {.right} or {.center} is set
 * that way (the sender's block and date of a letter, a centred title).  In the kept body the attribute
 * becomes a run of these marks, of its length, so data can never make one
 * (fill turns control characters in values into spaces). */
#define LP_ATTR_RIGHT "{.right}"
#define LP_ATTR_CENTER "{.center}"
#define LP_RIGHT_CHAR '\x1c'
#define LP_CENTER_CHAR '\x1b'

/* A paragraph or a heading that ends with {lang=TAG} (with or without an
 * alignment attribute next to it) is in that language: its structure
 * element gets /Lang (tagged PDF, ISO 32000-1 14.9.2; PDF/UA-1 7.2).  In
 * the kept body its braces become LP_LANG_CHAR (LP_LANG_CHAR "lang=en"
 * LP_LANG_CHAR), so data can never make one; TAG is letters, digits,
 * '-' and '_', at most LP_LANG_MAX bytes. */
#define LP_ATTR_LANG "{lang="
#define LP_LANG_CHAR '\x1a'
#define LP_LANG_MAX 35

/* A space or an indent given in em (of the body size) or as a length:
 * em * font size + pt points. */
typedef struct lp_amount {
  double em, pt;
  bool set;
} lp_amount;

/* The front-matter texts that may hold placeholders ({{name}}), filled
 * from each record as the body is. */
enum {
  LP_TEXT_TITLE,
  LP_TEXT_AUTHOR,
  LP_TEXT_SUBJECT,
  LP_TEXT_KEYWORDS,
  LP_TEXT_HEADER,
  LP_TEXT_FOOTER,
  LP_TEXT_COUNT
};

/* Front-matter values.  Strings are owned (NULL when not given); lengths in
 * PDF points; 0 means "not given, use the default". */
typedef struct lp_meta {
  char *title, *author, *subject, *keywords;
  char *lang;   /* BCP 47 */
  char *font;   /* comma-separated fontconfig family list */
  char *header; /* text with {page} and {pages} */
  char *footer; /* idem; "" = no footer */
  double paper_w, paper_h;
  double margin[4]; /* top, right, bottom, left */
  bool margin_set;
  double font_size;
  double line_height; /* multiple of the font size */
  int numbering;      /* LP_NUMBER_* */
  char *latin_font;   /* Latin letters and digits in CJK text; "none" */
  char *heading_font; /* family list for headings (NULL: the body's) */
  char *letterhead;   /* image at the top of each letter's first page */
  char *seal;         /* image stamped over the signature line */
  int seal_line, seal_column; /* where seal was given (for messages) */
  double seal_size;   /* seal-size: its larger side in pt (0: natural size
                         up to 42 mm) */
  double seal_offset[2]; /* seal-offset: moved right and up, in pt */
  char *letterhead_alt, *seal_alt; /* their /Alt text; without: artifacts */
  bool untagged;      /* `tagged: false`: no structure tree */
  int pdfa_part;      /* pdf-standard: PDF/A part (2), or 0 */
  char pdfa_level;    /* its conformance level: 'b', 'u' or 'a' */
  bool pdfua;         /* pdf-standard: PDF/UA-1 */
  int orphans, widows; /* lines kept together at a page break (0: 2) */
  double paragraph_spacing; /* em between paragraphs, when set */
  bool paragraph_spacing_set;
  double heading_sizes[3];  /* # ## ### sizes, in body sizes (0: default) */
  lp_amount heading_spacing[3][2]; /* # ## ###: space before, after */
  lp_amount list_indent;    /* hanging indent of list items */
  lp_amount quote_indent;   /* indent of block quotes */
  bool no_hyphenate;        /* `hyphenate: false`: no hyphenation points */
  bool font_hinting;        /* `font-hinting: true`: embed hinting */
  bool attach_data;         /* `attach-data: true`: the record as data.json */
  int smart_punctuation;    /* LP_SMART_*: typographic quotes and dashes */
  bool no_header_first;     /* `header-first: false`: no header on the
                               first page of each letter */
  bool paper_b5;            /* `paper: B5`: JIS B5 in Japanese, else ISO */
  int print_urls;           /* `print-urls`: LP_PRINT_URLS_* */
  lp_word_break word_break; /* `word-break`: keep-all or normal (0: auto) */
  char *font_path;  /* font directories, comma-separated, relative to the
                       template; NULL when not given */
  int font_path_line, font_path_column; /* where font-path was given */
  /* Where font, heading-font and latin-font were given: line, column
   * (0, 0: not in the file, e.g. --meta). */
  int font_at[2], heading_font_at[2], latin_font_at[2];
  /* The placeholders of each LP_TEXT_* text, compiled where it is given
   * (errors at its line and column); NULL when it has none. */
  struct lp_fill_program *fill[LP_TEXT_COUNT];
} lp_meta;

struct lp_template {
  char *name;     /* for error locations */
  char *base_dir; /* directory of the template file, for relative paths */
  lp_meta meta;
  char *body;     /* Markdown, blanks marked; NUL-terminated */
  size_t body_len;
  int body_line;  /* line of the file where the body starts (1-based) */
  char *guessed_lang; /* from the text when meta.lang is NULL */
  struct lp_fill_program *fill; /* the body's placeholders (fill.h), checked
                                   once at parse time; owned */
};

/* Sets one front-matter key from its text value, validating it.  file, line
 * and column locate the value for errors (and the placeholders of a text
 * key: those are compiled here). */
bool lp_meta_set(lp_meta *meta, const char *key, const char *value,
                 const char *file, int line, int column, lp_error *err);

/* Parses a length: "25mm", "2.5cm", "1in", "12pt", or a bare number (pt).
 * Returns false if text is not one. */
bool lp_parse_length(const char *text, double *pt);

/* Puts '_', [[signature]] and the backslash of \" back in the code of a
 * tree parsed from a template's body (code shows what was typed: no
 * blanks, no fields), {.right} and {.center} back wherever they do not
 * end a paragraph or a heading (they align only those), and takes the
 * escape marks out of text, URLs and titles (after lp_typo_tree). */
void lp_template_unmark_code(cmark_node *root);

/* A copy of s (text of a tree parsed from a template's body) with every
 * mark put back as the characters it stands for: '_', [[signature]],
 * {.right}, {.center}.  The caller frees it. */
char *lp_template_unmark(const char *s);

/* The text of LP_TEXT_* key `which` (NULL when not given). */
const char *lp_meta_text(const lp_meta *meta, int which);

/* The language the template is set in: meta.lang, else guessed. */
const char *lp_template_lang(const lp_template *tpl);

/* The page size in points, portrait or landscape as given: the paper of
 * the front matter (a plain B5 is JIS B5 in a Japanese letter, ISO B5
 * otherwise), else A4, or US Letter for en-US and en-CA. */
void lp_template_paper(const lp_template *tpl, double *w, double *h);

/* The typographic punctuation the template's prose gets (typo.h), or
 * NULL: smart-punctuation, else on for the languages typo.h knows. */
const struct lp_typo_style *lp_template_typo(const lp_template *tpl);

#endif
