/* embed.h - font embedding for the PDF writer (pdf.c): glyph-level Type0
 * fonts (Identity-H) over subsets made by hb-subset, with /W widths, a
 * ToUnicode CMap, and a cache of subsets kept across documents.
 *
 * CFF outlines become CIDFontType0 with FontFile3 /CIDFontType0C,
 * TrueType outlines CIDFontType2 with FontFile2 and /CIDToGIDMap
 * /Identity.  Streams made here are compressed with libdeflate.
 */
#ifndef LP_EMBED_H
#define LP_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hb.h>
#include <hpdf.h>

#include "display.h"
#include "fonts.h"
#include "pdfobj.h"
#include "util.h"

/* Subset fonts kept across documents: a mail merge's letters mostly use
 * the same glyphs of a face (headings, the Latin face, symbols), so the
 * subset and its compressed bytes are made once.  The output is the same
 * bytes with or without a cache.  Not thread-safe: one per engine. */
typedef struct lp_embed_cache lp_embed_cache;

lp_embed_cache *lp_embed_cache_new(void);
void lp_embed_cache_free(lp_embed_cache *cache);

/* Anchors: the glyphs a template itself uses, per face, taken from a
 * display of the template laid out without data.  While anchors are set,
 * each face is embedded as two fonts: one with exactly its anchor glyphs
 * (the same subset in every letter of a merge: made once, then reused) and
 * one with the other glyphs of the document (a record's own names and
 * numbers).  The output depends only on the display and the anchors, never
 * on which documents came before. */
void lp_embed_cache_set_anchors(lp_embed_cache *cache, const lp_display *d);
void lp_embed_cache_clear_anchors(lp_embed_cache *cache);

/* One embedded font: an lp_face and everything the document uses of it. */
typedef struct lp_embed_font {
  lp_face *face;
  bool extra;              /* holds the glyphs outside the face's anchor */
  hb_set_t *gids;          /* original glyph ids used */
  hb_map_t *text_of;       /* original gid -> index in texts */
  const lp_dglyph **texts; /* first glyph seen with text, per gid */
  size_t ntexts, texts_cap;
  hb_map_t *cid_of; /* original gid -> CID in the embedded font */
  HPDF_Dict type0;  /* the Type0 font object */
} lp_embed_font;

/* The fonts of one document being written.  Set pdf, haru, err, cache
 * (may be NULL) and hinting; zero the rest; free with lp_embed_free. */
typedef struct lp_embed {
  HPDF_Doc pdf;
  const lp_haru_status *haru; /* the document's first libharu error */
  lp_error *err;
  lp_embed_cache *cache;
  bool hinting; /* subsets keep the fonts' hinting */
  bool cid_set; /* font descriptors get a /CIDSet (PDF/A-1) */
  lp_embed_font *fonts; /* in document order */
  size_t nfonts, fonts_cap;
  struct libdeflate_compressor *deflaters[2]; /* without a cache */
} lp_embed;

/* The embedded font that draws glyph gid of face: the face's main font
 * or, for a glyph outside the face's anchor, its extra font; created on
 * first use. */
lp_embed_font *lp_embed_font_for(lp_embed *e, lp_face *face, uint32_t gid);

/* A face's embedded fonts, looked up once for a run of its glyphs: its
 * main font and, when the face has an anchor, its extra font (NULL when
 * no glyph needed one).  Valid once lp_embed_collect has made the fonts. */
typedef struct lp_embed_pair {
  lp_embed_font *main, *extra;
} lp_embed_pair;
lp_embed_pair lp_embed_fonts_of(lp_embed *e, const lp_face *face);

/* The font of pair that draws gid (what lp_embed_font_for gives, by one
 * set lookup: the main font holds the anchor's glyphs, the extra font the
 * others). */
lp_embed_font *lp_embed_pair_font(const lp_embed_pair *pair, uint32_t gid);

/* Records every glyph of d in its font: the glyph set to subset and, per
 * glyph id, the first glyph that carries cluster text. */
bool lp_embed_collect(lp_embed *e, const lp_display *d);

/* Subsets every font collected and creates its objects (Type0 font,
 * CIDFont, FontDescriptor, font file, ToUnicode CMap); each font's type0
 * is then the object pages refer to. */
bool lp_embed_write_fonts(lp_embed *e);

/* Writes data into stream s compressed here with libdeflate (libharu must
 * not compress it again), with its /Filter. */
bool lp_embed_put_flate(lp_embed *e, HPDF_Dict s, const void *data,
                        size_t len);

/* A glyph's advance in thousandths of glyph-space units (1/1000 em). */
long long lp_embed_glyph_width(const lp_face *face, uint32_t gid);

/* Frees what e holds (not e itself). */
void lp_embed_free(lp_embed *e);

#endif
