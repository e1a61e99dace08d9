/* display.h - the laid-out document: pages of positioned glyphs and rules.
 *
 * The layout stage produces an lp_display; the PDF stage consumes it.
 * Coordinates are PDF points with the origin at the bottom-left corner of
 * the page, y upwards.  Everything inside is owned by the lp_display and
 * freed by lp_display_free; strings are copied in.
 */
#ifndef LP_DISPLAY_H
#define LP_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fonts.h"
#include "tags.h"

/* One glyph, positioned absolutely. */
typedef struct lp_dglyph {
  uint32_t gid;     /* glyph id in the face (the ORIGINAL font's id) */
  double x, y;      /* pen position of the glyph origin (baseline), in pt */
  double advance;   /* the glyph's natural advance at this size, in pt */
  const char *text; /* UTF-8 text of the cluster this glyph shows, or NULL
                       when the glyph continues a cluster shown by an earlier
                       glyph (ligature parts, marks) */
  uint32_t text_len;
} lp_dglyph;

/* What content outside the structure tree is (tag 0): page furniture
 * (ISO 32000-1 14.8.2.2: /Artifact /Pagination with a subtype) or
 * layout (rules, underlines). */
typedef enum {
  LP_ARTIFACT_LAYOUT = 0,
  LP_ARTIFACT_HEADER,
  LP_ARTIFACT_FOOTER
} lp_artifact;

/* A run of glyphs in one face, size and colour. */
typedef struct lp_drun {
  lp_face *face;
  double size;   /* font size in pt */
  double gray;   /* 0 = black, 1 = white */
  uint32_t tag;  /* structure element (tags.h), 0: an artifact */
  uint32_t part; /* the content part of tag it belongs to */
  lp_artifact artifact; /* what it is when tag is 0 */
  lp_dglyph *glyphs;
  size_t count, cap;
} lp_drun;

/* A straight stroked line (rules, underlines, blanks). */
typedef struct lp_drule {
  double x1, y1, x2, y2;
  double width; /* line width in pt */
  double gray;
} lp_drule;

/* A form field the layout placed: a fill-in blank, a checkbox or a
 * signature field.  The PDF writer makes it an AcroForm field. */
typedef enum {
  LP_FIELD_TEXT,      /* /Tx on a blank's underline */
  LP_FIELD_CHECKBOX,  /* /Btn over a box character */
  LP_FIELD_SIGNATURE  /* /Sig, room for a hand signature */
} lp_field_kind;

typedef struct lp_dfield {
  lp_field_kind kind;
  char *name;            /* UTF-8 name from the label; unique in the page */
  double x1, y1, x2, y2; /* rectangle, pt */
  double font_size;      /* for text typed into the field */
  bool checked;          /* checkboxes: initial state */
  uint32_t tag;          /* its Form structure element, or 0 */
} lp_dfield;

/* An image file (PNG or JPEG), shared by reference count: the same
 * letterhead on many pages is one object here and one XObject in the PDF. */
enum { LP_IMAGE_PNG = 1, LP_IMAGE_JPEG = 2 };
typedef struct lp_dimage_data {
  unsigned refs;
  int kind;           /* LP_IMAGE_* */
  int px_w, px_h;     /* size in pixels */
  unsigned char *bytes; /* the file's contents */
  size_t len;
} lp_dimage_data;

/* An image placed on a page: its box, and whether it is drawn over the
 * text (a seal) or under it. */
typedef struct lp_dimage {
  lp_dimage_data *data; /* one reference held by the page */
  double x, y, w, h;    /* lower-left corner and size, pt */
  bool over_text;
  uint32_t tag;         /* its Figure structure element, or 0: an artifact */
} lp_dimage;

/* A link the layout placed: a rectangle of text that opens uri (one per
 * line the link's text reaches).  The PDF writer makes it a /Link
 * annotation with a /URI action. */
typedef struct lp_dlink {
  double x1, y1, x2, y2; /* rectangle, pt */
  char *uri;             /* http:, https:, mailto: or ftp: */
  char *contents;        /* the link's text, for its /Contents */
  uint32_t tag;          /* its Link structure element, or 0 */
} lp_dlink;

typedef struct lp_dpage {
  double width, height; /* pt */
  lp_drun *runs;
  size_t nruns, runs_cap;
  lp_drule *rules;
  size_t nrules, rules_cap;
  lp_dfield *fields;
  size_t nfields, fields_cap;
  lp_dimage *images;
  size_t nimages, images_cap;
  lp_dlink *links;
  size_t nlinks, links_cap;
} lp_dpage;

/* One outline (bookmark) entry: a letter's title, pointing at its page. */
typedef struct lp_doutline {
  char *title; /* UTF-8 */
  size_t page; /* 0-based page index */
  double y;    /* top of the destination on that page, pt */
} lp_doutline;

/* A file attached to the document: the JSON of a record it was made
 * from (PDF/A-3 associated file, or attach-data). */
typedef struct lp_dattach {
  char *name; /* file name: "data.json", or "data-0003.json" in a
                 combined merge (record 3); malloc'd */
  char *json; /* the contents; malloc'd */
} lp_dattach;

typedef struct lp_dmeta {
  char *title, *author, *subject, *keywords; /* UTF-8, may be NULL */
  char *creator;  /* e.g. "letterpress 0.1.0" */
  char *lang;     /* BCP 47, for the catalog's /Lang; may be NULL */
  long long date; /* seconds since the epoch, UTC: CreationDate/ModDate */
  bool tagged;    /* write the structure tree and marked content */
  int pdfa_part;  /* PDF/A part (2) to conform to, or 0 */
  char pdfa_level; /* 'b', 'u' or 'a' */
  bool pdfua;     /* PDF/UA-1 */
  lp_dattach *attachments; /* records' data, attached (PDF/A-3,
                              attach-data); freed with the display */
  size_t nattachments, attachments_cap;
  bool hinting;   /* embed the CFF fonts' stem hints; without: about a
                     sixth smaller */
} lp_dmeta;

typedef struct lp_display {
  lp_dpage *pages;
  size_t npages, pages_cap;
  lp_doutline *outlines;
  size_t noutlines, outlines_cap;
  lp_dmeta meta;
  lp_tags tags;   /* the structure tree the runs, images and fields
                     point into */
  /* Storage for glyph texts: lp_dglyph.text points into these chunks. */
  char **text_chunks;
  size_t ntext_chunks, text_chunks_cap;
  size_t text_used, text_avail;
} lp_display;

lp_display *lp_display_new(void);
void lp_display_free(lp_display *d);

/* Appends a page and returns it (valid until the next lp_display_add_page). */
lp_dpage *lp_display_add_page(lp_display *d, double width, double height);

/* Starts a run on page p; glyphs are then added with lp_dpage_add_glyph.
 * The run is an artifact (tag 0) until the caller sets its tag. */
lp_drun *lp_dpage_add_run(lp_dpage *p, lp_face *face, double size,
                          double gray);
/* Adds a glyph to the last run of page p.  text (len bytes) is copied into
 * the display's storage; pass NULL for a cluster continuation. */
void lp_dpage_add_glyph(lp_display *d, lp_dpage *p, uint32_t gid, double x,
                        double y, double advance, const char *text,
                        size_t len);
void lp_dpage_add_rule(lp_dpage *p, double x1, double y1, double x2,
                       double y2, double width, double gray);
/* Adds a field to page p and returns it; name is copied. */
lp_dfield *lp_dpage_add_field(lp_dpage *p, lp_field_kind kind, const char *name,
                        double x1, double y1, double x2, double y2,
                        double font_size, bool checked);
/* Adds a link to page p and returns it; uri and contents are copied. */
lp_dlink *lp_dpage_add_link(lp_dpage *p, const char *uri, const char *contents,
                            double x1, double y1, double x2, double y2);
void lp_display_add_outline(lp_display *d, const char *title, size_t page,
                            double y);

/* A new image object holding a copy of bytes, with one reference. */
lp_dimage_data *lp_dimage_data_new(const unsigned char *bytes, size_t len,
                                   int kind, int px_w, int px_h);
/* Drops one reference; the last frees the image.  NULL is ignored. */
void lp_dimage_data_unref(lp_dimage_data *img);
/* Places img on page p (the page takes its own reference) and returns
 * the placement. */
lp_dimage *lp_dpage_add_image(lp_dpage *p, lp_dimage_data *img, double x, double y,
                        double w, double h, bool over_text);

/* The names the document's fields get, in document order (pages, then
 * fields in a page): a field's own name, or for the second and later
 * fields of a name, the name with "_2", "_3", ... (the first free one), so
 * the second letter's signature field is "签名_2".  Returns *count
 * malloc'd names in a malloc'd array; free with lp_display_free_names. */
char **lp_display_field_names(const lp_display *d, size_t *count);
void lp_display_free_names(char **names, size_t count);

/* Adds an attachment to d: name and json are copied. */
void lp_display_add_attachment(lp_display *d, const char *name,
                               const char *json);

/* Moves src's pages, outlines, structure tree, glyph texts and
 * attachments to the end of dst (outline page numbers and structure ids
 * follow), leaving src empty; src's other metadata stays.  Mail merge uses
 * it to make one document of many letters. */
void lp_display_append(lp_display *dst, lp_display *src);

#endif
