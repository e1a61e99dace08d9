/* pdf.c - writes an lp_display as a PDF through libharu's object API, with
 * glyph-level Type0 fonts subset by hb-subset (see pdf.h). */
#include "pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hb-subset.h>
#include <hb.h>
#include <hpdf.h>
#include <hpdf_pages.h>
#include <libdeflate.h>

#include "forms.h"

/* PDF glyph space: widths and font metrics are in 1/1000 em. */
#define GLYPH_SPACE 1000.0
/* /DW: CIDs missing from /W get this width (most CJK glyphs have it). */
#define DEFAULT_WIDTH_MILLI 1000000 /* 1000 glyph units, in thousandths */
/* Numbers in content streams and /W carry three decimals: thousandths. */
#define MILLI 1000
/* A TJ adjustment smaller than this (glyph-space units) is not written. */
#define MIN_ADJUST_MILLI 500 /* 0.5: 0.0055 pt at 11 pt */
/* FontDescriptor /Flags bits (PDF 32000-1 table 123). */
#define FLAG_SYMBOLIC 4
#define FLAG_ITALIC 64
/* /StemV is required but unknown for our fonts; 80 is the usual guess. */
#define STEM_V 80
/* Consecutive CIDs per /W group before a new group starts. */
#define W_GROUP_MAX 1024
/* Entries per beginbfchar block (the CMap format allows at most 100). */
#define BFCHAR_BLOCK 100
/* A bfchar destination string holds at most 512 bytes (256 UTF-16 units). */
#define TOUNICODE_MAX_UNITS 256
/* Length of the subset tag in BaseFont ("ABCDEF+"). */
#define SUBSET_TAG_LEN 6
/* PostScript names are at most 63 characters. */
#define PS_NAME_MAX 63
/* Name used when a face has no usable PostScript name. */
#define FALLBACK_PS_NAME "Font"

#define CFF_TAG HB_TAG('C', 'F', 'F', ' ')

/* Unicode: what an invalid UTF-8 byte becomes; UTF-16 surrogates. */
#define REPLACEMENT_CHARACTER 0xFFFDu
#define FIRST_ASTRAL 0x10000u
#define HIGH_SURROGATE 0xD800u
#define LOW_SURROGATE 0xDC00u
#define SURROGATE_BITS 10

/* One embedded font: an lp_face and everything the document uses of it. */
typedef struct pdf_font {
  lp_face *face;
  bool extra;              /* holds the glyphs outside the face's anchor */
  hb_set_t *gids;          /* original glyph ids used */
  hb_map_t *text_of;       /* original gid -> index in texts */
  const lp_dglyph **texts; /* first glyph seen with text, per gid */
  size_t ntexts, texts_cap;
  hb_map_t *cid_of; /* original gid -> CID in the embedded font */
  HPDF_Dict type0;  /* the Type0 font object */
} pdf_font;

/* Subsets remembered, at most (the least recently used goes first). */
#define CACHE_ENTRIES 16
/* Deflate levels (libdeflate) of the streams compressed here.  What is
 * made for every letter (pages, CMaps, a document's own font subsets) gets
 * a fast level: 3 costs half the time of 5 for 1% more bytes.  An anchor
 * subset (the template's glyphs in a merge) is made once and embedded in
 * every letter: it gets the smallest output. */
#define DEFLATE_LEVEL 3
#define DEFLATE_LEVEL_ANCHOR 12

/* One remembered subset: a face and glyph set, the font program as it is
 * embedded (Flate-compressed) and the CID of each glyph. */
typedef struct cache_entry {
  const lp_face *face;
  bool hinting; /* made with the fonts' hinting */
  bool anchor;  /* an anchor subset (compressed at DEFLATE_LEVEL_ANCHOR) */
  hb_set_t *gids;
  unsigned char *zdata;
  size_t zlen, raw_len;
  hb_map_t *cid_of;
  unsigned long long used; /* for least-recently-used replacement */
} cache_entry;

/* A face's anchor: the glyphs a template itself uses (see
 * lp_pdf_cache_set_anchor). */
typedef struct anchor_set {
  const lp_face *face;
  hb_set_t *gids;
} anchor_set;

struct lp_pdf_cache {
  struct libdeflate_compressor *deflaters[2]; /* fast, anchor; made on
                                                 first use */
  cache_entry entries[CACHE_ENTRIES];
  unsigned long long clock;
  anchor_set *anchors;
  size_t nanchors, anchors_cap;
};

/* State of one lp_pdf_write call. */
typedef struct writer {
  const lp_display *d;
  HPDF_Doc pdf;
  HPDF_STATUS haru_error; /* first error libharu reported to the handler */
  HPDF_STATUS haru_detail;
  pdf_font *fonts;
  size_t nfonts, fonts_cap;
  struct pdf_image {
    const lp_dimage_data *data;
    HPDF_Image image;
  } *images; /* each image file embedded once */
  size_t nimages, images_cap;
  lp_error *err;
  lp_pdf_cache *cache; /* may be NULL */
  struct libdeflate_compressor *deflaters[2]; /* without a cache */
} writer;

/* ---- Numbers ---------------------------------------------------------- */

/* Rounds v to thousandths, as an integer (non-finite values give 0). */
static long long to_milli(double v) {
  return isfinite(v) ? llround(v * MILLI) : 0;
}

/* Appends v thousandths as a compact decimal ("12.5", "-0.25", "3"). */
static void put_milli(lp_buf *b, long long v) {
  /* Written by hand, not with printf: content streams are mostly numbers,
   * and formatting them was a tenth of the time of a merged letter. */
  char text[32];
  char *end = text + sizeof text, *p = end;
  unsigned long long a =
      v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  unsigned long long whole = a / MILLI, frac = a % MILLI;
  if (frac) {
    int digits = 3;
    while (frac % 10 == 0) frac /= 10, digits--;
    for (int i = 0; i < digits; i++, frac /= 10) *--p = (char)('0' + frac % 10);
    *--p = '.';
  }
  do *--p = (char)('0' + whole % 10);
  while (whole /= 10);
  if (v < 0) *--p = '-';
  lp_buf_append(b, p, (size_t)(end - p));
}

/* A gray level limited to 0 (black) .. 1 (white). */
static double clamp_gray(double g) { return g < 0 ? 0 : g > 1 ? 1 : g; }

/* Appends v rounded to three decimals, followed by a space. */
static void put_num(lp_buf *b, double v) {
  put_milli(b, to_milli(v));
  lp_buf_puts(b, " ");
}

/* ---- Text strings ----------------------------------------------------- */

/* Appends the UTF-16BE form of UTF-8 text (invalid bytes become U+FFFD),
 * at most max_units code units, never splitting a surrogate pair. */
static void put_utf16be(lp_buf *b, const char *s, size_t len,
                        size_t max_units) {
  size_t i = 0, units = 0;
  while (i < len) {
    int32_t cp = lp_utf8_next(s, len, &i);
    uint32_t c = cp < 0 ? REPLACEMENT_CHARACTER : (uint32_t)cp;
    unsigned char u[4];
    size_t n;
    if (c >= FIRST_ASTRAL) {
      uint32_t v = c - FIRST_ASTRAL;
      uint32_t hi = HIGH_SURROGATE + (v >> SURROGATE_BITS);
      uint32_t lo = LOW_SURROGATE + (v & ((1u << SURROGATE_BITS) - 1));
      u[0] = (unsigned char)(hi >> 8), u[1] = (unsigned char)hi;
      u[2] = (unsigned char)(lo >> 8), u[3] = (unsigned char)lo;
      n = 4;
    } else {
      u[0] = (unsigned char)(c >> 8), u[1] = (unsigned char)c;
      n = 2;
    }
    if (units + n / 2 > max_units) break;
    units += n / 2;
    lp_buf_append(b, u, n);
  }
}

/* True when c is printable ASCII (space to tilde). */
static bool is_printable_ascii(unsigned char c) { return c >= ' ' && c <= '~'; }

/* True when s is printable ASCII, which reads the same in PDFDocEncoding. */
static bool is_plain_ascii(const char *s) {
  for (; *s; s++)
    if (!is_printable_ascii((unsigned char)*s)) return false;
  return true;
}

/* Makes a PDF text string object: a literal string for printable ASCII,
 * otherwise UTF-16BE with a byte order mark (libharu writes it in hex). */
static void *text_string(writer *w, const char *s) {
  if (is_plain_ascii(s)) return HPDF_String_New(w->pdf->mmgr, s, NULL);
  lp_buf b = {0};
  static const unsigned char bom[2] = {0xFE, 0xFF};
  lp_buf_append(&b, bom, sizeof bom);
  put_utf16be(&b, s, strlen(s), SIZE_MAX);
  void *obj = HPDF_Binary_New(w->pdf->mmgr, b.data, (HPDF_UINT)b.len);
  lp_buf_free(&b);
  return obj;
}

/* ---- libharu helpers -------------------------------------------------- */

/* libharu's error callback: remembers the first error for the report. */
static void on_haru_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data) {
  writer *w = user_data;
  if (w->haru_error) return;
  w->haru_error = error_no;
  w->haru_detail = detail_no;
}

/* Fills the caller's error with libharu's error code; returns false. */
static bool haru_fail(writer *w, const char *what) {
  HPDF_STATUS code = w->haru_error, detail = w->haru_detail;
  if (!code && w->pdf) {
    /* Internal object functions set the error without calling the
     * handler; read it from the document. */
    code = HPDF_GetError(w->pdf);
    detail = HPDF_GetErrorDetail(w->pdf);
  }
  return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                 "PDF writer: libharu error 0x%04lX (detail %lu) while %s",
                 (unsigned long)code, (unsigned long)detail, what);
}

/* A new dictionary registered as an indirect object. */
static HPDF_Dict new_indirect_dict(writer *w) {
  HPDF_Dict dict = HPDF_Dict_New(w->pdf->mmgr);
  if (!dict || HPDF_Xref_Add(w->pdf->xref, dict) != HPDF_OK) return NULL;
  return dict;
}

/* A new Flate-compressed stream object holding len bytes of data. */
static bool put_flate(writer *w, HPDF_Dict s, const void *data, size_t len);

static HPDF_Dict new_stream(writer *w, const void *data, size_t len) {
  HPDF_Dict s = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
  return s && put_flate(w, s, data, len) ? s : NULL;
}

/* Adds an integer or, when v has a fraction, a real (v in thousandths). */
static HPDF_STATUS array_add_milli(HPDF_Array a, long long v) {
  if (v % MILLI == 0) return HPDF_Array_AddNumber(a, (HPDF_INT32)(v / MILLI));
  return HPDF_Array_AddReal(a, (HPDF_REAL)((double)v / MILLI));
}

/* ---- Collecting glyphs ------------------------------------------------ */

/* The writer's font for face, created on first use (document order). */
/* The anchor glyph set of face in the writer's cache, or NULL. */
static const hb_set_t *anchor_of(const writer *w, const lp_face *face) {
  for (size_t i = 0; w->cache && i < w->cache->nanchors; i++)
    if (w->cache->anchors[i].face == face) return w->cache->anchors[i].gids;
  return NULL;
}

/* The embedded font that draws glyph gid of face: the face's main font
 * or, for a glyph outside the face's anchor, its extra font.  A main font
 * with an anchor holds the whole anchor, so that its subset is the same in
 * every document (and comes from the cache). */
static pdf_font *font_for(writer *w, lp_face *face, uint32_t gid) {
  const hb_set_t *anchor = anchor_of(w, face);
  bool extra = anchor && !hb_set_has(anchor, gid);
  for (size_t i = 0; i < w->nfonts; i++)
    if (w->fonts[i].face == face && w->fonts[i].extra == extra)
      return &w->fonts[i];
  LP_GROW(w->fonts, w->fonts_cap, w->nfonts + 1);
  pdf_font *f = &w->fonts[w->nfonts++];
  memset(f, 0, sizeof *f);
  f->face = face;
  f->extra = extra;
  f->gids = anchor && !extra ? hb_set_copy(anchor) : hb_set_create();
  f->text_of = hb_map_create();
  f->cid_of = hb_map_create();
  return f;
}

/* Records every glyph of the document in its font: the glyph set to subset
 * and, per glyph id, the first glyph that carries cluster text. */
static bool collect_glyphs(writer *w) {
  for (size_t p = 0; p < w->d->npages; p++) {
    const lp_dpage *page = &w->d->pages[p];
    for (size_t r = 0; r < page->nruns; r++) {
      const lp_drun *run = &page->runs[r];
      if (!run->count) continue;
      if (!run->face)
        return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                       "PDF writer: a run on page %zu has no font", p + 1);
      for (size_t k = 0; k < run->count; k++) {
        const lp_dglyph *g = &run->glyphs[k];
        pdf_font *f = font_for(w, run->face, g->gid);
        hb_set_add(f->gids, g->gid);
        if (g->text && g->text_len && !hb_map_has(f->text_of, g->gid)) {
          LP_GROW(f->texts, f->texts_cap, f->ntexts + 1);
          hb_map_set(f->text_of, g->gid, (uint32_t)f->ntexts);
          f->texts[f->ntexts++] = g;
        }
      }
    }
  }
  for (size_t i = 0; i < w->nfonts; i++)
    if (!hb_set_allocation_successful(w->fonts[i].gids) ||
        !hb_map_allocation_successful(w->fonts[i].text_of))
      return lp_fail(w->err, LP_ERR_NOMEM, NULL, 0, 0, "out of memory");
  return true;
}

/* Frees the writer's fonts. */
static void free_fonts(writer *w) {
  for (size_t i = 0; i < w->nfonts; i++) {
    hb_set_destroy(w->fonts[i].gids);
    hb_map_destroy(w->fonts[i].text_of);
    hb_map_destroy(w->fonts[i].cid_of);
    free(w->fonts[i].texts);
  }
  free(w->fonts);
}

/* ---- CFF charset ------------------------------------------------------ */

/* Reading a CFF (Adobe TN #5176) just far enough to learn two things about
 * the subset: whether its Top DICT has ROS (CID-keyed) and, if so, the CID
 * of each glyph from its charset. */

/* Where an INDEX's first item lies and where the INDEX ends. */
typedef struct cff_index {
  uint32_t count;
  size_t first, first_end, end;
} cff_index;

/* Reads an n-byte big-endian unsigned number at d[pos]. */
static uint32_t cff_uint(const uint8_t *d, size_t pos, unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; i++) v = (v << 8) | d[pos + i];
  return v;
}

/* Parses the INDEX at pos; false when it runs past len. */
static bool cff_read_index(const uint8_t *d, size_t len, size_t pos,
                           cff_index *ix) {
  if (pos + 2 > len) return false;
  ix->count = cff_uint(d, pos, 2);
  if (ix->count == 0) {
    ix->first = ix->first_end = ix->end = pos + 2;
    return true;
  }
  if (pos + 3 > len) return false;
  unsigned off_size = d[pos + 2];
  if (off_size < 1 || off_size > 4) return false;
  size_t offsets = pos + 3;
  size_t noffsets = (size_t)ix->count + 1;
  if (offsets + noffsets * off_size > len) return false;
  /* Offsets count from 1, relative to the byte before the data. */
  size_t base = offsets + noffsets * off_size - 1;
  ix->first = base + cff_uint(d, offsets, off_size);
  ix->first_end = base + cff_uint(d, offsets + off_size, off_size);
  ix->end = base + cff_uint(d, offsets + ix->count * off_size, off_size);
  return ix->first > base && ix->first <= ix->first_end &&
         ix->first_end <= ix->end && ix->end <= len;
}

/* What the Top DICT tells us. */
typedef struct cff_top {
  bool ros;
  long charset, charstrings;
} cff_top;

/* Parses a Top DICT in d[pos..end), keeping ROS, charset and CharStrings. */
static bool cff_read_top(const uint8_t *d, size_t pos, size_t end,
                         cff_top *top) {
  /* Operators and operand encodings (TN #5176, tables 3, 9 and 10). */
  enum {
    OP_LAST = 21,
    OP_ESCAPE = 12,
    OP_CHARSET = 15,
    OP_CHARSTRINGS = 17,
    OP_ROS = 30, /* after OP_ESCAPE */
    INT16 = 28,
    INT32 = 29,
    REAL = 30,
    SMALL_FIRST = 32,
    SMALL_LAST = 246,
    SMALL_BIAS = 139,
    POS_FIRST = 247,
    POS_LAST = 250,
    NEG_FIRST = 251,
    NEG_LAST = 254,
    TWO_BYTE_BIAS = 108,
    REAL_END = 0x0F
  };
  long last = 0; /* the operand just before an operator */
  memset(top, 0, sizeof *top);
  while (pos < end) {
    uint8_t b0 = d[pos++];
    if (b0 <= OP_LAST) {
      if (b0 == OP_ESCAPE) {
        if (pos >= end) return false;
        if (d[pos++] == OP_ROS) top->ros = true;
      } else if (b0 == OP_CHARSET) {
        top->charset = last;
      } else if (b0 == OP_CHARSTRINGS) {
        top->charstrings = last;
      }
    } else if (b0 == INT16) {
      if (pos + 2 > end) return false;
      last = (int16_t)cff_uint(d, pos, 2), pos += 2;
    } else if (b0 == INT32) {
      if (pos + 4 > end) return false;
      last = (int32_t)cff_uint(d, pos, 4), pos += 4;
    } else if (b0 == REAL) { /* nibbles up to an end nibble */
      while (pos < end && (d[pos] & 0x0F) != REAL_END &&
             (d[pos] >> 4) != REAL_END)
        pos++;
      if (pos++ >= end) return false;
      last = 0;
    } else if (b0 >= SMALL_FIRST && b0 <= SMALL_LAST) {
      last = (long)b0 - SMALL_BIAS;
    } else if (b0 >= POS_FIRST && b0 <= POS_LAST) {
      if (pos >= end) return false;
      last = ((long)b0 - POS_FIRST) * 256 + d[pos++] + TWO_BYTE_BIAS;
    } else if (b0 >= NEG_FIRST && b0 <= NEG_LAST) {
      if (pos >= end) return false;
      last = -((long)b0 - NEG_FIRST) * 256 - d[pos++] - TWO_BYTE_BIAS;
    } else {
      return false;
    }
  }
  return true;
}

/* Reads the CFF in d: sets *cid_keyed and, for a CID-keyed font, cids[gid]
 * (an array of *nglyphs entries, caller frees) from the charset. */
static bool cff_read_cids(const uint8_t *d, size_t len, bool *cid_keyed,
                          uint32_t **cids, uint32_t *nglyphs) {
  enum { CHARSET_FORMAT0, CHARSET_FORMAT1, CHARSET_FORMAT2 };
  enum { PREDEFINED_CHARSETS = 3 };
  *cids = NULL;
  if (len < 4) return false;
  cff_index names, tops, strings;
  if (!cff_read_index(d, len, d[2], &names) ||
      !cff_read_index(d, len, names.end, &tops) || tops.count == 0)
    return false;
  cff_top top;
  if (!cff_read_top(d, tops.first, tops.first_end, &top)) return false;
  *cid_keyed = top.ros;
  if (!top.ros) return true;
  if (top.charstrings <= 0 || (size_t)top.charstrings >= len ||
      !cff_read_index(d, len, (size_t)top.charstrings, &strings) ||
      top.charset < PREDEFINED_CHARSETS || (size_t)top.charset >= len)
    return false;
  uint32_t n = strings.count;
  uint32_t *map = lp_xcalloc(n ? n : 1, sizeof *map);
  size_t pos = (size_t)top.charset;
  unsigned format = d[pos++];
  uint32_t gid = 1; /* glyph 0 is .notdef, CID 0, not in the charset */
  while (gid < n) {
    if (format == CHARSET_FORMAT0) {
      if (pos + 2 > len) break;
      map[gid++] = cff_uint(d, pos, 2), pos += 2;
    } else if (format == CHARSET_FORMAT1 || format == CHARSET_FORMAT2) {
      unsigned nleft_size = format == CHARSET_FORMAT1 ? 1 : 2;
      if (pos + 2 + nleft_size > len) break;
      uint32_t first = cff_uint(d, pos, 2);
      uint32_t nleft = cff_uint(d, pos + 2, nleft_size);
      pos += 2 + nleft_size;
      for (uint32_t k = 0; k <= nleft && gid < n; k++) map[gid++] = first + k;
    } else {
      break;
    }
  }
  if (gid < n) {
    free(map);
    return false;
  }
  *cids = map;
  *nglyphs = n;
  return true;
}

/* ---- Subsetting ------------------------------------------------------- */

/* Fills the subset input: the used glyphs plus .notdef, every table we do
 * not embed dropped, glyph ids renumbered. */
static void setup_subset_input(hb_subset_input_t *in, const pdf_font *f,
                               bool hinting) {
  hb_set_t *glyphs = hb_subset_input_glyph_set(in);
  hb_set_add(glyphs, 0);
  hb_set_union(glyphs, f->gids);
  hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
  hb_tag_t tags[64];
  unsigned start = 0, count;
  do {
    count = sizeof tags / sizeof *tags;
    hb_face_get_table_tags(f->face->hb_face, start, &count, tags);
    for (unsigned i = 0; i < count; i++)
      if (!lp_face_keeps_table(f->face, tags[i])) hb_set_add(drop, tags[i]);
    start += count;
  } while (count == sizeof tags / sizeof *tags);
  /* Hinting only helps screen rasterisers that use it at small sizes:
   * printing and most viewers ignore it.  TrueType instructions are always
   * left out (with them would go the fpgm, prep and cvt tables).  CFF stem
   * hints are left out unless the template asks (font-hinting): Noto Serif
   * CJK subsets come out about a sixth smaller without.  CFF subroutines
   * are always expanded: a subset uses few of a CJK font's shared
   * subroutines, and without them the program is smaller and hb-subset
   * twice as fast (no subroutine closure to compute). */
  unsigned flags = HB_SUBSET_FLAGS_NO_HINTING;
  if (f->face->is_cff)
    flags = HB_SUBSET_FLAGS_DESUBROUTINIZE |
            (hinting ? 0 : HB_SUBSET_FLAGS_NO_HINTING);
  hb_subset_input_set_flags(in, flags);
}

/* Decides each used glyph's CID in the embedded font and stores it in
 * f->cid_of.
 *
 * TrueType (CIDFontType2, /CIDToGIDMap /Identity) and name-keyed CFF
 * (CIDFontType0C without ROS: the CID is used as the glyph index) take the
 * subset's NEW glyph id.  A CID-keyed CFF maps CIDs to glyphs through its
 * charset, and hb-subset keeps each glyph's CID, so the CID is read from
 * the subset's charset; for Noto/Source Han CJK (Adobe-Identity-0, identity
 * charset) that is the ORIGINAL glyph id.  Writing new ids there draws
 * whatever glyph happens to carry that CID. */
static bool assign_cids(writer *w, pdf_font *f, const hb_map_t *old_to_new,
                        hb_blob_t *cff) {
  bool cid_keyed = false;
  uint32_t *charset = NULL, nglyphs = 0;
  if (cff) {
    unsigned len;
    const uint8_t *data = (const uint8_t *)hb_blob_get_data(cff, &len);
    if (!cff_read_cids(data, len, &cid_keyed, &charset, &nglyphs))
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: cannot read the CFF subset of %s",
                     f->face->path);
  }
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) {
    uint32_t new_gid = hb_map_get(old_to_new, gid);
    if (new_gid == HB_MAP_VALUE_INVALID || (cid_keyed && new_gid >= nglyphs)) {
      free(charset);
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: glyph %u is not in font %s (index %d)",
                     (unsigned)gid, f->face->path, f->face->index);
    }
    hb_map_set(f->cid_of, gid, cid_keyed ? charset[new_gid] : new_gid);
  }
  free(charset);
  return true;
}

/* Subsets f's face once for the whole document.  On success *font_file is
 * what to embed: the raw 'CFF ' table, or the whole TrueType subset. */
static bool subset_font(writer *w, pdf_font *f, hb_blob_t **font_file) {
  *font_file = NULL;
  hb_blob_t *glyf =
      hb_face_reference_table(f->face->hb_face, HB_TAG('g', 'l', 'y', 'f'));
  bool has_glyf = hb_blob_get_length(glyf) > 0;
  hb_blob_destroy(glyf);
  if (!f->face->is_cff && !has_glyf)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: font %s (index %d) has neither CFF nor "
                   "TrueType outlines (CFF2 is not supported)",
                   f->face->path, f->face->index);
  hb_subset_input_t *in = hb_subset_input_create_or_fail();
  hb_subset_plan_t *plan = NULL;
  hb_face_t *sub = NULL;
  hb_blob_t *file = NULL;
  if (in) {
    setup_subset_input(in, f, w->d->meta.hinting);
    plan = hb_subset_plan_create_or_fail(lp_face_subset_source(f->face), in);
  }
  if (plan) sub = hb_subset_plan_execute_or_fail(plan);
  if (sub)
    file = f->face->is_cff ? hb_face_reference_table(sub, CFF_TAG)
                           : hb_face_reference_blob(sub);
  bool subset = file && hb_blob_get_length(file) > 0;
  bool ok =
      subset && assign_cids(w, f, hb_subset_plan_old_to_new_glyph_mapping(plan),
                            f->face->is_cff ? file : NULL);
  hb_face_destroy(sub);
  hb_subset_plan_destroy(plan);
  hb_subset_input_destroy(in);
  if (ok) {
    *font_file = file;
    return true;
  }
  hb_blob_destroy(file);
  if (!subset)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: cannot subset font %s (index %d)",
                   f->face->path, f->face->index);
  return false; /* assign_cids said why */
}

/* ---- Font objects ----------------------------------------------------- */

/* qsort comparison for uint64_t. */
static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* A glyph's advance in thousandths of glyph-space units (1/1000 em). */
static long long glyph_width_milli(const lp_face *face, uint32_t gid) {
  hb_position_t adv = hb_font_get_glyph_h_advance(face->hb_font, gid);
  unsigned upem = face->upem ? face->upem : 1;
  return to_milli((double)adv * GLYPH_SPACE / upem);
}

/* Mixes a number into a hash, little-endian on every machine. */
static uint64_t hash_u32(uint64_t h, uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                        (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  return lp_hash(h, b, sizeof b);
}

/* "ABCDEF+PsName": a tag hashed from the face and its glyph set (so the
 * same input gives the same name) and the PostScript name reduced to
 * characters that need no escaping in a PDF name. */
static void base_font_name(const pdf_font *f, char *out, size_t size) {
  enum { LETTERS = 26 };
  const lp_face *face = f->face;
  const char *path = face->path ? face->path : "";
  const char *ps_name = face->ps_name ? face->ps_name : "";
  uint64_t h = lp_hash(LP_HASH_SEED, path, strlen(path) + 1);
  h = lp_hash(h, ps_name, strlen(ps_name) + 1);
  h = hash_u32(h, (uint32_t)face->index);
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) h = hash_u32(h, gid);
  char tag[SUBSET_TAG_LEN + 1];
  for (int i = 0; i < SUBSET_TAG_LEN; i++) {
    tag[i] = (char)('A' + h % LETTERS);
    h /= LETTERS;
  }
  tag[SUBSET_TAG_LEN] = '\0';

  char ps[PS_NAME_MAX + 1];
  size_t n = 0;
  for (const char *s = ps_name; *s && n < PS_NAME_MAX; s++) {
    unsigned char c = (unsigned char)*s;
    if (is_printable_ascii(c) && c != ' ' && !strchr("()<>[]{}/%#", c))
      ps[n++] = (char)c;
  }
  ps[n] = '\0';
  snprintf(out, size, "%s+%s", tag, n ? ps : FALLBACK_PS_NAME);
}

/* The used glyphs of f as (CID << 32 | original gid), sorted by CID; *n
 * entries, caller frees. */
static uint64_t *sorted_cids(const pdf_font *f, size_t *n) {
  *n = hb_set_get_population(f->gids);
  uint64_t *pairs = lp_xmalloc(*n * sizeof *pairs);
  size_t k = 0;
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid))
    pairs[k++] = (uint64_t)hb_map_get(f->cid_of, gid) << 32 | gid;
  qsort(pairs, *n, sizeof *pairs, compare_u64);
  return pairs;
}

/* The /W array: widths of the used CIDs, consecutive CIDs grouped as
 * `c [w1 w2 …]`; CIDs whose width is /DW are left out. */
static HPDF_Array width_array(writer *w, const pdf_font *f) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Array widths = HPDF_Array_New(mmgr);
  if (!widths) return NULL;
  size_t n;
  uint64_t *pairs = sorted_cids(f, &n);
  HPDF_Array group = NULL;
  uint32_t next_cid = 0, in_group = 0;
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++) {
    uint32_t cid = (uint32_t)(pairs[k] >> 32);
    long long width = glyph_width_milli(f->face, (uint32_t)pairs[k]);
    if (width == DEFAULT_WIDTH_MILLI) {
      group = NULL;
      continue;
    }
    if (!group || cid != next_cid || in_group == W_GROUP_MAX) {
      ok = HPDF_Array_AddNumber(widths, (HPDF_INT32)cid) == HPDF_OK;
      group = ok ? HPDF_Array_New(mmgr) : NULL;
      /* HPDF_Array_Add frees group itself when it fails. */
      ok = group && HPDF_Array_Add(widths, group) == HPDF_OK;
      in_group = 0;
    }
    ok = ok && array_add_milli(group, width) == HPDF_OK;
    in_group++;
    next_cid = cid + 1;
  }
  free(pairs);
  if (ok) return widths;
  HPDF_Array_Free(widths);
  return NULL;
}

/* Appends bytes as uppercase hex digits. */
static void put_hex(lp_buf *b, const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  LP_GROW(b->data, b->cap, b->len + 2 * n + 1);
  for (size_t i = 0; i < n; i++) {
    b->data[b->len++] = (unsigned char)digits[p[i] >> 4];
    b->data[b->len++] = (unsigned char)digits[p[i] & 0xF];
  }
}

/* The ToUnicode CMap of f: each CID to the UTF-16BE text of the first glyph
 * seen with it that carries cluster text (a ligature maps to all of its
 * characters).  This is deliberately not an inverted cmap: that can pick a
 * compatibility ideograph sharing the glyph (NOTES-PDF.md). */
static void tounicode_cmap(const pdf_font *f, lp_buf *b) {
  lp_buf_puts(b,
              "/CIDInit /ProcSet findresource begin\n"
              "12 dict begin\n"
              "begincmap\n"
              "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
              "/Supplement 0 >> def\n"
              "/CMapName /Adobe-Identity-UCS def\n"
              "/CMapType 2 def\n"
              "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  size_t n;
  uint64_t *pairs = sorted_cids(f, &n);
  /* Keep only glyphs with text, in place. */
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (hb_map_has(f->text_of, (uint32_t)pairs[k])) pairs[m++] = pairs[k];
  lp_buf utf16 = {0};
  for (size_t k = 0; k < m; k++) {
    if (k % BFCHAR_BLOCK == 0) {
      size_t left = m - k;
      lp_buf_printf(b, "%zu beginbfchar\n",
                    left < BFCHAR_BLOCK ? left : (size_t)BFCHAR_BLOCK);
    }
    uint32_t cid = (uint32_t)(pairs[k] >> 32);
    const lp_dglyph *g = f->texts[hb_map_get(f->text_of, (uint32_t)pairs[k])];
    utf16.len = 0;
    put_utf16be(&utf16, g->text, g->text_len, TOUNICODE_MAX_UNITS);
    unsigned char code[2] = {(unsigned char)(cid >> 8), (unsigned char)cid};
    lp_buf_puts(b, "<");
    put_hex(b, code, sizeof code);
    lp_buf_puts(b, "> <");
    put_hex(b, utf16.data, utf16.len);
    lp_buf_puts(b, ">\n");
    if (k % BFCHAR_BLOCK == BFCHAR_BLOCK - 1 || k == m - 1)
      lp_buf_puts(b, "endbfchar\n");
  }
  lp_buf_free(&utf16);
  free(pairs);
  lp_buf_puts(b,
              "endcmap\n"
              "CMapName currentdict /CMap defineresource pop\n"
              "end\nend\n");
}

/* /FontBBox: the face's own box (its 'head' table), as PDF producers
 * commonly give for subsets; the union of the subset's glyphs would be
 * tighter, but measuring CFF outlines cost as much as a third of writing a
 * letter's PDF, and readers take any box that encloses the glyphs. */
static HPDF_Array bbox_array(writer *w, const lp_face *face) {
  double box[4] = {floor(face->bbox[0] * GLYPH_SPACE),
                   floor(face->bbox[1] * GLYPH_SPACE),
                   ceil(face->bbox[2] * GLYPH_SPACE),
                   ceil(face->bbox[3] * GLYPH_SPACE)};
  HPDF_Array a = HPDF_Array_New(w->pdf->mmgr);
  if (!a) return NULL;
  for (int i = 0; i < 4; i++)
    if (HPDF_Array_AddNumber(a, (HPDF_INT32)box[i]) != HPDF_OK) {
      HPDF_Array_Free(a);
      return NULL;
    }
  return a;
}

/* The FontDescriptor of f, pointing at the embedded font file. */
static HPDF_Dict font_descriptor(writer *w, const pdf_font *f, const char *name,
                                 HPDF_Dict file) {
  const lp_face *face = f->face;
  HPDF_Dict desc = new_indirect_dict(w);
  if (!desc) return NULL;
  int flags = FLAG_SYMBOLIC | (face->italic ? FLAG_ITALIC : 0);
  double cap = face->cap_height > 0 ? face->cap_height : face->ascender;
  int bad = 0;
  bad += HPDF_Dict_AddName(desc, "Type", "FontDescriptor") != HPDF_OK;
  bad += HPDF_Dict_AddName(desc, "FontName", name) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "Flags", flags) != HPDF_OK;
  bad += HPDF_Dict_Add(desc, "FontBBox", bbox_array(w, face)) != HPDF_OK;
  bad += HPDF_Dict_AddReal(desc, "ItalicAngle",
                           (HPDF_REAL)((double)to_milli(face->italic_angle) /
                                       MILLI)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(
             desc, "Ascent",
             (HPDF_INT32)lround(face->ascender * GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(
             desc, "Descent",
             (HPDF_INT32)lround(face->descender * GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "CapHeight",
                             (HPDF_INT32)lround(cap * GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "StemV", STEM_V) != HPDF_OK;
  bad += HPDF_Dict_Add(desc, face->is_cff ? "FontFile3" : "FontFile2", file) !=
         HPDF_OK;
  return bad ? NULL : desc;
}

/* The embedded font program: FontFile3 /CIDFontType0C for CFF, FontFile2
 * (with the /Length1 it requires) for TrueType. */
lp_pdf_cache *lp_pdf_cache_new(void) {
  return lp_xcalloc(1, sizeof(lp_pdf_cache));
}

static void cache_entry_clear(cache_entry *e) {
  hb_set_destroy(e->gids);
  hb_map_destroy(e->cid_of);
  free(e->zdata);
  memset(e, 0, sizeof *e);
}

void lp_pdf_cache_free(lp_pdf_cache *c) {
  if (!c) return;
  for (int i = 0; i < CACHE_ENTRIES; i++) cache_entry_clear(&c->entries[i]);
  for (int i = 0; i < 2; i++) libdeflate_free_compressor(c->deflaters[i]);
  lp_pdf_cache_clear_anchors(c);
  free(c->anchors);
  free(c);
}

void lp_pdf_cache_clear_anchors(lp_pdf_cache *c) {
  for (size_t i = 0; i < c->nanchors; i++) hb_set_destroy(c->anchors[i].gids);
  c->nanchors = 0;
}

void lp_pdf_cache_set_anchors(lp_pdf_cache *c, const lp_display *d) {
  lp_pdf_cache_clear_anchors(c);
  for (size_t p = 0; p < d->npages; p++)
    for (size_t r = 0; r < d->pages[p].nruns; r++) {
      const lp_drun *run = &d->pages[p].runs[r];
      if (!run->face || !run->count) continue;
      anchor_set *a = NULL;
      for (size_t i = 0; i < c->nanchors && !a; i++)
        if (c->anchors[i].face == run->face) a = &c->anchors[i];
      if (!a) {
        LP_GROW(c->anchors, c->anchors_cap, c->nanchors + 1);
        a = &c->anchors[c->nanchors++];
        a->face = run->face;
        a->gids = hb_set_create();
      }
      for (size_t k = 0; k < run->count; k++)
        hb_set_add(a->gids, run->glyphs[k].gid);
    }
}

/* The remembered subset of f's face with exactly f's glyphs, made the same
 * way (with hinting or without, compressed as an anchor or not), or NULL:
 * the bytes must not depend on what the cache saw before. */
static cache_entry *cache_find(lp_pdf_cache *c, const pdf_font *f,
                               bool hinting, bool anchor) {
  for (int i = 0; c && i < CACHE_ENTRIES; i++) {
    cache_entry *e = &c->entries[i];
    if (e->face == f->face && e->hinting == hinting && e->anchor == anchor &&
        hb_set_is_equal(e->gids, f->gids)) {
      e->used = ++c->clock;
      return e;
    }
  }
  return NULL;
}

/* Remembers f's subset (its compressed program and CIDs), replacing the
 * least recently used entry. */
static void cache_put(lp_pdf_cache *c, const pdf_font *f, bool hinting,
                      bool anchor, const unsigned char *zdata, size_t zlen,
                      size_t raw_len) {
  cache_entry *e = &c->entries[0];
  for (int i = 1; i < CACHE_ENTRIES; i++)
    if (c->entries[i].used < e->used) e = &c->entries[i];
  cache_entry_clear(e);
  e->face = f->face;
  e->hinting = hinting;
  e->anchor = anchor;
  e->gids = hb_set_copy(f->gids);
  e->cid_of = hb_map_copy(f->cid_of);
  e->zdata = lp_xmalloc(zlen);
  memcpy(e->zdata, zdata, zlen);
  e->zlen = zlen;
  e->raw_len = raw_len;
  e->used = ++c->clock;
}

/* Compresses data (zlib format, for /FlateDecode) into out at the fast
 * level, or at DEFLATE_LEVEL_ANCHOR when `anchor`.  The deflaters are made
 * on first use and kept by the cache when there is one (their tables are
 * large to set up). */
static bool deflate_bytes(writer *w, const void *data, size_t len,
                          bool anchor, lp_buf *out) {
  struct libdeflate_compressor **z =
      &(w->cache ? w->cache->deflaters : w->deflaters)[anchor];
  if (!*z)
    *z = libdeflate_alloc_compressor(anchor ? DEFLATE_LEVEL_ANCHOR
                                            : DEFLATE_LEVEL);
  if (!*z) return false;
  size_t bound = libdeflate_zlib_compress_bound(*z, len);
  LP_GROW(out->data, out->cap, bound + 1);
  out->len = libdeflate_zlib_compress(*z, data, len, out->data, bound);
  return out->len > 0;
}

/* Writes /Filter into a stream dictionary that libharu leaves unfiltered
 * (it drops a /Filter key of such a stream, then calls this). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream) {
  (void)dict;
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* Writes data into stream s compressed here (libharu must not compress it
 * again), with its /Filter.  An empty stream stays unfiltered: libharu
 * writes an empty Flate stream truncated (mupdf warns "premature end of
 * data"). */
static bool put_flate(writer *w, HPDF_Dict s, const void *data, size_t len) {
  s->filter = HPDF_STREAM_FILTER_NONE;
  if (!len) return true;
  lp_buf z = {0};
  bool ok = deflate_bytes(w, data, len, false, &z) &&
            HPDF_Stream_Write(s->stream, z.data, (HPDF_UINT)z.len) == HPDF_OK;
  lp_buf_free(&z);
  if (ok) s->write_fn = write_flate_filter;
  return ok;
}

/* The font file stream: the compressed program written as it is (libharu
 * must not compress it again), with /Filter, and /Subtype or /Length1. */
static HPDF_Dict font_file_stream(writer *w, const pdf_font *f,
                                  const unsigned char *zdata, size_t zlen,
                                  size_t raw_len) {
  HPDF_Dict file = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
  if (!file) return NULL;
  file->filter = HPDF_STREAM_FILTER_NONE;
  file->write_fn = write_flate_filter;
  if (HPDF_Stream_Write(file->stream, zdata, (HPDF_UINT)zlen) != HPDF_OK)
    return NULL;
  HPDF_STATUS st =
      f->face->is_cff
          ? HPDF_Dict_AddName(file, "Subtype", "CIDFontType0C")
          : HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)raw_len);
  return st == HPDF_OK ? file : NULL;
}

/* The embedded font program of f: from the cache, or subset now (and
 * remembered).  Sets f->cid_of either way. */
static HPDF_Dict font_program(writer *w, pdf_font *f) {
  bool hinting = w->d->meta.hinting;
  bool anchor = !f->extra && anchor_of(w, f->face);
  cache_entry *e = cache_find(w->cache, f, hinting, anchor);
  if (e) {
    hb_map_destroy(f->cid_of);
    f->cid_of = hb_map_copy(e->cid_of);
    return font_file_stream(w, f, e->zdata, e->zlen, e->raw_len);
  }
  hb_blob_t *blob;
  if (!subset_font(w, f, &blob)) return NULL;
  unsigned len;
  const unsigned char *data =
      (const unsigned char *)hb_blob_get_data(blob, &len);
  lp_buf z = {0};
  HPDF_Dict file = NULL;
  if (deflate_bytes(w, data, len, anchor, &z)) {
    if (w->cache) cache_put(w->cache, f, hinting, anchor, z.data, z.len, len);
    file = font_file_stream(w, f, z.data, z.len, len);
  } else {
    lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
            "PDF writer: cannot compress font %s", f->face->path);
  }
  lp_buf_free(&z);
  hb_blob_destroy(blob);
  return file;
}

/* /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>. */
static HPDF_Dict cid_system_info(writer *w) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Dict info = HPDF_Dict_New(mmgr);
  if (!info) return NULL;
  int bad = 0;
  bad += HPDF_Dict_Add(info, "Registry",
                       HPDF_String_New(mmgr, "Adobe", NULL)) != HPDF_OK;
  bad += HPDF_Dict_Add(info, "Ordering",
                       HPDF_String_New(mmgr, "Identity", NULL)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(info, "Supplement", 0) != HPDF_OK;
  if (!bad) return info;
  HPDF_Dict_Free(info);
  return NULL;
}

/* Subsets f and creates its objects: Type0 font, CIDFont, FontDescriptor,
 * font file and ToUnicode CMap; f->type0 is the one pages refer to. */
static bool embed_font(writer *w, pdf_font *f) {
  HPDF_Dict file = font_program(w, f);
  if (!file) return w->err && w->err->code ? false : haru_fail(w, "embedding a font");
  char name[SUBSET_TAG_LEN + 1 + PS_NAME_MAX + 1];
  base_font_name(f, name, sizeof name);

  lp_buf cmap = {0};
  tounicode_cmap(f, &cmap);
  HPDF_Dict tounicode = new_stream(w, cmap.data, cmap.len);
  lp_buf_free(&cmap);
  HPDF_Dict desc = file ? font_descriptor(w, f, name, file) : NULL;
  HPDF_Dict cidfont = new_indirect_dict(w);
  HPDF_Dict type0 = new_indirect_dict(w);
  HPDF_Array descendants = HPDF_Array_New(w->pdf->mmgr);
  if (!tounicode || !desc || !cidfont || !type0 || !descendants)
    return haru_fail(w, "embedding a font");

  int bad = 0;
  bad += HPDF_Dict_AddName(cidfont, "Type", "Font") != HPDF_OK;
  bad += HPDF_Dict_AddName(cidfont, "Subtype",
                           f->face->is_cff ? "CIDFontType0" : "CIDFontType2") !=
         HPDF_OK;
  bad += HPDF_Dict_AddName(cidfont, "BaseFont", name) != HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "CIDSystemInfo", cid_system_info(w)) != HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "FontDescriptor", desc) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(cidfont, "DW", DEFAULT_WIDTH_MILLI / MILLI) !=
         HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "W", width_array(w, f)) != HPDF_OK;
  if (!f->face->is_cff)
    bad += HPDF_Dict_AddName(cidfont, "CIDToGIDMap", "Identity") != HPDF_OK;

  bad += HPDF_Array_Add(descendants, cidfont) != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Type", "Font") != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Subtype", "Type0") != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "BaseFont", name) != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Encoding", "Identity-H") != HPDF_OK;
  bad += HPDF_Dict_Add(type0, "DescendantFonts", descendants) != HPDF_OK;
  bad += HPDF_Dict_Add(type0, "ToUnicode", tounicode) != HPDF_OK;
  if (bad) return haru_fail(w, "embedding a font");
  f->type0 = type0;
  return true;
}

/* ---- Page content ----------------------------------------------------- */

/* Appends the stroked rules of a page: `w gray G x1 y1 m x2 y2 l S`. */
static void write_rules(lp_buf *b, const lp_dpage *p) {
  for (size_t i = 0; i < p->nrules; i++) {
    const lp_drule *r = &p->rules[i];
    put_num(b, r->width);
    lp_buf_puts(b, "w ");
    put_num(b, clamp_gray(r->gray));
    lp_buf_puts(b, "G ");
    put_num(b, r->x1);
    put_num(b, r->y1);
    lp_buf_puts(b, "m ");
    put_num(b, r->x2);
    put_num(b, r->y2);
    lp_buf_puts(b, "l S\n");
  }
}

/* The text state of a page's single text object (BT ... ET): the font,
 * size and gray last set, and the start of the current text line (where
 * the last Td moved to), so that each run sets only what changes and moves
 * relative to the run before. */
typedef struct text_state {
  size_t font_no; /* SIZE_MAX: none set yet */
  long long size_m, gray_m, line_x, line_y;
} text_state;

/* Appends a run of glyphs of one font: Tf and g where they change, then per
 * line (glyphs sharing a y) a relative Td to its first glyph and one TJ.
 *
 * Positions are rounded to thousandths of a point.  Between glyphs the TJ
 * adjustment moves the pen from where the PDF viewer will have put it (the
 * glyph's /W width at the written size, plus earlier written adjustments)
 * to the next glyph's x, so rounding never accumulates along a line. */
static void write_run(lp_buf *b, text_state *ts, const pdf_font *f,
                      size_t font_no, const lp_drun *r) {
  long long size_m = to_milli(r->size);
  double size = (double)size_m / MILLI;
  long long gray_m = to_milli(clamp_gray(r->gray));
  bool set_font = font_no != ts->font_no || size_m != ts->size_m;
  bool set_gray = gray_m != ts->gray_m;
  if (set_font) {
    lp_buf_puts(b, "/F");
    put_milli(b, (long long)(font_no + 1) * MILLI);
    lp_buf_puts(b, " ");
    put_milli(b, size_m);
    lp_buf_puts(b, set_gray ? " Tf " : " Tf\n");
  }
  if (set_gray) {
    put_milli(b, gray_m);
    lp_buf_puts(b, " g\n");
  }
  ts->font_no = font_no, ts->size_m = size_m, ts->gray_m = gray_m;
  size_t i = 0;
  while (i < r->count) {
    long long x = to_milli(r->glyphs[i].x), y = to_milli(r->glyphs[i].y);
    put_milli(b, x - ts->line_x);
    lp_buf_puts(b, " ");
    put_milli(b, y - ts->line_y);
    lp_buf_puts(b, " Td [<");
    ts->line_x = x, ts->line_y = y;
    double pen = (double)x / MILLI;
    for (; i < r->count && to_milli(r->glyphs[i].y) == y; i++) {
      const lp_dglyph *g = &r->glyphs[i];
      uint32_t cid = hb_map_get(f->cid_of, g->gid);
      unsigned char code[2] = {(unsigned char)(cid >> 8), (unsigned char)cid};
      put_hex(b, code, sizeof code);
      pen += (double)glyph_width_milli(f->face, g->gid) / MILLI / GLYPH_SPACE *
             size;
      if (i + 1 < r->count && to_milli(r->glyphs[i + 1].y) == y && size > 0) {
        long long adj =
            to_milli(-(r->glyphs[i + 1].x - pen) * GLYPH_SPACE / size);
        if (llabs(adj) >= MIN_ADJUST_MILLI) {
          lp_buf_puts(b, ">");
          put_milli(b, adj);
          lp_buf_puts(b, "<");
          pen -= (double)adj / MILLI / GLYPH_SPACE * size;
        }
      }
    }
    lp_buf_puts(b, ">] TJ\n");
  }
}

/* ---- Images ------------------------------------------------------------ */

/* The image XObject for data, embedded on first use through libharu (PNG
 * with alpha becomes an image with an /SMask, JPEG a DCT stream). */
static HPDF_Image image_for(writer *w, const lp_dimage_data *data) {
  for (size_t i = 0; i < w->nimages; i++)
    if (w->images[i].data == data) return w->images[i].image;
  HPDF_Image img =
      data->kind == LP_IMAGE_PNG
          ? HPDF_LoadPngImageFromMem(w->pdf, data->bytes, (HPDF_UINT)data->len)
          : HPDF_LoadJpegImageFromMem(w->pdf, data->bytes,
                                      (HPDF_UINT)data->len);
  if (!img) return NULL;
  /* libharu leaves a PNG's alpha channel (/SMask) uncompressed. */
  HPDF_Dict smask = HPDF_Dict_GetItem(img, "SMask", HPDF_OCLASS_DICT);
  if (smask) smask->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  LP_GROW(w->images, w->images_cap, w->nimages + 1);
  w->images[w->nimages++] = (struct pdf_image){data, img};
  return img;
}

/* Appends the images of page p that go under the text (over_text false)
 * or over it: `q w 0 0 h x y cm /Xn Do Q`, each registered in the page's
 * /XObject resources. */
static bool write_images(writer *w, HPDF_Page page, const lp_dpage *p,
                         bool over_text, lp_buf *b) {
  for (size_t i = 0; i < p->nimages; i++) {
    const lp_dimage *im = &p->images[i];
    if (im->over_text != over_text || !(im->w > 0) || !(im->h > 0)) continue;
    HPDF_Image img = image_for(w, im->data);
    const char *name = img ? HPDF_Page_GetXObjectName(page, img) : NULL;
    if (!name) return false;
    lp_buf_puts(b, "q ");
    put_num(b, im->w);
    lp_buf_puts(b, "0 0 ");
    put_num(b, im->h);
    put_num(b, im->x);
    put_num(b, im->y);
    lp_buf_printf(b, "cm /%s Do Q\n", name);
  }
  return true;
}

/* Adds the fonts used on a page to its /Resources /Font dictionary. */
static bool add_page_fonts(writer *w, HPDF_Page page, const bool *used) {
  HPDF_Dict res =
      HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
  if (!res) return false;
  HPDF_Dict fonts = HPDF_Dict_GetItem(res, "Font", HPDF_OCLASS_DICT);
  if (!fonts) {
    fonts = HPDF_Dict_New(w->pdf->mmgr);
    if (!fonts || HPDF_Dict_Add(res, "Font", fonts) != HPDF_OK) return false;
  }
  for (size_t i = 0; i < w->nfonts; i++) {
    if (!used[i]) continue;
    char key[32];
    snprintf(key, sizeof key, "F%zu", i + 1);
    if (HPDF_Dict_Add(fonts, key, w->fonts[i].type0) != HPDF_OK) return false;
  }
  return true;
}

/* Creates page p: its size, font resources and content stream. */
static HPDF_Page write_page(writer *w, const lp_dpage *p, lp_buf *content) {
  HPDF_Page page = HPDF_AddPage(w->pdf);
  if (!page || HPDF_Page_SetWidth(page, (HPDF_REAL)p->width) != HPDF_OK ||
      HPDF_Page_SetHeight(page, (HPDF_REAL)p->height) != HPDF_OK)
    return NULL;
  bool *used = lp_xcalloc(w->nfonts, sizeof *used);
  content->len = 0;
  if (!write_images(w, page, p, false, content)) {
    free(used);
    return NULL;
  }
  write_rules(content, p);
  text_state ts = {SIZE_MAX, -1, -1, 0, 0};
  if (p->nruns) lp_buf_puts(content, "BT\n");
  for (size_t r = 0; r < p->nruns; r++) {
    const lp_drun *run = &p->runs[r];
    /* A run whose glyphs are in two fonts (anchor and extra) is written
     * as consecutive pieces, one per font. */
    for (size_t i = 0; i < run->count;) {
      pdf_font *f = font_for(w, run->face, run->glyphs[i].gid);
      size_t j = i + 1;
      while (j < run->count && font_for(w, run->face, run->glyphs[j].gid) == f)
        j++;
      lp_drun piece = *run;
      piece.glyphs = run->glyphs + i;
      piece.count = j - i;
      size_t k = (size_t)(f - w->fonts);
      used[k] = true;
      write_run(content, &ts, f, k, &piece);
      i = j;
    }
  }
  if (p->nruns) lp_buf_puts(content, "ET\n");
  bool ok = write_images(w, page, p, true, content) &&
            add_page_fonts(w, page, used);
  free(used);
  HPDF_PageAttr attr = page->attr;
  return ok && put_flate(w, attr->contents, content->data, content->len)
             ? page
             : NULL;
}

/* ---- Document --------------------------------------------------------- */

/* A destination: `[page /XYZ null top null]` (keep the viewer's left edge
 * and zoom), or `[page /Fit]` when top is not above the page's bottom.
 * Built by hand: libharu's SetXYZ wants numbers for left and zoom. */
static HPDF_Array destination(writer *w, HPDF_Page page, double top) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Array dest = HPDF_Array_New(mmgr);
  if (!dest) return NULL;
  int bad = HPDF_Array_Add(dest, page) != HPDF_OK;
  if (top > 0) {
    bad += HPDF_Array_AddName(dest, "XYZ") != HPDF_OK;
    bad += HPDF_Array_Add(dest, HPDF_Null_New(mmgr)) != HPDF_OK;
    bad += HPDF_Array_AddNumber(dest, (HPDF_INT32)lround(top)) != HPDF_OK;
    bad += HPDF_Array_Add(dest, HPDF_Null_New(mmgr)) != HPDF_OK;
  } else {
    bad += HPDF_Array_AddName(dest, "Fit") != HPDF_OK;
  }
  if (!bad) return dest;
  HPDF_Array_Free(dest);
  return NULL;
}

/* One top-level outline entry per lp_doutline, pointing at its page. */
static bool write_outlines(writer *w, HPDF_Page *pages) {
  const lp_display *d = w->d;
  for (size_t i = 0; i < d->noutlines; i++) {
    const lp_doutline *o = &d->outlines[i];
    if (o->page >= d->npages)
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: outline \"%s\" points at page %zu of %zu",
                     o->title, o->page + 1, d->npages);
    HPDF_Outline entry = HPDF_CreateOutline(w->pdf, NULL, "", NULL);
    if (!entry ||
        HPDF_Dict_Add(entry, "Title", text_string(w, o->title)) != HPDF_OK)
      return haru_fail(w, "adding an outline");
    double height = d->pages[o->page].height;
    double top = o->y < height ? o->y : height;
    if (HPDF_Dict_Add(entry, "Dest", destination(w, pages[o->page], top)) !=
        HPDF_OK)
      return haru_fail(w, "adding an outline");
  }
  if (d->noutlines &&
      HPDF_SetPageMode(w->pdf, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK)
    return haru_fail(w, "setting the page mode");
  return true;
}

/* Sets /CreationDate and /ModDate from an epoch time (UTC). */
static bool write_dates(writer *w, long long epoch) {
  enum { TM_YEAR_BASE = 1900, MAX_YEAR = 9999 };
  time_t t = (time_t)epoch;
  struct tm tm;
  if (!gmtime_r(&t, &tm) || tm.tm_year + TM_YEAR_BASE < 0 ||
      tm.tm_year + TM_YEAR_BASE > MAX_YEAR)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: document date %lld is out of range", epoch);
  HPDF_Date date = {.year = tm.tm_year + TM_YEAR_BASE,
                    .month = tm.tm_mon + 1,
                    .day = tm.tm_mday,
                    .hour = tm.tm_hour,
                    .minutes = tm.tm_min,
                    .seconds = tm.tm_sec,
                    .ind = '+',
                    .off_hour = 0,
                    .off_minutes = 0};
  if (HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_CREATION_DATE, date) != HPDF_OK ||
      HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_MOD_DATE, date) != HPDF_OK)
    return haru_fail(w, "setting the document dates");
  return true;
}

/* The document information dictionary and the catalog's /Lang. */
static bool write_meta(writer *w) {
  const lp_dmeta *m = &w->d->meta;
  /* The dates go first: setting them creates the info dictionary. */
  if (!write_dates(w, m->date)) return false;
  const struct {
    const char *key, *value;
  } entries[] = {{"Title", m->title},     {"Author", m->author},
                 {"Subject", m->subject}, {"Keywords", m->keywords},
                 {"Creator", m->creator}, {"Producer", m->creator}};
  for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
    if (!entries[i].value) continue;
    if (HPDF_Dict_Add(w->pdf->info, entries[i].key,
                      text_string(w, entries[i].value)) != HPDF_OK)
      return haru_fail(w, "setting the document information");
  }
  if (m->lang && *m->lang &&
      HPDF_Dict_Add(w->pdf->catalog, "Lang", text_string(w, m->lang)) !=
          HPDF_OK)
    return haru_fail(w, "setting the document language");
  return true;
}

/* Saves the document into libharu's memory stream and appends it to out. */
static bool save(writer *w, lp_buf *out) {
  if (HPDF_SaveToStream(w->pdf) != HPDF_OK)
    return haru_fail(w, "saving the document");
  HPDF_UINT32 size = HPDF_GetStreamSize(w->pdf);
  LP_GROW(out->data, out->cap, out->len + (size_t)size + 1);
  HPDF_UINT32 done = 0;
  while (done < size) {
    HPDF_UINT32 n = size - done;
    HPDF_STATUS st =
        HPDF_ReadFromStream(w->pdf, out->data + out->len + done, &n);
    if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || n == 0)
      return haru_fail(w, "reading the saved document");
    done += n;
  }
  out->len += size;
  out->data[out->len] = '\0';
  return true;
}

/* Builds the whole document in w->pdf and saves it into out. */
static bool write_document(writer *w, lp_buf *out) {
  const lp_display *d = w->d;
  if (!collect_glyphs(w)) return false;
  for (size_t i = 0; i < w->nfonts; i++)
    if (!embed_font(w, &w->fonts[i])) return false;
  HPDF_Page *pages = lp_xcalloc(d->npages, sizeof *pages);
  lp_buf content = {0};
  bool ok = true;
  for (size_t p = 0; p < d->npages && ok; p++) {
    pages[p] = write_page(w, &d->pages[p], &content);
    ok = pages[p] != NULL;
  }
  lp_buf_free(&content);
  if (!ok) {
    free(pages);
    return haru_fail(w, "writing a page");
  }
  ok = write_outlines(w, pages) && lp_forms_write(w->pdf, pages, d, w->err);
  free(pages);
  return ok && write_meta(w) && save(w, out);
}

/* Writes d as a PDF appended to out: one libharu document, freed on every
 * path. */
bool lp_pdf_write(const lp_display *d, lp_buf *out, lp_error *err) {
  return lp_pdf_write_cached(d, NULL, out, err);
}

bool lp_pdf_write_cached(const lp_display *d, lp_pdf_cache *cache,
                         lp_buf *out, lp_error *err) {
  if (!d->npages)
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: the document has no pages");
  writer w = {.d = d, .err = err, .cache = cache};
  w.pdf = HPDF_New(on_haru_error, &w);
  if (!w.pdf) return haru_fail(&w, "creating the document");
  w.pdf->pdf_version = HPDF_VER_14;
  bool ok = HPDF_SetCompressionMode(w.pdf, HPDF_COMP_ALL) == HPDF_OK
                ? write_document(&w, out)
                : haru_fail(&w, "setting compression");
  free_fonts(&w);
  free(w.images);
  for (int i = 0; i < 2; i++) libdeflate_free_compressor(w.deflaters[i]);
  HPDF_Free(w.pdf);
  return ok;
}

void *lp_pdf_text_string(HPDF_Doc pdf, const char *utf8) {
  writer w = {.pdf = pdf};
  return text_string(&w, utf8);
}

HPDF_Dict lp_pdf_stream(HPDF_Doc pdf, const void *data, size_t len) {
  /* Form appearances are a few bytes each: libharu's own Flate (zlib) is
   * cheaper here than setting up a deflater. */
  HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
  if (!s) return NULL;
  /* An empty Flate stream comes out truncated (see put_flate). */
  s->filter = len ? HPDF_STREAM_FILTER_FLATE_DECODE : HPDF_STREAM_FILTER_NONE;
  if (len && HPDF_Stream_Write(s->stream, data, (HPDF_UINT)len) != HPDF_OK)
    return NULL;
  return s;
}
